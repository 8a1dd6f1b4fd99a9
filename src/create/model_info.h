#pragma once
// JSON views of a model for /api/tags, /api/show and /api/ps: `details` from the config blob and
// `model_info`/`tensors` from the GGUF file.

#include <nlohmann/json.hpp>

#include "gguf/reader.h"
#include "server/model_resolver.h"

namespace olla::server {

// {parent_model, format, family, families, parameter_size, quantization_level}.
nlohmann::json DetailsJson(const ResolvedModel& model);
// GGUF metadata as JSON; arrays longer than 5 become [] unless `verbose`; general.name and
// tokenizer.chat_template are left out.
nlohmann::json ModelInfoJson(const gguf::File& file, bool verbose);
// [{name, type, shape}] for every tensor.
nlohmann::json TensorsJson(const gguf::File& file);
// The generated Modelfile of `ollama show --modelfile`.
std::string GeneratedModelfile(const ResolvedModel& model, const std::string& system);
// The `parameters` text: "%-30s %#v" lines.
std::string ParametersText(const nlohmann::json& params);

}  // namespace olla::server
