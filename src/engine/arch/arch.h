#pragma once
// ArchSpec: everything olla knows about one model architecture, in one file per family plus one
// row in arch_registry.cc (DESIGN.md C4). No other code lists or switches on architecture names.
// docs/ADDING_AN_ARCH.md walks through adding one.

#include <string>
#include <string_view>

#include "base/status.h"
#include "engine/model_config.h"
#include "gguf/metadata.h"

namespace olla::engine {

struct ArchSpec {
  std::string_view gguf_name;  // value of general.architecture
  // Fills `cfg` from metadata: sizes, per-family flags (which fix the tensors that get bound) and
  // cfg.layers. Errors name the offending key.
  Status (*load_config)(const gguf::Metadata& md, ModelConfig& cfg);
};

// The spec for `name`, or kUnsupported naming it and listing the supported architectures.
Result<const ArchSpec*> FindArch(std::string_view name);
// "llama, qwen2, ..." for messages.
std::string SupportedArchList();

// ---- Loaders shared by several families ----

// Llama-like metadata under the "<prefix>." keys: sizes, heads, head_dim (attention.key_length
// if present), rope, RMS norm eps. Sets cfg.layers to n_layer global layers.
Status LoadLlamaLike(const gguf::Metadata& md, std::string_view prefix, ModelConfig& cfg);

// Makes layer i local (attention within `window`, rope_local) where
// pattern == 0 || i % pattern < pattern - 1, as llama.cpp's set_swa_pattern: pattern 2 makes
// even layers local, 6 makes five local layers per global one, 1 none, 0 all. rope_local becomes
// cfg.rope with `local_freq_base` and `local_freq_scale`; call it after setting cfg.rope.
void SetSlidingWindowLayers(ModelConfig& cfg, size_t window, size_t pattern, float local_freq_base,
                            float local_freq_scale);

// Gemma 1/2/3 common ground on top of LoadLlamaLike: NEOX rope, GeGLU (tanh GELU), embeddings
// scaled by sqrt(n_embd). Norm weights need no "+1": gemma GGUFs store them with it applied.
Status LoadGemmaLike(const gguf::Metadata& md, std::string_view prefix, ModelConfig& cfg);

// Optional float key: `fallback` when absent, an error naming the key on a type mismatch.
Result<float> GetFloatOr(const gguf::Metadata& md, const std::string& key, float fallback);

}  // namespace olla::engine
