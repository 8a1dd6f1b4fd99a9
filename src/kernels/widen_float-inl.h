// F32, F16 and BF16 weights widened to F32, one vector or one value at a time: shared by the
// dot-product kernels (dot_float-inl.h) and the batch GEMM (gemm_float-inl.h).

#if defined(OLLA_KERNELS_WIDEN_FLOAT_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef OLLA_KERNELS_WIDEN_FLOAT_INL_H_
#undef OLLA_KERNELS_WIDEN_FLOAT_INL_H_
#else
#define OLLA_KERNELS_WIDEN_FLOAT_INL_H_
#endif

#include <cstdint>
#include <cstring>

#include "hwy/highway.h"
#include "tensor/half.h"

HWY_BEFORE_NAMESPACE();
namespace olla {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <class DF>
HWY_INLINE hn::Vec<DF> LoadWeights(DF df, const float* p) {
  return hn::LoadU(df, p);
}
template <class DF>
HWY_INLINE hn::Vec<DF> LoadWeights(DF df, const hwy::float16_t* p) {
  return hn::PromoteTo(df, hn::LoadU(hn::Rebind<hwy::float16_t, DF>(), p));
}
template <class DF>
HWY_INLINE hn::Vec<DF> LoadWeights(DF df, const hwy::bfloat16_t* p) {
  return hn::PromoteTo(df, hn::LoadU(hn::Rebind<hwy::bfloat16_t, DF>(), p));
}
HWY_INLINE float WeightToF32(float w) { return w; }
HWY_INLINE float WeightToF32(hwy::float16_t w) {
  uint16_t bits;
  std::memcpy(&bits, &w, 2);
  return tensor::F16ToF32(bits);
}
HWY_INLINE float WeightToF32(hwy::bfloat16_t w) {
  uint16_t bits;
  std::memcpy(&bits, &w, 2);
  return tensor::BF16ToF32(bits);
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace olla
HWY_AFTER_NAMESPACE();

#endif  // include guard
