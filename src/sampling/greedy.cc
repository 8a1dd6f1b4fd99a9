// Greedy decoding: the argmax, first index on ties.
#include <algorithm>
#include <limits>

#include "sampling/stages.h"

namespace olla::sampling {

int32_t Greedy(const Candidates& c) {
  if (c.empty()) return -1;
  if (c.sorted) return c.data.front().id;
  return std::min_element(c.data.begin(), c.data.end(), Before)->id;
}

namespace {

// The largest of x[0, n) that is not NaN (-inf if none). Independent lanes so the compiler
// vectorizes it: `v > m ? v : m` is one maxps, which skips NaN as the comparison does.
float BlockMax(const float* x, size_t n) {
  constexpr size_t kLanes = 16;
  float lane[kLanes];
  std::fill(lane, lane + kLanes, -std::numeric_limits<float>::infinity());
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (size_t k = 0; k < kLanes; ++k) lane[k] = x[i + k] > lane[k] ? x[i + k] : lane[k];
  }
  for (; i < n; ++i) lane[0] = x[i] > lane[0] ? x[i] : lane[0];
  float m = lane[0];
  for (size_t k = 1; k < kLanes; ++k) m = lane[k] > m ? lane[k] : m;
  return m;
}

}  // namespace

// FillCandidates() drops NaN and -inf and clamps +inf to the largest float: the best logit is
// the largest non-NaN value, and the answer the first token that has it. One pass keeps each
// block's maximum; only the first block holding the best is scanned for its index.
int32_t GreedyFromLogits(std::span<const float> logits) {
  constexpr float kMax = std::numeric_limits<float>::max();
  constexpr float kInf = std::numeric_limits<float>::infinity();
  constexpr size_t kBlock = 256;
  const float* x = logits.data();
  const size_t n = logits.size();
  float best = -kInf;
  size_t from = 0;
  for (size_t b = 0; b < n; b += kBlock) {
    const float m = BlockMax(x + b, std::min(kBlock, n - b));
    if (m > best) best = m, from = b;
  }
  if (best == -kInf) return -1;
  // +inf counts as the largest float, so it ties with an earlier one: scan from the start.
  if (best == kInf) best = kMax, from = 0;
  for (size_t i = from; i < n; ++i) {
    if (std::min(x[i], kMax) == best) return static_cast<int32_t>(i);
  }
  return -1;  // unreachable: `best` came from the logits
}

}  // namespace olla::sampling
