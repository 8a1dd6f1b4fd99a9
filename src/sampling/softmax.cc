// Softmax over the candidates, numerically stable (shifted by the largest logit).
#include <algorithm>
#include <cmath>

#include "sampling/stages.h"

namespace olla::sampling {

void Softmax(Candidates& c) {
  if (c.empty()) return;
  float max_logit = c.data[0].logit;
  for (const TokenData& cand : c.data) max_logit = std::max(max_logit, cand.logit);
  double sum = 0.0;
  for (TokenData& cand : c.data) {
    cand.p = std::exp(cand.logit - max_logit);
    sum += cand.p;
  }
  // sum >= 1: the best candidate contributes exp(0).
  const double inv = 1.0 / sum;
  for (TokenData& cand : c.data) cand.p = static_cast<float>(cand.p * inv);
}

}  // namespace olla::sampling
