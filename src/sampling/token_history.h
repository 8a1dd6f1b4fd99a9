#pragma once
// TokenHistory: the last `window` accepted tokens and how often each occurs among them; the
// penalty stage's memory (llama.cpp keeps the same ring buffer in its penalties sampler).

#include <cstddef>
#include <cstdint>
#include <vector>

namespace olla::sampling {

class TokenHistory {
 public:
  // `window`: how many recent tokens are remembered (<= 0 remembers none). `n_vocab`: ids in
  // [0, n_vocab) are counted; other ids take a slot in the window but are never counted.
  // Allocates the ring and a count per vocab entry once, here.
  TokenHistory(int32_t window, int32_t n_vocab);

  // Appends `id`, dropping the oldest token once the window is full.
  void Push(int32_t id);
  // Occurrences of `id` among the remembered tokens (0 for out-of-range ids).
  int32_t Count(int32_t id) const;
  // Tokens currently remembered, at most window().
  int32_t size() const { return size_; }
  int32_t window() const { return static_cast<int32_t>(ring_.size()); }
  void Clear();

 private:
  bool Counted(int32_t id) const { return id >= 0 && static_cast<size_t>(id) < counts_.size(); }

  std::vector<int32_t> ring_;    // [window]; ring_[(head_ + i) % window] is the i-th oldest
  std::vector<int32_t> counts_;  // [n_vocab]
  int32_t head_ = 0;
  int32_t size_ = 0;
};

}  // namespace olla::sampling
