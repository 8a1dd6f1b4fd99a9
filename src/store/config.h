#pragma once
// The config blob (spec §6.4) and the JSON layer blobs whose bytes must match Ollama's
// (params and messages layers, §6.3).

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace olla::store {

struct DraftConfig {
  std::string model_format, architecture, tensor_prefix, config;  // each omitted when empty
  friend bool operator==(const DraftConfig&, const DraftConfig&) = default;
};

// Fields in the order they are written (§6.4). Empty optional fields are omitted; model_families
// is written as null when absent.
struct ModelConfig {
  std::string model_format;  // "gguf" or "safetensors"
  std::string model_family;  // GGUF general.architecture
  std::optional<std::vector<std::string>> model_families;
  std::string model_type;  // parameter-size label, e.g. "8.0B"
  std::string file_type;   // quantization label, e.g. "Q4_K_M" (FileTypeLabel)
  std::string renderer, parser;
  std::string requires_version;  // JSON "requires"
  std::string remote_host, remote_model;
  std::vector<std::string> capabilities;
  int64_t context_length = 0, embedding_length = 0;
  std::string base_name;
  std::optional<DraftConfig> draft;
  std::string architecture = "amd64";  // always amd64 (spec placeholder, not the model arch)
  std::string os = "linux";

  friend bool operator==(const ModelConfig&, const ModelConfig&) = default;
};

// Compact Go-style JSON + '\n'.
std::string EncodeModelConfig(const ModelConfig& config);
// Accepts any key order, extra fields, missing fields; wrong types → kCorrupt.
Result<ModelConfig> ParseModelConfig(std::string_view bytes);

// GGUF general.file_type → label (§6.4 table); "unknown" for unlisted values.
std::string_view FileTypeLabel(int64_t file_type);

// The params layer blob: `params` must be a JSON object; written with keys sorted, Go escaping,
// then '\n'. kInvalidArgument if it is not an object.
Result<std::string> EncodeParamsLayer(const nlohmann::json& params);

// The messages layer blob: `messages` must be an array of objects; each message is written with
// keys in Go's order role, content (always), then thinking, images, tool_calls, tool_name,
// tool_call_id when present and non-empty; other keys are dropped. Then '\n'.
// Nested values (images, tool_calls) are written with sorted object keys, whereas Go writes its
// struct field order; so only messages without tool_calls are guaranteed byte-identical to
// Ollama's (Modelfile MESSAGE history has role and content only).
Result<std::string> EncodeMessagesLayer(const nlohmann::json& messages);

}  // namespace olla::store
