// Temperature: logits / T sharpens (T < 1) or flattens (T > 1) the distribution.
#include <algorithm>
#include <limits>

#include "sampling/stages.h"

namespace olla::sampling {

void ApplyTemperature(Candidates& c, float temperature) {
  if (c.empty()) return;
  if (temperature <= 0.0f) {
    // The limit T -> 0 is the argmax; dividing by 0 would give inf - inf in the softmax.
    const TokenData only = *std::min_element(c.data.begin(), c.data.end(), Before);
    c.data.assign(1, only);
    c.sorted = true;
    return;
  }
  if (temperature == 1.0f) return;
  // Clamped so a tiny temperature cannot overflow to inf (and inf - inf = NaN in the softmax).
  constexpr float kMax = std::numeric_limits<float>::max();
  for (TokenData& cand : c.data) cand.logit = std::clamp(cand.logit / temperature, -kMax, kMax);
}

}  // namespace olla::sampling
