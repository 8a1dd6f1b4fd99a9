#pragma once
// ArchSpec: everything olla knows about one model architecture, in one file per family plus one
// row in arch_registry.cc (CONVENTIONS.md C4); architectures olla does not run have their
// ArchTraits in foreign_archs.cc. No other code lists or switches on architecture names.
// docs/ADDING_AN_ARCH.md walks through adding one.

#include <string>
#include <string_view>

#include "base/status.h"
#include "engine/model_config.h"
#include "gguf/metadata.h"
#include "tensor/dtype.h"

namespace olla::engine {

// What code outside the engine asks of an architecture (model creation, the server, the chat
// template choice), so that it never compares architecture names itself. The defaults describe an
// ordinary decoder.
struct ArchTraits {
  // Ollama turns context shifting off by default where the cache cannot be shifted (deepseek2).
  bool can_shift_context = true;
  // A vision/audio projector family (clip): a GGUF of it with an encoder is a projector layer.
  bool projector = false;
  // gpt-oss: a Go template in the harmony format is rendered by the built-in renderer.
  bool harmony_template = false;

  // Quantization (spec §8.6), following llama.cpp's llama_tensor_get_type:
  // falcon's mix (Q8_0 output, lighter ffn_down and attn_output types).
  bool quant_falcon_mix = false;
  // llama.cpp's LLM_TYPE_70B: with 80 layers and grouped-query attention, attn_v gets Q5_K.
  bool quant_70b_at_80_layers = false;
  // Ollama's per-tensor overrides for K-quant targets: the type to use for `tensor_name`, given
  // the type chosen so far. Null: none.
  tensor::DType (*quant_override)(std::string_view tensor_name, tensor::DType type) = nullptr;
};

struct ArchSpec {
  std::string_view gguf_name;  // value of general.architecture
  // Fills `cfg` from metadata: sizes, per-family flags (which fix the tensors that get bound) and
  // cfg.layers. Errors name the offending key.
  Status (*load_config)(const gguf::Metadata& md, ModelConfig& cfg);
  ArchTraits traits;
};

// The spec for `name`, or kUnsupported naming it and listing the supported architectures.
Result<const ArchSpec*> FindArch(std::string_view name);
// "llama, qwen2, ..." for messages.
std::string SupportedArchList();

// The traits of `gguf_name` (a general.architecture value): a supported architecture's spec
// traits, else those of an architecture olla only stores and quantizes (foreign_archs.cc), else
// the defaults.
const ArchTraits& ArchTraitsFor(std::string_view gguf_name);

// ---- Loaders shared by several families ----

// Llama-like metadata under the "<prefix>." keys: sizes, heads, head_dim (attention.key_length
// if present), rope, RMS norm eps. Sets cfg.layers to n_layer global layers.
Status LoadLlamaLike(const gguf::Metadata& md, std::string_view prefix, ModelConfig& cfg);

// Mixture-of-experts sizes when "<prefix>.expert_count" is present and > 0:
// n_expert (≤ kMaxExperts), n_expert_used (expert_used_count, 1..n_expert) and n_ff_exp
// (expert_feed_forward_length, else feed_forward_length). The gating rule is the caller's.
Status LoadExperts(const gguf::Metadata& md, std::string_view prefix, ModelConfig& cfg);

// Makes layer i local (attention within `window`, rope_local) where
// pattern == 0 || i % pattern < pattern - 1, as llama.cpp's set_swa_pattern: pattern 2 makes
// even layers local, 6 makes five local layers per global one, 1 none, 0 all. rope_local becomes
// cfg.rope with `local_freq_base` and `local_freq_scale`; call it after setting cfg.rope.
void SetSlidingWindowLayers(ModelConfig& cfg, size_t window, size_t pattern, float local_freq_base,
                            float local_freq_scale);

// Local layers from "<prefix>.attention.sliding_window" (absent or 0: every layer global) and
// "<prefix>.attention.sliding_window_pattern": a period as SetSlidingWindowLayers
// (`default_period` when absent) or one bool per layer (true: local). Local layers rotate with
// "<prefix>.rope.freq_base_swa" (`default_local_base` when absent) and no rope scaling. Call it
// after setting cfg.rope.
Status LoadSlidingWindow(const gguf::Metadata& md, std::string_view prefix, size_t default_period,
                         float default_local_base, ModelConfig& cfg);

// "<prefix>.pooling_type" into cfg.pooling (absent: kNone); kUnsupported naming the value for
// rank (4) and unknown values.
Status LoadPoolingType(const gguf::Metadata& md, std::string_view prefix, ModelConfig& cfg);

// BERT-style encoders (bert, nomic-bert) on top of LoadLlamaLike: LayerNorm with biases after
// each residual add (eps from "<prefix>.attention.layer_norm_epsilon"), token types and
// token_embd_norm on the input, non-causal unless "<prefix>.attention.causal", no output head
// or final norm, the pooling type of the file. Projections, FFN and positions are the caller's.
Status LoadBertLike(const gguf::Metadata& md, std::string_view prefix, ModelConfig& cfg);

// Gemma 1/2/3 common ground on top of LoadLlamaLike: NEOX rope, GeGLU (tanh GELU), embeddings
// scaled by sqrt(n_embd). Norm weights need no "+1": gemma GGUFs store them with it applied.
Status LoadGemmaLike(const gguf::Metadata& md, std::string_view prefix, ModelConfig& cfg);

// Gemma 3 blocks on top of LoadGemmaLike (gemma3, gemma-embedding): sandwich norms, per-head
// q/k norms, sliding-window layers (LoadSlidingWindow, period 6, local rope base 10000).
Status LoadGemma3Like(const gguf::Metadata& md, std::string_view prefix, ModelConfig& cfg);

// Optional float key: `fallback` when absent, an error naming the key on a type mismatch.
Result<float> GetFloatOr(const gguf::Metadata& md, const std::string& key, float fallback);

}  // namespace olla::engine
