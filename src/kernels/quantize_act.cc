// Dispatch of the activation quantizers (bodies in quantize_act-inl.h).

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/quantize_act.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "kernels/quantize_act-inl.h"

#if HWY_ONCE
#include "kernels/internal.h"

namespace olla::kernels {
HWY_EXPORT(QuantizeQ8_0Split);
HWY_EXPORT(QuantizeQ8_1Split);
HWY_EXPORT(QuantizeQ8_KSplit);
HWY_EXPORT(RoundF16);
HWY_EXPORT(RoundBF16);

namespace internal {
void QuantizeRowQ8_0(const float* x, size_t n, int8_t* qs, float* d, int32_t* qsum) {
  HWY_DYNAMIC_DISPATCH(QuantizeQ8_0Split)(x, n, qs, d, qsum);
}
void QuantizeRowQ8_1(const float* x, size_t n, int8_t* qs, float* d, float* s, int32_t* qsum) {
  HWY_DYNAMIC_DISPATCH(QuantizeQ8_1Split)(x, n, qs, d, s, qsum);
}
void QuantizeRowQ8_K(const float* x, size_t n, int8_t* qs, float* d, int16_t* bsums) {
  HWY_DYNAMIC_DISPATCH(QuantizeQ8_KSplit)(x, n, qs, d, bsums);
}
void RoundRowF16(const float* x, size_t n, float* y) { HWY_DYNAMIC_DISPATCH(RoundF16)(x, n, y); }
void RoundRowBF16(const float* x, size_t n, float* y) { HWY_DYNAMIC_DISPATCH(RoundBF16)(x, n, y); }
}  // namespace internal
}  // namespace olla::kernels
#endif  // HWY_ONCE
