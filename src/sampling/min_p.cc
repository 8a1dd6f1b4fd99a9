// Min-p sampling (Nguyen et al. 2024): drop tokens less likely than p times the best token.
#include <algorithm>
#include <cmath>

#include "sampling/stages.h"

namespace olla::sampling {

void MinP(Candidates& c, float p) {
  if (p <= 0.0f || c.empty()) return;
  // p_i >= p * p_max  <=>  logit_i >= logit_max + log p, so no softmax is needed.
  const auto best = std::min_element(c.data.begin(), c.data.end(), Before);
  const float threshold = best->logit + std::log(p);
  if (best->logit < threshold) {  // p > 1: nothing qualifies; keep the best token alone
    const TokenData only = *best;
    c.data.assign(1, only);
    c.sorted = true;
    return;
  }
  std::erase_if(c.data, [threshold](const TokenData& t) { return t.logit < threshold; });
}

}  // namespace olla::sampling
