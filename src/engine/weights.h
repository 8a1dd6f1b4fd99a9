#pragma once
// Binding of GGUF tensors to the forward pass's weights, by name, with shape and type checks.
// Weights are views into the mapped file: nothing is copied.

#include <vector>

#include "base/status.h"
#include "engine/model_config.h"
#include "gguf/reader.h"
#include "kernels/ops.h"

namespace olla::engine {

// A 1-D f32 vector (norm weights, biases); null data when the tensor is absent and optional.
struct Vec {
  const float* data = nullptr;
  size_t n = 0;
};

struct LayerWeights {
  Vec attn_norm;                   // [n_embd]
  kernels::QMatrix wq, wk, wv, wo;  // [q_dim, n_embd], [kv_dim, n_embd], [v_dim, n_embd], [n_embd, q_dim]
  Vec ffn_norm;                    // [n_embd]
  kernels::QMatrix ffn_gate, ffn_up, ffn_down;  // [n_ff, n_embd] ×2, [n_embd, n_ff]
};

struct ModelWeights {
  kernels::QMatrix token_embd;  // [n_vocab, n_embd]
  Vec output_norm;              // [n_embd]
  kernels::QMatrix output;      // [n_vocab, n_embd] (token_embd when tied)
  Vec rope_freqs;               // [n_rot / 2] llama3-style frequency divisors, optional
  std::vector<LayerWeights> layers;
};

// Binds every tensor the config needs. Fails naming the tensor when one is missing, has the wrong
// shape, or a type the kernels cannot multiply. Sets cfg.n_vocab and cfg.tied_output.
Result<ModelWeights> BindWeights(const gguf::File& file, ModelConfig& cfg);

}  // namespace olla::engine
