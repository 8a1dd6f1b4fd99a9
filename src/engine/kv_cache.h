#pragma once
// KvCache: keys and values of one sequence, one row per position for every layer, in F32, F16
// (the default, as Ollama) or Q8_0 (half of F16's memory; OLLAMA_KV_CACHE_TYPE=q8_0). Positions [0,
// n_used) are filled; Truncate keeps a prefix so the next request that shares it skips recomputing
// it. Not thread-safe.

#include <cstdint>
#include <vector>

#include "base/status.h"
#include "engine/model_config.h"
#include "kernels/attention.h"
#include "tensor/dtype.h"

namespace olla::engine {

class KvCache {
 public:
  // Fails with kInvalidArgument for an unsupported type (see SupportsType) and kResourceExhausted
  // if the allocation is impossible.
  static Result<KvCache> Create(const ModelConfig& cfg, size_t n_ctx, tensor::DType type);
  // F32 and F16 always; Q8_0 where every head's keys and values are whole blocks of 32.
  static bool SupportsType(const ModelConfig& cfg, tensor::DType type);
  // Bytes the cache of one position takes over all layers.
  static size_t BytesPerPosition(const ModelConfig& cfg, tensor::DType type);

  size_t n_ctx() const { return n_ctx_; }
  size_t n_used() const { return n_used_; }
  tensor::DType type() const { return type_; }
  size_t bytes() const { return k_.size() + v_.size(); }

  // Writes k: [n, kv_dim] and v: [n, v_dim] of layer `layer` at positions [pos, pos + n).
  // The caller has checked pos + n <= n_ctx().
  void Store(size_t layer, size_t pos, size_t n, const float* k, const float* v);
  // Marks positions [0, n) as filled (after every layer stored them).
  void SetUsed(size_t n) { n_used_ = n; }
  // Forgets positions >= n.
  void Truncate(size_t n) {
    if (n < n_used_) n_used_ = n;
  }
  // The layer's cache for attention over positions [0, n_kv).
  kernels::KvView View(size_t layer, size_t n_kv) const;

 private:
  size_t n_ctx_ = 0, n_used_ = 0, kv_dim_ = 0, v_dim_ = 0, k_row_bytes_ = 0, v_row_bytes_ = 0;
  tensor::DType type_ = tensor::DType::kF16;
  std::vector<uint8_t> k_, v_;  // [n_layer, n_ctx, k_row_bytes_] and [n_layer, n_ctx, v_row_bytes_]
};

}  // namespace olla::engine
