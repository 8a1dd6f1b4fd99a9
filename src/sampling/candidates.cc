#include "sampling/candidates.h"

#include <algorithm>
#include <bit>
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

void FillCandidatesFromBits(std::span<const float> logits, std::span<const uint64_t> allowed_bits,
                            Candidates& out) {
  OLLA_CHECK(allowed_bits.size() == (logits.size() + 63) / 64);
  out.data.clear();
  out.sorted = false;
  constexpr float kMax = std::numeric_limits<float>::max();
  for (size_t w = 0; w < allowed_bits.size(); ++w) {
    for (uint64_t bits = allowed_bits[w]; bits != 0; bits &= bits - 1) {
      const size_t i = w * 64 + static_cast<size_t>(std::countr_zero(bits));
      if (i >= logits.size()) break;  // stray bits past the vocabulary
      float logit = logits[i];
      if (std::isnan(logit) || logit == -std::numeric_limits<float>::infinity()) continue;
      if (logit > kMax) logit = kMax;
      out.data.push_back({static_cast<int32_t>(i), logit, 0.0f});
    }
  }
}

void SortCandidates(Candidates& c) {
  if (c.sorted) return;
  std::sort(c.data.begin(), c.data.end(), Before);
  c.sorted = true;
}

}  // namespace olla::sampling
