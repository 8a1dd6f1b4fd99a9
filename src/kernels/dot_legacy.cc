// Dispatch of the legacy-block kernels (bodies in dot_legacy-inl.h).

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/dot_legacy.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "kernels/dot_legacy-inl.h"

#if HWY_ONCE
namespace olla::kernels {
HWY_EXPORT(RowsQ4_0);
HWY_EXPORT(RowsQ4_1);
HWY_EXPORT(RowsQ5_0);
HWY_EXPORT(RowsQ5_1);
HWY_EXPORT(RowsQ8_0);
HWY_EXPORT(RowsIQ4_NL);
HWY_EXPORT(RowsMXFP4);

namespace internal {
namespace {
void DispatchQ4_0(const WeightRows& w, size_t r_begin, size_t r_end, const Acts& a, float* y,
                  size_t y_stride) {
  HWY_DYNAMIC_DISPATCH(RowsQ4_0)(w, r_begin, r_end, a, y, y_stride);
}
void DispatchQ4_1(const WeightRows& w, size_t r_begin, size_t r_end, const Acts& a, float* y,
                  size_t y_stride) {
  HWY_DYNAMIC_DISPATCH(RowsQ4_1)(w, r_begin, r_end, a, y, y_stride);
}
void DispatchQ5_0(const WeightRows& w, size_t r_begin, size_t r_end, const Acts& a, float* y,
                  size_t y_stride) {
  HWY_DYNAMIC_DISPATCH(RowsQ5_0)(w, r_begin, r_end, a, y, y_stride);
}
void DispatchQ5_1(const WeightRows& w, size_t r_begin, size_t r_end, const Acts& a, float* y,
                  size_t y_stride) {
  HWY_DYNAMIC_DISPATCH(RowsQ5_1)(w, r_begin, r_end, a, y, y_stride);
}
void DispatchQ8_0(const WeightRows& w, size_t r_begin, size_t r_end, const Acts& a, float* y,
                  size_t y_stride) {
  HWY_DYNAMIC_DISPATCH(RowsQ8_0)(w, r_begin, r_end, a, y, y_stride);
}
void DispatchIQ4_NL(const WeightRows& w, size_t r_begin, size_t r_end, const Acts& a, float* y,
                    size_t y_stride) {
  HWY_DYNAMIC_DISPATCH(RowsIQ4_NL)(w, r_begin, r_end, a, y, y_stride);
}
void DispatchMXFP4(const WeightRows& w, size_t r_begin, size_t r_end, const Acts& a, float* y,
                   size_t y_stride) {
  HWY_DYNAMIC_DISPATCH(RowsMXFP4)(w, r_begin, r_end, a, y, y_stride);
}
}  // namespace

RowsKernel HighwayLegacyRowsKernel(tensor::DType type) {
  switch (type) {
    case tensor::DType::kQ4_0:
      return DispatchQ4_0;
    case tensor::DType::kQ4_1:
      return DispatchQ4_1;
    case tensor::DType::kQ5_0:
      return DispatchQ5_0;
    case tensor::DType::kQ5_1:
      return DispatchQ5_1;
    case tensor::DType::kQ8_0:
      return DispatchQ8_0;
    case tensor::DType::kIQ4_NL:
      return DispatchIQ4_NL;
    case tensor::DType::kMXFP4:
      return DispatchMXFP4;
    default:
      return nullptr;
  }
}
}  // namespace internal
}  // namespace olla::kernels
#endif  // HWY_ONCE
