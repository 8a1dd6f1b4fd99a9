// Dispatch of the vectorized element-wise ops (bodies in activation-inl.h).

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/activation.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "kernels/activation-inl.h"

#if HWY_ONCE
#include "kernels/ops.h"

namespace olla::kernels {
HWY_EXPORT(SwiGluRow);

void SwiGlu(const float* gate, const float* up, float* out, size_t n) {
  HWY_DYNAMIC_DISPATCH(SwiGluRow)(gate, up, out, n);
}

}  // namespace olla::kernels
#endif  // HWY_ONCE
