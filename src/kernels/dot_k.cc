// Dispatch of the k-quant kernels (bodies in dot_k-inl.h).

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/dot_k.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "kernels/dot_k-inl.h"

#if HWY_ONCE
namespace olla::kernels {
HWY_EXPORT(RowsQ2_K);
HWY_EXPORT(RowsQ3_K);
HWY_EXPORT(RowsQ4_K);
HWY_EXPORT(RowsQ5_K);
HWY_EXPORT(RowsQ6_K);
HWY_EXPORT(RowsIQ4_XS);

namespace internal {
namespace {
void DispatchQ2_K(const WeightRows& w, size_t r_begin, size_t r_end, const Acts& a, float* y,
                  size_t y_stride) {
  HWY_DYNAMIC_DISPATCH(RowsQ2_K)(w, r_begin, r_end, a, y, y_stride);
}
void DispatchQ3_K(const WeightRows& w, size_t r_begin, size_t r_end, const Acts& a, float* y,
                  size_t y_stride) {
  HWY_DYNAMIC_DISPATCH(RowsQ3_K)(w, r_begin, r_end, a, y, y_stride);
}
void DispatchQ4_K(const WeightRows& w, size_t r_begin, size_t r_end, const Acts& a, float* y,
                  size_t y_stride) {
  HWY_DYNAMIC_DISPATCH(RowsQ4_K)(w, r_begin, r_end, a, y, y_stride);
}
void DispatchQ5_K(const WeightRows& w, size_t r_begin, size_t r_end, const Acts& a, float* y,
                  size_t y_stride) {
  HWY_DYNAMIC_DISPATCH(RowsQ5_K)(w, r_begin, r_end, a, y, y_stride);
}
void DispatchQ6_K(const WeightRows& w, size_t r_begin, size_t r_end, const Acts& a, float* y,
                  size_t y_stride) {
  HWY_DYNAMIC_DISPATCH(RowsQ6_K)(w, r_begin, r_end, a, y, y_stride);
}
void DispatchIQ4_XS(const WeightRows& w, size_t r_begin, size_t r_end, const Acts& a, float* y,
                    size_t y_stride) {
  HWY_DYNAMIC_DISPATCH(RowsIQ4_XS)(w, r_begin, r_end, a, y, y_stride);
}
}  // namespace

RowsKernel HighwayKRowsKernel(tensor::DType type) {
  switch (type) {
    case tensor::DType::kQ2_K:
      return DispatchQ2_K;
    case tensor::DType::kQ3_K:
      return DispatchQ3_K;
    case tensor::DType::kQ4_K:
      return DispatchQ4_K;
    case tensor::DType::kQ5_K:
      return DispatchQ5_K;
    case tensor::DType::kQ6_K:
      return DispatchQ6_K;
    case tensor::DType::kIQ4_XS:
      return DispatchIQ4_XS;
    default:
      return nullptr;
  }
}
}  // namespace internal
}  // namespace olla::kernels
#endif  // HWY_ONCE
