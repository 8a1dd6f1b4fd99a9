// Dispatch of the float-weight kernels (bodies in dot_float-inl.h).

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/dot_float.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "kernels/dot_float-inl.h"

#if HWY_ONCE
namespace olla::kernels {
HWY_EXPORT(RowsF32);
HWY_EXPORT(RowsF16);
HWY_EXPORT(RowsBF16);

namespace internal {
namespace {
void DispatchF32(const WeightRows& w, size_t r_begin, size_t r_end, const Acts& a, float* y,
                 size_t y_stride) {
  HWY_DYNAMIC_DISPATCH(RowsF32)(w, r_begin, r_end, a, y, y_stride);
}
void DispatchF16(const WeightRows& w, size_t r_begin, size_t r_end, const Acts& a, float* y,
                 size_t y_stride) {
  HWY_DYNAMIC_DISPATCH(RowsF16)(w, r_begin, r_end, a, y, y_stride);
}
void DispatchBF16(const WeightRows& w, size_t r_begin, size_t r_end, const Acts& a, float* y,
                  size_t y_stride) {
  HWY_DYNAMIC_DISPATCH(RowsBF16)(w, r_begin, r_end, a, y, y_stride);
}
}  // namespace

RowsKernel HighwayFloatRowsKernel(tensor::DType type) {
  switch (type) {
    case tensor::DType::kF32:
      return DispatchF32;
    case tensor::DType::kF16:
      return DispatchF16;
    case tensor::DType::kBF16:
      return DispatchBF16;
    default:
      return nullptr;
  }
}
}  // namespace internal
}  // namespace olla::kernels
#endif  // HWY_ONCE
