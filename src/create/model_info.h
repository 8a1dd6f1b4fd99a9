#pragma once
// JSON views of a model for /api/tags, /api/show and /api/ps: `details` from the config blob,
// `model_info`/`tensors`/`capabilities` from the GGUF file, and the generated Modelfile.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "gguf/reader.h"
#include "store/manifest.h"

namespace olla::create {

// {parent_model, format, family, families, parameter_size, quantization_level} from the config
// blob (`config`, or null) and the `from` of the manifest's model layer.
nlohmann::json DetailsJson(const nlohmann::json& config, const store::Manifest& manifest);
// GGUF metadata as JSON; arrays longer than 5 become [] unless `verbose`; general.name and
// tokenizer.chat_template are left out.
nlohmann::json ModelInfoJson(const gguf::File& file, bool verbose);
// [{name, type, shape}] for every tensor.
nlohmann::json TensorsJson(const gguf::File& file);

// The capabilities a model's template gives it (spec §9.7 items 2 and 4), in Ollama's order
// around `base` ("completion" or "embedding"): a Go template adds tools (.Tools), insert
// (.Suffix) and thinking (inferred tags) after it; a Jinja chat template adds tools and thinking
// before it.
std::vector<std::string> TemplateCapabilities(std::string_view go_template,
                                              const gguf::Metadata& md, const std::string& base);

// What /api/show reads from a model's GGUF file.
struct GgufShowInfo {
  nlohmann::json model_info;              // ModelInfoJson
  nlohmann::json tensors;                 // TensorsJson
  std::vector<std::string> capabilities;  // TemplateCapabilities around "completion" or
                                          // "embedding" (the model has <arch>.pooling_type)
};
// Opens the GGUF at `path`; `go_template` is the model's TEMPLATE ("" = none). The file's open
// errors (kIoError, kCorrupt, ...) as they come.
Result<GgufShowInfo> ReadGgufShowInfo(const std::string& path, std::string_view go_template,
                                      bool verbose);

// What `ollama show --modelfile` prints of a stored model.
struct ModelfileSource {
  std::string short_name;     // e.g. "llama3.2:latest"
  std::string model_path;     // the GGUF blob
  std::string template_text;  // the TEMPLATE, or "{{ .Prompt }}" when the model has none
  std::string system;
  nlohmann::json params;    // object or null
  nlohmann::json messages;  // array or null
  std::vector<std::string> licenses;
  std::vector<std::string> adapter_paths;  // ADAPTER blobs, listed after FROM as Ollama does
};
// The generated Modelfile of `ollama show --modelfile`.
std::string GeneratedModelfile(const ModelfileSource& model);
// The `parameters` text: "%-30s %#v" lines.
std::string ParametersText(const nlohmann::json& params);

}  // namespace olla::create
