#pragma once
// What `olla show` prints about a GGUF file: architecture, parameter count, context and
// embedding length, quantization label, metadata and tensor tables.

#include <nlohmann/json_fwd.hpp>
#include <string>

#include "base/status.h"
#include "gguf/reader.h"

namespace olla::cli {

// Ollama's label for general.file_type ("Q4_K_M", "F16", ...); "unknown" for unlisted ids.
std::string FileTypeName(uint32_t file_type);

// The file's quantization label: general.file_type when present, else the type that holds
// most of the weights.
std::string QuantizationLabel(const gguf::File& file);

// The /api/show-shaped JSON of a file opened in place (model_info, tensors, details).
nlohmann::json ShowJsonForFile(const gguf::File& file);
// Renders the Model section and, with `verbose`, Metadata and Tensors sections.
std::string RenderShow(const gguf::File& file, bool verbose);

}  // namespace olla::cli
