#pragma once
// Embeddings of /api/embed and /api/embeddings (spec §3.6, §3.7) with the pooling the model
// calls for.

#include <cstddef>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "runtime/scheduler.h"

namespace olla::runtime {

// The embedding of `text` by the leased model: pooled as its metadata says, or, for decoder
// models (no pooling type), the last token's hidden state. The rest as Sequence::Embed.
Result<std::vector<float>> EmbedText(const Lease& lease, std::string_view text, bool normalize,
                                     size_t truncate_to, size_t* n_tokens);

}  // namespace olla::runtime
