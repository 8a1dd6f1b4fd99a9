#include "engine/kv_cache.h"

#include <cstring>
#include <new>

#include "base/checked_math.h"
#include "base/str_cat.h"
#include "tensor/blocks.h"
#include "tensor/half.h"
#include "tensor/quantize.h"

namespace olla::engine {

Result<KvCache> KvCache::Create(const ModelConfig& cfg, size_t n_ctx, tensor::DType type) {
  if (!SupportsType(cfg, type))
    return Status::InvalidArgument(StrCat("unsupported KV cache type ", tensor::Name(type),
                                          type == tensor::DType::kQ8_0
                                              ? " for head dimensions that are not multiples of 32"
                                              : " (use f16, f32 or q8_0)"));
  KvCache c;
  c.n_ctx_ = n_ctx;
  c.type_ = type;
  c.k_row_bytes_ = kernels::KvRowBytes(type, cfg.kv_dim());
  c.v_row_bytes_ = kernels::KvRowBytes(type, cfg.v_dim());
  c.kv_dim_ = cfg.kv_dim();
  c.v_dim_ = cfg.v_dim();
  // n_ctx comes from a request and the model's metadata: a product that wraps would allocate a
  // small buffer that Store() then writes past.
  const auto k_bytes = CheckedProduct({cfg.n_layer, n_ctx, c.k_row_bytes_});
  const auto v_bytes = CheckedProduct({cfg.n_layer, n_ctx, c.v_row_bytes_});
  if (!k_bytes || !v_bytes || !CheckedAdd(*k_bytes, *v_bytes))
    return Status::ResourceExhausted(StrCat("cannot allocate a KV cache of ", n_ctx, " positions"));
  try {
    c.k_.resize(*k_bytes);
    c.v_.resize(*v_bytes);
  } catch (const std::bad_alloc&) {
    return Status::ResourceExhausted(StrCat("cannot allocate a KV cache of ", n_ctx, " positions"));
  }
  return c;
}

bool KvCache::SupportsType(const ModelConfig& cfg, tensor::DType type) {
  if (type == tensor::DType::kQ8_0) return cfg.head_dim % 32 == 0 && cfg.head_dim_v % 32 == 0;
  return type == tensor::DType::kF32 || type == tensor::DType::kF16;
}

size_t KvCache::BytesPerPosition(const ModelConfig& cfg, tensor::DType type) {
  return cfg.n_layer *
         (kernels::KvRowBytes(type, cfg.kv_dim()) + kernels::KvRowBytes(type, cfg.v_dim()));
}

void KvCache::Store(size_t layer, size_t pos, size_t n, const float* k, const float* v) {
  uint8_t* kd = k_.data() + (layer * n_ctx_ + pos) * k_row_bytes_;
  uint8_t* vd = v_.data() + (layer * n_ctx_ + pos) * v_row_bytes_;
  if (type_ == tensor::DType::kQ8_0) {  // rows are whole blocks: quantize them as one run
    tensor::QuantizeRowQ8_0(k, reinterpret_cast<tensor::BlockQ8_0*>(kd), n * kv_dim_);
    tensor::QuantizeRowQ8_0(v, reinterpret_cast<tensor::BlockQ8_0*>(vd), n * v_dim_);
    return;
  }
  if (type_ == tensor::DType::kF32) {
    std::memcpy(kd, k, n * kv_dim_ * 4);
    std::memcpy(vd, v, n * v_dim_ * 4);
    return;
  }
  auto* kh = reinterpret_cast<uint16_t*>(kd);
  auto* vh = reinterpret_cast<uint16_t*>(vd);
  for (size_t i = 0; i < n * kv_dim_; ++i) kh[i] = tensor::F32ToF16(k[i]);
  for (size_t i = 0; i < n * v_dim_; ++i) vh[i] = tensor::F32ToF16(v[i]);
}

kernels::KvView KvCache::View(size_t layer, size_t n_kv) const {
  kernels::KvView view;
  view.type = type_;
  view.k = k_.data() + layer * n_ctx_ * k_row_bytes_;
  view.v = v_.data() + layer * n_ctx_ * v_row_bytes_;
  view.n_kv = n_kv;
  return view;
}

}  // namespace olla::engine
