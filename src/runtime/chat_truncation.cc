#include "runtime/chat_truncation.h"

namespace olla::runtime {

namespace {
bool Droppable(const std::vector<chat::Message>& messages, size_t idx) {
  return idx + 1 < messages.size() && messages[idx].role != "system";
}
}  // namespace

size_t DroppableMessages(const std::vector<chat::Message>& messages) {
  size_t n = 0;
  for (size_t idx = 0; idx < messages.size(); ++idx) n += Droppable(messages, idx);
  return n;
}

std::vector<chat::Message> DropOldestMessages(const std::vector<chat::Message>& messages,
                                              size_t n) {
  std::vector<chat::Message> out;
  out.reserve(messages.size() - n);
  for (size_t idx = 0; idx < messages.size(); ++idx) {
    if (n > 0 && Droppable(messages, idx)) {
      --n;
      continue;
    }
    out.push_back(messages[idx]);
  }
  return out;
}

Result<size_t> MessagesToDrop(size_t max_drop, size_t num_ctx, const PromptSizeFn& prompt_size) {
  OLLA_ASSIGN_OR_RETURN(size_t whole, prompt_size(0));
  if (whole < num_ctx) return size_t{0};
  // Invariant: dropping `too_few` does not fit; dropping `enough` fits, or enough == max_drop
  // (the last resort: the remaining messages are sent as they are).
  size_t too_few = 0, enough = max_drop;
  while (enough - too_few > 1) {
    const size_t mid = too_few + (enough - too_few) / 2;
    OLLA_ASSIGN_OR_RETURN(size_t size, prompt_size(mid));
    if (size < num_ctx)
      enough = mid;
    else
      too_few = mid;
  }
  return enough;
}

}  // namespace olla::runtime
