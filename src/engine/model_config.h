#pragma once
// ModelConfig: every hyperparameter and per-family switch the one forward pass reads
// (CONVENTIONS.md C5). Filled from GGUF metadata by an architecture's loader (engine/arch/);
// nothing here is hard-coded per model. Tensor binding (weights.cc) follows the same flags: a flag
// that says "this block has X" makes X a required tensor.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "kernels/ops.h"

namespace olla::engine {

// kSwigluOai: gpt-oss's clamped SwiGLU, (clamp(up, ±limit) + 1) · g · sigmoid(alpha · g) with
// g = min(gate, limit) (ModelConfig::swiglu_alpha, swiglu_limit).
enum class FfnActivation { kSilu, kGeluTanh, kSwigluOai };
// How a mixture-of-experts router's logits become the k expert weights (llama.cpp's gating
// functions): kSoftmax: softmax over all experts, take the top k (qwen3moe, Mixtral; then
// renormalized to sum 1 with expert_weights_norm); kSoftmaxTopK: the top k logits, softmaxed
// among themselves (gpt-oss).
enum class ExpertGating { kSoftmax, kSoftmaxTopK };
enum class NormKind { kRms, kLayer };
// Where a block's norm sits. kPre (llama and most decoders): x += f(norm(x)). kPost (BERT):
// x = norm(x + f(x)), the norm weights being attn_output_norm / layer_output_norm. kNone (olmo2):
// neither, x += post_norm(f(x)) with post_attn_norm / post_ffn_norm the only block norms.
enum class NormPlacement { kPre, kPost, kNone };
// How per-token hidden states become one embedding; the values are llama.cpp's and GGUF's
// "<arch>.pooling_type" numbers.
enum class Pooling { kNone = 0, kMean = 1, kCls = 2, kLast = 3 };

// What may differ from one layer to the next: gemma2/3 alternate local layers (sliding-window
// attention, with their own rope base in gemma3) and global ones.
struct LayerConfig {
  bool local = false;  // attends within ModelConfig::sliding_window and rotates with rope_local
};

// The most experts a mixture-of-experts model may have (the largest released have 512).
constexpr size_t kMaxExperts = 1024;

struct ModelConfig {
  std::string arch;    // general.architecture
  size_t n_vocab = 0;  // rows of the output matrix (or of token_embd for encoders)
  size_t n_embd = 0;
  size_t n_layer = 0;
  size_t n_head = 0;
  size_t n_head_kv = 0;
  size_t head_dim = 0;    // key/query length per head
  size_t head_dim_v = 0;  // value length per head
  size_t n_ff = 0;
  size_t n_ctx_train = 0;
  float norm_eps = 1e-5f;
  NormKind norm = NormKind::kRms;
  NormPlacement norm_placement = NormPlacement::kPre;
  FfnActivation ffn_act = FfnActivation::kSilu;  // of the gate in gated FFNs
  bool ffn_gated = true;  // act(x Wgate) * (x Wup); false: gelu(x Wup) (BERT)
  kernels::RopeParams
      rope;  // rope of global layers: n_rot, base, scale, style; freq_factors bound by the weights
  kernels::RopeParams rope_local;  // rope of local layers (LayerConfig::local)
  // Non-causal models see keys after p too: their window is symmetric, |p - k| < sliding_window.
  size_t sliding_window = 0;   // local layers: a query at p sees keys k with p - k < sliding_window
  bool use_rope = true;        // false: absolute position embeddings instead (BERT)
  bool causal = true;          // false: every token attends to every token of its batch (encoders)
  bool tied_output = false;    // output.weight absent: reuse token_embd.weight
  float embd_scale = 1.0f;     // multiplies token embeddings (gemma: sqrt(n_embd))
  float attn_scale = 0.0f;     // query scale; 0 means 1/sqrt(head_dim)
  float attn_softcap = 0.0f;   // if > 0: attention scores s -> cap * tanh(s / cap) (gemma2)
  float final_softcap = 0.0f;  // the same on the output logits (gemma2)

  // Granite's multipliers: each branch's output (attention, FFN) is multiplied by residual_scale
  // before its residual add, and the output logits are divided by logit_scale.
  float residual_scale = 1.0f;
  float logit_scale = 1.0f;

  // Optional tensors, bound when set (weights.cc).
  bool qkv_bias = false;       // attn_{q,k,v}.bias (qwen2, bert)
  bool attn_out_bias = false;  // attn_output.bias (bert)
  bool ffn_bias = false;       // ffn_up.bias, ffn_down.bias (bert)
  bool norm_bias = false;      // every norm has a .bias (LayerNorm models)
  bool qk_norm = false;  // attn_q_norm / attn_k_norm: per-head RMSNorm before rope (qwen3, gemma3)
  // With qk_norm: one RMSNorm over each token's whole q [q_dim] and k [kv_dim] projection
  // instead of one per head (olmo2).
  bool qk_norm_full = false;
  bool post_attn_norm =
      false;  // post_attention_norm on the attention output before the residual (gemma2/3)
  bool post_ffn_norm = false;  // post_ffw_norm on the FFN output before the residual (gemma2/3)
  bool fused_qkv = false;      // one attn_qkv tensor, rows q then k then v (phi3)
  bool fused_gate_up = false;  // one ffn_up tensor of 2*n_ff rows, gate then up (phi3)
  bool position_embd =
      false;  // position_embd: absolute position embeddings added to the input (bert)
  bool token_types = false;  // token_types: row 0 (segment A) added to every input (bert)
  bool embd_norm = false;    // token_embd_norm on the summed input embeddings (bert)
  bool output_head =
      true;  // output_norm + output: false for encoders, which produce embeddings only
  // output_norm on the last hidden states, with or without an output head (gemma-embedding has
  // the norm but no head); false for BERT-style encoders.
  bool output_norm = true;
  // dense_2 [d, n_embd] then dense_3 [n_embd, d], bias-free, applied to each embedding after
  // pooling (gemma-embedding's sentence-transformers head).
  bool dense_out = false;

  // Mixture of experts (n_expert > 0): the FFN of every layer is a router (ffn_gate_inp) choosing
  // n_expert_used of n_expert gated FFNs of width n_ff_exp (ffn_{gate,up,down}_exps), whose
  // outputs are summed with the router's weights (engine/moe.cc).
  size_t n_expert = 0;
  size_t n_expert_used = 0;
  size_t n_ff_exp = 0;
  ExpertGating expert_gating = ExpertGating::kSoftmax;
  bool expert_weights_norm = false;  // renormalize the k weights to sum 1
  bool expert_bias = false;          // ffn_gate_inp.bias and ffn_{gate,up,down}_exps.bias (gpt-oss)
  float swiglu_alpha = 1.702f, swiglu_limit = 7.0f;  // kSwigluOai
  bool attn_sinks = false;  // attn_sinks: one logit per head joining each softmax (gpt-oss)
  // The GGUF name of the FFN block's pre-norm (gpt-oss calls it post_attention_norm).
  std::string ffn_norm_name = "ffn_norm";

  Pooling pooling = Pooling::kNone;  // the model's default pooling for embeddings
  size_t n_pos_max = 0;  // rows of position_embd (positions must stay below); 0 = no limit

  std::vector<LayerConfig> layers;  // [n_layer]; LoadLlamaLike makes them all global

  size_t q_dim() const { return n_head * head_dim; }
  size_t kv_dim() const { return n_head_kv * head_dim; }
  size_t v_dim() const { return n_head_kv * head_dim_v; }
};

}  // namespace olla::engine
