// Greedy decoding: the argmax, first index on ties.
#include <algorithm>

#include "sampling/stages.h"

namespace olla::sampling {

int32_t Greedy(const Candidates& c) {
  if (c.empty()) return -1;
  if (c.sorted) return c.data.front().id;
  return std::min_element(c.data.begin(), c.data.end(), Before)->id;
}

}  // namespace olla::sampling
