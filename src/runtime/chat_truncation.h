#pragma once
// Chat truncation (spec §10.6): when a conversation's prompt does not fit in the context window,
// the oldest messages other than system messages are dropped, never the last one, until it fits.
// How many is found by a binary search over the count, so that a long chat is rendered
// O(log N) times rather than once per dropped message.

#include <cstddef>
#include <functional>
#include <vector>

#include "base/status.h"
#include "chat/messages.h"

namespace olla::runtime {

// How many messages truncation may drop: the non-system messages before the last one.
size_t DroppableMessages(const std::vector<chat::Message>& messages);

// `messages` without the first `n` droppable ones (n <= DroppableMessages(messages)).
std::vector<chat::Message> DropOldestMessages(const std::vector<chat::Message>& messages, size_t n);

// The prompt's token count with the first `n` droppable messages dropped.
using PromptSizeFn = std::function<Result<size_t>(size_t n)>;

// The smallest n in [0, max_drop] whose prompt has fewer than num_ctx tokens, or max_drop when
// none has: what dropping one message at a time gives, as long as a prompt does not grow when a
// message is dropped (true of templates). Calls prompt_size about log2(max_drop) + 1 times; its
// first error is returned.
Result<size_t> MessagesToDrop(size_t max_drop, size_t num_ctx, const PromptSizeFn& prompt_size);

}  // namespace olla::runtime
