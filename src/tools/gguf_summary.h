#pragma once
// What `olla show FILE.gguf` knows of a GGUF file read in place: the /api/show-shaped JSON
// (metadata, tensors, quantization label) that the CLI renders as it renders a server's answer.

#include <nlohmann/json_fwd.hpp>
#include <string>

#include "base/status.h"
#include "gguf/reader.h"

namespace olla::tools {

// Ollama's label for general.file_type ("Q4_K_M", "F16", ...); "unknown" for unlisted ids.
std::string FileTypeName(uint32_t file_type);

// The file's quantization label: general.file_type when present, else the type that holds
// most of the weights.
std::string QuantizationLabel(const gguf::File& file);

// The /api/show-shaped JSON of the GGUF file at `path`, opened in place (model_info, tensors,
// details). details.parameter_size is left out: the renderer derives it from model_info's
// general.parameter_count, as it does for any answer without one.
Result<nlohmann::json> ShowJsonForFile(const std::string& path);

}  // namespace olla::tools
