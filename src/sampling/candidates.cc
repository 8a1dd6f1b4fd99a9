#include "sampling/candidates.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "base/check.h"

namespace olla::sampling {

void FillCandidates(std::span<const float> logits, std::span<const uint8_t> allowed,
                    Candidates& out) {
  OLLA_CHECK(allowed.empty() || allowed.size() == logits.size());
  out.data.clear();
  out.sorted = false;
  constexpr float kMax = std::numeric_limits<float>::max();
  for (size_t i = 0; i < logits.size(); ++i) {
    if (!allowed.empty() && allowed[i] == 0) continue;
    float logit = logits[i];
    // A dropped token is exactly a token of probability 0; keeping -inf entries would only feed
    // NaN (0 * log 0, inf - inf) into the softmax and entropy of later stages.
    if (std::isnan(logit) || logit == -std::numeric_limits<float>::infinity()) continue;
    if (logit > kMax) logit = kMax;
    out.data.push_back({static_cast<int32_t>(i), logit, 0.0f});
  }
}

void SortCandidates(Candidates& c) {
  if (c.sorted) return;
  std::sort(c.data.begin(), c.data.end(), Before);
  c.sorted = true;
}

}  // namespace olla::sampling
