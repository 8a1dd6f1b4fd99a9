#pragma once
// Synthetic benchmark models: a GGUF with realistic llama metadata and shapes and random weights
// ~ N(0, 0.02) from a fixed seed, quantized with the engine's own quantizers. The weights mean
// nothing; speed depends only on shapes and types, so `olla bench` measures on these what it
// would measure on the real model of the same shape.

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/thread_pool.h"

namespace olla::tools {

struct SynthShape {
  std::string name;  // "llama3.2-1b", "llama-7b", "tiny", "qwen3-moe-mini", "tiny-moe"
  size_t n_embd, n_layer, n_head, n_head_kv, n_ff, n_vocab, n_ctx;
  double rope_base;
  bool tied_output;
  // qwen3moe: per-head q/k norms, head_dim (key_length) and every FFN a mixture of n_expert
  // experts of width n_ff_exp, n_expert_used of them per token. "llama": a dense llama.
  std::string arch = "llama";
  size_t head_dim = 0;  // 0: n_embd / n_head
  size_t n_expert = 0, n_expert_used = 0, n_ff_exp = 0;
};
// The known shapes, by name.
const std::vector<SynthShape>& SynthShapes();

struct SynthOptions {
  std::string arch;  // the shape's architecture; "" = whatever it is
  std::string shape = "llama3.2-1b";
  // A tensor type (F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, IQ4_NL, Q2_K ... Q6_K, IQ4_XS)
  // or a llama-quantize mix (Q4_K_M, Q5_K_M: attn_v and ffn_down of some layers in Q6_K).
  std::string type = "Q4_0";
  // Without `pure`, quantized files keep the output matrix (or the tied token_embd) in Q6_K, as
  // llama-quantize does (Q8_0 files keep it in Q8_0).
  bool pure = false;
  // Copy the tokenizer.* metadata of this GGUF; tokens beyond its vocabulary are "<tok_N>"
  // placeholders. Empty: placeholders only (an SPM vocabulary of "<unk>", "<s>", "</s>", ...).
  std::string vocab_from;
  uint64_t seed = 1234;
};

// Generates the model and writes it to `path` (atomically). kInvalidArgument for an unknown
// arch, shape or type.
Status WriteSynthModel(const SynthOptions& options, const std::string& path, ThreadPool& pool);

}  // namespace olla::tools
