#pragma once
// TokenTrie: a model's vocabulary as a byte trie, built once per model and shared by every
// Matcher (immutable, thread-safe). Masking walks it so that a prefix shared by many tokens is
// matched once. Tokens are their detokenized bytes (SPM "▁" already turned into " ", byte
// tokens "<0x0A>" into the byte): the grammar layer never sees the tokenizer
// (docs/ARCHITECTURE.md).

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace olla::grammar {

enum class TokenKind : uint8_t {
  kText,             // allowed when its bytes continue the grammar (never when empty)
  kEndOfGeneration,  // allowed exactly when the grammar can be complete
  kExcluded,         // never allowed: control, unknown and unused tokens
};

class TokenTrie {
 public:
  // pieces: [n_vocab] token bytes; kinds: [n_vocab], or empty for all kText.
  TokenTrie(std::span<const std::string_view> pieces, std::span<const TokenKind> kinds = {});

  size_t n_vocab() const { return n_vocab_; }
  size_t n_nodes() const { return byte_.size(); }
  const std::vector<int32_t>& eog_tokens() const { return eog_; }
  // A hash of the pieces and kinds: equal content gives an equal fingerprint, so masks cached
  // for one trie are valid for an identical one.
  uint64_t fingerprint() const { return fingerprint_; }

  // The nodes in preorder; node 0 is the root (the empty prefix). Node i > 0 extends its parent
  // (the closest node before it with depth[i] - 1) by byte[i]; its subtree is
  // [i, subtree_end[i]) and tokens_at(i) are the tokens whose bytes end there.
  std::span<const uint8_t> bytes() const { return byte_; }
  std::span<const uint16_t> depths() const { return depth_; }
  std::span<const uint32_t> subtree_ends() const { return subtree_end_; }
  std::span<const int32_t> tokens_at(uint32_t node) const {
    return {token_ids_.data() + token_begin_[node], token_begin_[node + 1] - token_begin_[node]};
  }
  uint32_t token_count_at(uint32_t node) const {
    return token_begin_[node + 1] - token_begin_[node];
  }
  // All tokens in the subtree of `node` (contiguous, since nodes are in preorder).
  std::span<const int32_t> tokens_under(uint32_t node) const {
    const uint32_t b = token_begin_[node], e = token_begin_[subtree_end_[node]];
    return {token_ids_.data() + b, e - b};
  }
  // The ASCII bytes on the edges of the subtree of `node` (its own edge included) as a 128-bit
  // set; whether a byte >= 0x80 occurs there; whether some node of the subtree is not a prefix
  // of well-formed UTF-8 (read from the root). Lets a walk accept a whole subtree at once when
  // none of its characters changes the matcher's state.
  const std::array<uint64_t, 2>& subtree_ascii(uint32_t node) const { return sub_ascii_[node]; }
  bool subtree_has_non_ascii(uint32_t node) const { return (sub_flags_[node] & kNonAscii) != 0; }
  bool subtree_has_bad_utf8(uint32_t node) const { return (sub_flags_[node] & kBadUtf8) != 0; }
  // The longest path in bytes from the parent of `node` down through its subtree (>= 1).
  uint16_t subtree_height(uint32_t node) const { return sub_height_[node]; }

 private:
  size_t n_vocab_ = 0;
  std::vector<uint8_t> byte_;
  std::vector<uint16_t> depth_;  // pieces longer than 65535 bytes are excluded
  std::vector<uint32_t> subtree_end_;
  std::vector<uint32_t> token_begin_;  // [n_nodes + 1]
  std::vector<int32_t> token_ids_;
  std::vector<int32_t> eog_;
  std::vector<std::array<uint64_t, 2>> sub_ascii_;
  std::vector<uint8_t> sub_flags_;
  std::vector<uint16_t> sub_height_;
  static constexpr uint8_t kNonAscii = 1, kBadUtf8 = 2;
  uint64_t fingerprint_ = 0;
};

}  // namespace olla::grammar
