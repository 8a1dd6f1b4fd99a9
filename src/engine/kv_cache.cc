#include "engine/kv_cache.h"

#include <cstring>
#include <new>

#include "base/str_cat.h"
#include "tensor/half.h"

namespace olla::engine {

Result<KvCache> KvCache::Create(const ModelConfig& cfg, size_t n_ctx, tensor::DType type) {
  if (type != tensor::DType::kF32 && type != tensor::DType::kF16)
    return Status::InvalidArgument(StrCat("unsupported KV cache type ", tensor::Name(type), " (use f16 or f32)"));
  KvCache c;
  c.n_ctx_ = n_ctx;
  c.type_ = type;
  c.elem_ = type == tensor::DType::kF16 ? 2 : 4;
  c.kv_dim_ = cfg.kv_dim();
  c.v_dim_ = cfg.v_dim();
  try {
    c.k_.resize(cfg.n_layer * n_ctx * c.kv_dim_ * c.elem_);
    c.v_.resize(cfg.n_layer * n_ctx * c.v_dim_ * c.elem_);
  } catch (const std::bad_alloc&) {
    return Status::ResourceExhausted(StrCat("cannot allocate a KV cache of ", n_ctx, " positions"));
  }
  return c;
}

void KvCache::Store(size_t layer, size_t pos, size_t n, const float* k, const float* v) {
  uint8_t* kd = k_.data() + (layer * n_ctx_ + pos) * kv_dim_ * elem_;
  uint8_t* vd = v_.data() + (layer * n_ctx_ + pos) * v_dim_ * elem_;
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
  view.k = k_.data() + layer * n_ctx_ * kv_dim_ * elem_;
  view.v = v_.data() + layer * n_ctx_ * v_dim_ * elem_;
  view.n_kv = n_kv;
  return view;
}

}  // namespace olla::engine
