// Reference quantizer of MXFP4, following ggml's quantize_row_mxfp4_ref (which llama-quantize runs
// for MXFP4 with or without an importance matrix): per 32-element block the shared exponent puts
// the block's largest magnitude into the top binade of E2M1 (4 <= amax / 2^(e-127) < 8, so it
// codes as 4 or 6, or saturates at 6), and every element takes the nearest of the 16 levels.

#include <cmath>

#include "tensor/quantize.h"
#include "tensor/quantize_internal.h"

namespace olla::tensor {
namespace {

// Index of the level nearest to x at half-scale d; ties (and NaN) go to the lowest index, so
// they round toward zero and -0 becomes +0, as ggml's best_index_mxfp4 (a linear scan).
int BestIndex(float x, float d) {
  int best = 0;
  float best_err = std::fabs(static_cast<float>(kMXFP4Values[0]) * d - x);
  for (int i = 1; i < 16; ++i) {
    const float err = std::fabs(static_cast<float>(kMXFP4Values[i]) * d - x);
    if (err < best_err) {
      best = i;
      best_err = err;
    }
  }
  return best;
}

// ggml computes e = (uint8_t)(floorf(log2f(amax)) - 2 + 127), a cast that C leaves undefined
// below amax = 2^-125 (and for amax = inf). On x86, where llama-quantize runs, the float goes
// through a 32-bit integer whose low byte is kept: e wraps to 232..255 (the whole block then
// rounds to zero) and inf gives e = 0. TruncToInt reproduces that integer without the UB.
uint8_t SharedExponent(float amax) {
  if (!(amax > 0.0f)) return 0;
  const int e = internal::TruncToInt(std::floor(std::log2(amax)) - 2 + 127);
  return static_cast<uint8_t>(static_cast<uint32_t>(e) & 0xffu);
}

}  // namespace

void QuantizeRowMXFP4(const float* x, BlockMXFP4* y, size_t n) {
  for (size_t b = 0; b < n / kQK; ++b, x += kQK) {
    float amax = 0.0f;  // NaN elements never raise it, as in ggml
    for (int j = 0; j < kQK; ++j)
      if (amax < std::fabs(x[j])) amax = std::fabs(x[j]);
    y[b].e = SharedExponent(amax);
    const float d = E8M0ToF32Half(y[b].e);
    for (int j = 0; j < kQK / 2; ++j) {
      const int lo = BestIndex(x[j], d), hi = BestIndex(x[j + kQK / 2], d);
      y[b].qs[j] = static_cast<uint8_t>(lo | (hi << 4));
    }
  }
}

}  // namespace olla::tensor
