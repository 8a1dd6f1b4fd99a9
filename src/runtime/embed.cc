#include "runtime/embed.h"

namespace olla::runtime {

Result<std::vector<float>> EmbedText(const Lease& lease, std::string_view text, bool normalize,
                                     size_t truncate_to, size_t* n_tokens) {
  const engine::Pooling pooling = lease.model().config().pooling;
  return lease.sequence().Embed(
      text, pooling == engine::Pooling::kNone ? engine::Pooling::kLast : pooling, normalize,
      truncate_to, n_tokens);
}

}  // namespace olla::runtime
