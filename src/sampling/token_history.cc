#include "sampling/token_history.h"

#include <algorithm>

namespace olla::sampling {

TokenHistory::TokenHistory(int32_t window, int32_t n_vocab)
    : ring_(static_cast<size_t>(std::max(window, 0))),
      counts_(static_cast<size_t>(std::max(n_vocab, 0)), 0) {}

void TokenHistory::Push(int32_t id) {
  const int32_t cap = window();
  if (cap == 0) return;
  int32_t slot;
  if (size_ == cap) {  // full: overwrite the oldest and advance the head
    slot = head_;
    const int32_t evicted = ring_[static_cast<size_t>(slot)];
    if (Counted(evicted)) --counts_[static_cast<size_t>(evicted)];
    head_ = (head_ + 1) % cap;
  } else {
    slot = (head_ + size_) % cap;
    ++size_;
  }
  ring_[static_cast<size_t>(slot)] = id;
  if (Counted(id)) ++counts_[static_cast<size_t>(id)];
}

int32_t TokenHistory::Count(int32_t id) const {
  return Counted(id) ? counts_[static_cast<size_t>(id)] : 0;
}

void TokenHistory::Clear() {
  // Only the remembered tokens can have non-zero counts; clearing them is O(window).
  for (int32_t i = 0; i < size_; ++i) {
    const int32_t tok = ring_[static_cast<size_t>((head_ + i) % window())];
    if (Counted(tok)) counts_[static_cast<size_t>(tok)] = 0;
  }
  head_ = 0;
  size_ = 0;
}

}  // namespace olla::sampling
