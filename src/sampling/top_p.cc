// Nucleus (top-p) sampling (Holtzman et al. 2019): keep the most likely tokens until their
// probability mass reaches p.
#include "sampling/stages.h"

namespace olla::sampling {

void TopP(Candidates& c, float p) {
  if (p >= 1.0f || c.empty()) return;
  SortCandidates(c);
  Softmax(c);
  // Accumulate in double: with a 150k vocabulary and no top_k, float sums drift by ~1e-4.
  double cum = 0.0;
  size_t keep = c.size();
  for (size_t i = 0; i < c.size(); ++i) {
    cum += c.data[i].p;
    if (cum >= p) {
      keep = i + 1;
      break;
    }
  }
  c.data.resize(keep);
}

}  // namespace olla::sampling
