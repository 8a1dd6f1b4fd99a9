#pragma once
// Multi-head attention of a batch of queries over a KV cache, causal or not (grouped-query: query
// head h reads KV head h / (n_head / n_head_kv)). The cache holds one row per position with all KV
// heads side by side, in F32, F16 or Q8_0 (blocks of 32 never straddle heads: head dims are
// multiples of 32); with F16, queries and probabilities are rounded to F16 before their products,
// as ggml's mul_mat does, so results match an F16-cache llama.cpp closely.

#include <cstddef>
#include <cstdint>

#include "base/thread_pool.h"
#include "tensor/dtype.h"

namespace olla::kernels {

struct KvView {
  tensor::DType type = tensor::DType::kF32;  // kF32, kF16 or kQ8_0
  const uint8_t* k = nullptr;                // [n_kv, n_head_kv * head_dim]
  const uint8_t* v = nullptr;                // [n_kv, n_head_kv * head_dim_v]
  size_t n_kv = 0;                           // positions 0..n_kv-1 are valid
};

// Bytes of one cache row of n_elems elements of `type` (kF32, kF16 or kQ8_0).
inline size_t KvRowBytes(tensor::DType type, size_t n_elems) {
  return type == tensor::DType::kQ8_0 ? n_elems / 32 * 34
                                      : n_elems * (type == tensor::DType::kF16 ? 2 : 4);
}

struct AttentionParams {
  size_t n_head = 0, n_head_kv = 0, head_dim = 0, head_dim_v = 0;
  float scale = 1.0f;    // multiplies q·k
  float softcap = 0.0f;  // if > 0: s = softcap * tanh(s / softcap) after scaling
  size_t window = 0;     // if > 0: a query at p sees keys k only where |p - k| < window
  bool causal = true;    // false: every query sees all n_kv keys (encoders), before and after it
  // Attention sinks (gpt-oss), [n_head] or null: head h's softmax denominator gets an extra
  // exp(sinks[h]), a "key" with that score and a zero value.
  const float* sinks = nullptr;
};

// q: [n_tok, n_head, head_dim]; pos[t]: the position of query t (if causal, it sees keys
// 0..pos[t]); out: [n_tok, n_head, head_dim_v]. Heads are split across the pool. Without
// causality a window is symmetric, keys after the query counting their distance too (encoders
// with sliding-window layers: gemma-embedding).
void Attention(const float* q, size_t n_tok, const int32_t* pos, const KvView& kv,
               const AttentionParams& p, float* out, ThreadPool& pool);

}  // namespace olla::kernels
