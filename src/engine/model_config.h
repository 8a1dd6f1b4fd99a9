#pragma once
// ModelConfig: every hyperparameter and per-family switch the one forward pass reads
// (DESIGN.md C5). Filled from GGUF metadata by an architecture's loader (engine/arch/); nothing
// here is hard-coded per model.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "kernels/ops.h"

namespace olla::engine {

enum class FfnActivation { kSilu, kGeluTanh };
enum class NormKind { kRms, kLayer };

struct ModelConfig {
  std::string arch;          // general.architecture
  size_t n_vocab = 0;        // rows of the output matrix
  size_t n_embd = 0;
  size_t n_layer = 0;
  size_t n_head = 0;
  size_t n_head_kv = 0;
  size_t head_dim = 0;       // key/query length per head
  size_t head_dim_v = 0;     // value length per head
  size_t n_ff = 0;
  size_t n_ctx_train = 0;
  float norm_eps = 1e-5f;
  NormKind norm = NormKind::kRms;
  FfnActivation ffn_act = FfnActivation::kSilu;
  kernels::RopeParams rope;  // n_rot, base, scale, style; freq_factors bound by the weights
  bool tied_output = false;  // output.weight absent: reuse token_embd.weight
  float embd_scale = 1.0f;   // multiplies token embeddings (gemma: sqrt(n_embd))
  float attn_scale = 0.0f;   // query scale; 0 means 1/sqrt(head_dim)

  size_t q_dim() const { return n_head * head_dim; }
  size_t kv_dim() const { return n_head_kv * head_dim; }
  size_t v_dim() const { return n_head_kv * head_dim_v; }
};

}  // namespace olla::engine
