// Top-k: keep the k most likely candidates.
#include <algorithm>

#include "sampling/stages.h"

namespace olla::sampling {

void TopK(Candidates& c, int32_t k) {
  if (k <= 0) return;
  const size_t keep = std::min(static_cast<size_t>(k), c.size());
  if (!c.sorted) {
    // A partial sort costs O(n log k): the vocabulary is large and k usually small.
    std::partial_sort(c.data.begin(), c.data.begin() + static_cast<std::ptrdiff_t>(keep),
                      c.data.end(), Before);
  }
  c.data.resize(keep);
  c.sorted = true;
}

}  // namespace olla::sampling
