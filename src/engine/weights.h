#pragma once
// Binding of GGUF tensors to the forward pass's weights, by name, with shape and type checks.
// Weights are views into the mapped file: nothing is copied. Which tensors are required follows
// the ModelConfig flags; absent optional parts are null views.

#include <vector>

#include "base/status.h"
#include "engine/model_config.h"
#include "gguf/reader.h"
#include "kernels/ops.h"

namespace olla::engine {

// A 1-D f32 vector (norm weights, biases); null data when absent.
struct Vec {
  const float* data = nullptr;
  size_t n = 0;
};

// A norm's scale and, for LayerNorm models, its bias.
struct NormWeights {
  Vec weight, bias;  // [n]
};

struct LayerWeights {
  // The attention block's norm: attn_norm before the block (kPre), or attn_output_norm after the
  // residual add (kPost).
  NormWeights attn_norm;
  // [q_dim, n_embd], [kv_dim, n_embd], [v_dim, n_embd], [n_embd, n_head * head_dim_v]. With
  // fused_qkv, wq, wk and wv are consecutive row ranges of attn_qkv.
  kernels::QMatrix wq, wk, wv, wo;
  Vec bq, bk, bv, bo;            // [q_dim], [kv_dim], [v_dim], [n_embd] (qkv_bias, attn_out_bias)
  Vec attn_q_norm, attn_k_norm;  // [head_dim] (qk_norm); [q_dim], [kv_dim] with qk_norm_full
  NormWeights post_attn_norm;    // post_attention_norm (post_attn_norm)
  // The FFN block's norm: ffn_norm (kPre) or layer_output_norm (kPost).
  NormWeights ffn_norm;
  // [n_ff, n_embd] ×2, [n_embd, n_ff]; ffn_gate is unset without a gate. With fused_gate_up, gate
  // and up are the two halves of ffn_up.
  kernels::QMatrix ffn_gate, ffn_up, ffn_down;
  Vec ffn_up_b, ffn_down_b;   // [n_ff], [n_embd] (ffn_bias)
  NormWeights post_ffn_norm;  // post_ffw_norm (post_ffn_norm)

  // Mixture of experts (n_expert > 0), instead of ffn_gate/up/down: the router [n_expert,
  // n_embd] and every expert's matrices, views of the 3-D ffn_{gate,up,down}_exps tensors
  // ([n_ff_exp, n_embd] ×2, [n_embd, n_ff_exp] per expert).
  kernels::QMatrix ffn_gate_inp;
  Vec ffn_gate_inp_b;                                           // [n_expert] (expert_bias)
  std::vector<kernels::QMatrix> gate_exps, up_exps, down_exps;  // [n_expert] each
  // (expert_bias) expert e's biases start at e * n_ff_exp (gate, up) and e * n_embd (down).
  Vec gate_exps_b, up_exps_b, down_exps_b;
  Vec attn_sinks;  // [n_head] (attn_sinks)
};

struct ModelWeights {
  kernels::QMatrix token_embd;     // [n_vocab, n_embd]
  kernels::QMatrix position_embd;  // [n_pos_max, n_embd] (position_embd)
  kernels::QMatrix token_types;    // [n_types, n_embd] (token_types)
  NormWeights embd_norm;           // token_embd_norm (embd_norm)
  NormWeights output_norm;         // [n_embd] (output_norm)
  kernels::QMatrix output;         // [n_vocab, n_embd] (token_embd when tied; output_head)
  kernels::QMatrix dense_2;        // [d, n_embd] (dense_out)
  kernels::QMatrix dense_3;        // [n_embd, d] (dense_out)
  Vec rope_freqs;                  // [n_rot / 2] llama3-style frequency divisors, optional
  std::vector<LayerWeights> layers;
};

// Binds every tensor the config needs. Fails naming the tensor when one is missing, has the wrong
// shape, or a type the kernels cannot multiply. Sets cfg.n_vocab, cfg.tied_output, cfg.n_pos_max
// and the rope frequency factors.
Result<ModelWeights> BindWeights(const gguf::File& file, ModelConfig& cfg);

}  // namespace olla::engine
