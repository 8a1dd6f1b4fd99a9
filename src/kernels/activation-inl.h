// Element-wise activations, vectorized with Highway (the scalar forms are in ops.cc's history:
// out = gate * sigmoid(gate) * up). Exp is Highway's (max error 1 ulp), as ggml's vectorized silu
// also approximates exp.

#if defined(OLLA_KERNELS_ACTIVATION_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef OLLA_KERNELS_ACTIVATION_INL_H_
#undef OLLA_KERNELS_ACTIVATION_INL_H_
#else
#define OLLA_KERNELS_ACTIVATION_INL_H_
#endif

#include <cmath>

#include "hwy/contrib/math/math-inl.h"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace olla {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// out[i] = gate[i] / (1 + exp(-gate[i])) * up[i]; out may alias gate or up.
HWY_NOINLINE void SwiGluRow(const float* gate, const float* up, float* out, size_t n) {
  const hn::ScalableTag<float> df;
  const size_t lanes = hn::Lanes(df);
  const auto one = hn::Set(df, 1.0f);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    const auto g = hn::LoadU(df, gate + i);
    // Exp is valid up to 104; exp(100) already overflows to inf, giving silu = -0 as std::exp.
    const auto e = hn::Exp(df, hn::Min(hn::Neg(g), hn::Set(df, 100.0f)));
    const auto silu = hn::Div(g, hn::Add(one, e));
    hn::StoreU(hn::Mul(silu, hn::LoadU(df, up + i)), df, out + i);
  }
  for (; i < n; ++i) out[i] = gate[i] / (1.0f + std::exp(-gate[i])) * up[i];
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace olla
HWY_AFTER_NAMESPACE();

#endif  // include guard
