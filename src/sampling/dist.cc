// The final draw: one token from the softmax of the surviving candidates (llama.cpp's dist).
#include "sampling/stages.h"

namespace olla::sampling {

int32_t Draw(Candidates& c, Pcg32& rng) {
  if (c.empty()) return -1;
  Softmax(c);
  double total = 0.0;
  for (const TokenData& cand : c.data) total += cand.p;
  // Inverse-CDF sampling. Scaling u by the actual total (≈ 1) keeps float rounding of the p's
  // from biasing the last candidate.
  const double target = rng.NextDouble() * total;
  double cum = 0.0;
  int32_t last_nonzero = c.data.front().id;
  for (const TokenData& cand : c.data) {
    if (cand.p <= 0.0f) continue;
    cum += cand.p;
    last_nonzero = cand.id;
    if (target < cum) return cand.id;
  }
  return last_nonzero;  // target landed on the rounding gap at the very top
}

}  // namespace olla::sampling
