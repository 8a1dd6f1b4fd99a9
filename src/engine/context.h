#pragma once
// Context: one sequence being evaluated against a Model: its KV cache and activation buffers,
// sized once at creation (CONVENTIONS.md C9). Not thread-safe; one per sequence slot. Non-causal
// (encoder) models keep no cache: each Embed call sees only its own tokens.

#include <cstdint>
#include <memory>
#include <span>
#include <stop_token>
#include <vector>

#include "base/status.h"
#include "base/thread_pool.h"
#include "engine/kv_cache.h"
#include "engine/model.h"
#include "engine/moe.h"

namespace olla::engine {

using TokenId = int32_t;

struct ContextParams {
  size_t n_ctx = 2048;   // positions in the KV cache (Ollama's num_ctx)
  size_t n_batch = 512;  // tokens evaluated per forward step (num_batch)
  tensor::DType kv_type = tensor::DType::kF16;
};

// Per-step buffers: x, xb: [n_batch, n_embd]; q: [n_batch, q_dim]; k: [n_batch, kv_dim];
// v: [n_batch, v_dim]; attn: [n_batch, n_head * head_dim_v]; gate, up: [n_batch, n_ff].
struct Activations {
  std::vector<float> x, xb, q, k, v, attn, gate, up;
  std::vector<int32_t> pos;
  MoeScratch moe;                         // mixture-of-experts models only
  std::vector<float> lora_mid, lora_out;  // LoRA: A·x [n, r] and B·(A·x) [n, out]
};

class Context {
 public:
  static Result<std::unique_ptr<Context>> Create(const Model& model, const ContextParams& params,
                                                 ThreadPool& pool);

  // Evaluates `tokens` at positions [n_past(), n_past() + n), in steps of n_batch tokens.
  // Logits are written to *logits: [n, n_vocab] if all_logits, else the last token's [n_vocab].
  // Errors: no tokens or a token id outside the vocabulary (kInvalidArgument), a context too small
  // for the tokens (kResourceExhausted: "context window full"), or a stop request (kCancelled,
  // checked between steps). On error, n_past() is left at the last completed step. Models without
  // an output head (embedding models such as BERT) yield kUnsupported.
  Status Decode(std::span<const TokenId> tokens, bool all_logits, std::vector<float>* logits,
                std::stop_token stop = {});

  // The embedding of `tokens`, evaluated on their own from position 0: the last hidden states
  // (after the final norm, where the model has one), pooled, then through the model's dense
  // projections if any (gemma-embedding). *out is [n_embd] for kMean, kCls (token 0)
  // and kLast, and [n, n_embd] for kNone; with `normalize` each vector is scaled to unit L2
  // norm. Pass model().config().pooling for the model's own choice. The tokens are evaluated
  // in one batch, so n must not exceed n_batch (kInvalidArgument); the other errors are
  // Decode's, plus kInvalidArgument beyond the model's position embeddings (BERT: 512). The
  // cache is cleared first, and left empty (n_past() == 0) afterwards.
  Status Embed(std::span<const TokenId> tokens, Pooling pooling, bool normalize,
               std::vector<float>* out, std::stop_token stop = {});

  size_t n_past() const { return kv_.n_used(); }
  size_t n_ctx() const { return params_.n_ctx; }
  // Keeps the first n positions (n <= n_past()) so a shared prompt prefix is reused.
  void Truncate(size_t n) { kv_.Truncate(n); }
  const Model& model() const { return model_; }

 private:
  Context(const Model& model, const ContextParams& params, ThreadPool& pool, KvCache kv);
  // Checks token ids and that n_past() + n positions fit the cache and the model.
  Status CheckTokens(std::span<const TokenId> tokens) const;
  // One forward step over n <= n_batch tokens at positions [n_past(), n_past() + n). Returns the
  // final hidden states [n, n_embd] (after output_norm if the model has one), in act_.
  const float* Forward(const TokenId* tokens, size_t n);
  // logits: [n, n_vocab] of hidden: [n, n_embd], with the final softcap if any.
  void Logits(const float* hidden, size_t n, float* logits);
  // y = w·x for n rows of x, plus the LoRA adapter's term when `lora` is set.
  void Project(const kernels::QMatrix& w, const LoraPair* lora, const float* x, size_t n,
               float* y) {
    ProjectWithLora(w, lora, x, n, y, act_.lora_mid, act_.lora_out, pool_);
  }

  const Model& model_;
  ContextParams params_;
  ThreadPool& pool_;
  KvCache kv_;
  Activations act_;
};

}  // namespace olla::engine
