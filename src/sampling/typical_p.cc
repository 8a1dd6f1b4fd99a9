// Locally typical sampling (Meister et al., "Locally Typical Sampling", 2022), as llama.cpp's
// typical sampler: keep the tokens whose information content -log p is closest to the expected
// information (the entropy) until their mass exceeds p.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "sampling/stages.h"

namespace olla::sampling {

void TypicalP(Candidates& c, float p) {
  if (p >= 1.0f || c.empty()) return;
  SortCandidates(c);  // so ties in typicality fall back to likelihood order
  Softmax(c);

  double entropy = 0.0;
  for (const TokenData& cand : c.data) {
    if (cand.p > 0.0f)
      entropy -= static_cast<double>(cand.p) * std::log(static_cast<double>(cand.p));
  }
  std::vector<double> shifted(c.size());
  for (size_t i = 0; i < c.size(); ++i) {
    // p can underflow to 0 for far-away logits: such a token is maximally atypical.
    const double p_i = c.data[i].p;
    shifted[i] = p_i > 0.0 ? std::fabs(-std::log(p_i) - entropy) : HUGE_VAL;
  }
  std::vector<size_t> order(c.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return shifted[a] < shifted[b]; });

  // The shortest typicality-ordered prefix whose mass exceeds p (strictly, as llama.cpp does),
  // and at least one token.
  double cum = 0.0;
  size_t keep = order.size();
  for (size_t i = 0; i < order.size(); ++i) {
    cum += c.data[order[i]].p;
    if (cum > p) {
      keep = i + 1;
      break;
    }
  }
  std::vector<TokenData> kept(keep);
  for (size_t i = 0; i < keep; ++i) kept[i] = c.data[order[i]];
  c.data.assign(kept.begin(), kept.end());
  c.sorted = false;
}

}  // namespace olla::sampling
