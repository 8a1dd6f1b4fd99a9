#pragma once
// ArchSpec: everything olla knows about one model architecture, in one file per family plus one
// row in arch_registry.cc (DESIGN.md C4). No other code lists or switches on architecture names.

#include <string>
#include <string_view>

#include "base/status.h"
#include "engine/model_config.h"
#include "gguf/metadata.h"

namespace olla::engine {

struct ArchSpec {
  std::string_view gguf_name;  // value of general.architecture
  // Fills `cfg` from metadata; errors name the offending key.
  Status (*load_config)(const gguf::Metadata& md, ModelConfig& cfg);
};

// The spec for `name`, or kUnsupported naming it and listing the supported architectures.
Result<const ArchSpec*> FindArch(std::string_view name);
// "llama, qwen2, ..." for messages.
std::string SupportedArchList();

// Shared loader for llama-like metadata under the "<prefix>." keys: sizes, heads, rope, norm eps.
Status LoadLlamaLike(const gguf::Metadata& md, std::string_view prefix, ModelConfig& cfg);

}  // namespace olla::engine
