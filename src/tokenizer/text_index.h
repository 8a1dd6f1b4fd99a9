#pragma once
// TextIndex: text → id lookup over strings owned elsewhere, as one flat open-addressing table
// (linear probing, power-of-two capacity, full hashes stored). Vocabularies do hundreds of
// thousands of lookups while building BPE merge tables, and std::unordered_map's node chasing
// made that the slowest part of loading a vocabulary.

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

namespace olla::tokenizer {

class TextIndex {
 public:
  // Prepares for about `n` keys (the table never grows past 50% load before rehashing).
  void Reserve(size_t n) {
    size_t capacity = 16;
    while (capacity < 2 * n) capacity *= 2;
    if (capacity > slots_.size()) Rehash(capacity);
  }

  // Maps `text` to `id`, replacing an existing mapping. `text` must outlive the index.
  void Insert(std::string_view text, int32_t id) {
    if (2 * (size_ + 1) > slots_.size()) Rehash(slots_.empty() ? 16 : 2 * slots_.size());
    uint64_t hash = Hash(text);
    for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
      Slot& slot = slots_[i];
      if (slot.id < 0) {
        slot = {hash, text, id};
        ++size_;
        return;
      }
      if (slot.hash == hash && slot.text == text) {
        slot.id = id;
        return;
      }
    }
  }

  // The id of `text`, or -1.
  int32_t Find(std::string_view text) const {
    if (slots_.empty()) return -1;
    uint64_t hash = Hash(text);
    for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
      const Slot& slot = slots_[i];
      if (slot.id < 0) return -1;
      if (slot.hash == hash && slot.text == text) return slot.id;
    }
  }

  size_t size() const { return size_; }

 private:
  struct Slot {
    uint64_t hash = 0;
    std::string_view text;
    int32_t id = -1;  // -1: empty
  };

  static uint64_t Hash(std::string_view text) { return std::hash<std::string_view>{}(text); }

  void Rehash(size_t capacity) {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
    for (const Slot& slot : old) {
      if (slot.id < 0) continue;
      for (size_t i = slot.hash & mask_;; i = (i + 1) & mask_) {
        if (slots_[i].id < 0) {
          slots_[i] = slot;
          break;
        }
      }
    }
  }

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace olla::tokenizer
