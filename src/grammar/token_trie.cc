// TokenTrie construction: sort the pieces, then emit nodes in preorder along the sorted list
// (a sorted list visits a trie in preorder), keeping the current path as a stack.

#include "grammar/token_trie.h"

#include <algorithm>
#include <limits>

namespace olla::grammar {

TokenTrie::TokenTrie(std::span<const std::string_view> pieces, std::span<const TokenKind> kinds)
    : n_vocab_(pieces.size()) {
  auto kind_of = [&](size_t id) { return id < kinds.size() ? kinds[id] : TokenKind::kText; };
  uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a over (kind, length, bytes) of every token
  auto mix = [&h](uint8_t b) { h = (h ^ b) * 0x100000001b3ull; };
  std::vector<int32_t> ids;
  for (size_t id = 0; id < pieces.size(); ++id) {
    const TokenKind kind = kind_of(id);
    mix(static_cast<uint8_t>(kind));
    for (int shift = 0; shift < 32; shift += 8)
      mix(static_cast<uint8_t>(pieces[id].size() >> shift));
    for (char c : pieces[id]) mix(static_cast<uint8_t>(c));
    if (kind == TokenKind::kEndOfGeneration) eog_.push_back(static_cast<int32_t>(id));
    if (kind == TokenKind::kText && !pieces[id].empty() &&
        pieces[id].size() <= std::numeric_limits<uint16_t>::max()) {
      ids.push_back(static_cast<int32_t>(id));
    }
  }
  fingerprint_ = h;
  std::stable_sort(ids.begin(), ids.end(),
                   [&](int32_t a, int32_t b) { return pieces[a] < pieces[b]; });

  byte_.push_back(0);
  depth_.push_back(0);
  subtree_end_.push_back(0);
  std::vector<uint32_t> path{0};  // path[d]: the node at depth d on the current branch
  std::vector<uint32_t> end_node(ids.size());
  std::string_view prev;
  for (size_t k = 0; k < ids.size(); ++k) {
    const std::string_view s = pieces[ids[k]];
    size_t lcp = 0;
    while (lcp < prev.size() && lcp < s.size() && prev[lcp] == s[lcp]) ++lcp;
    while (path.size() - 1 > lcp) {
      subtree_end_[path.back()] = static_cast<uint32_t>(byte_.size());
      path.pop_back();
    }
    for (size_t d = lcp; d < s.size(); ++d) {
      path.push_back(static_cast<uint32_t>(byte_.size()));
      byte_.push_back(static_cast<uint8_t>(s[d]));
      depth_.push_back(static_cast<uint16_t>(d + 1));
      subtree_end_.push_back(0);
    }
    end_node[k] = path.back();
    prev = s;
  }
  while (!path.empty()) {
    subtree_end_[path.back()] = static_cast<uint32_t>(byte_.size());
    path.pop_back();
  }
  // Byte sets of subtrees, children before parents (reverse preorder); a node's parent is the
  // last node before it one level up. UTF-8 is decoded along each path with the well-formed
  // byte ranges of Unicode's table 3-7 (no overlongs, surrogates or values above U+10FFFF).
  const size_t n_nodes = byte_.size();
  std::vector<uint32_t> parent(n_nodes, 0), last_at_depth(1, 0);
  std::vector<uint8_t> remain(n_nodes, 0), next_lo(n_nodes, 0x80), next_hi(n_nodes, 0xBF);
  sub_ascii_.assign(n_nodes, {0, 0});
  sub_flags_.assign(n_nodes, 0);
  for (uint32_t i = 1; i < n_nodes; ++i) {
    if (last_at_depth.size() <= depth_[i]) last_at_depth.resize(depth_[i] + 1u);
    const uint32_t p = parent[i] = last_at_depth[depth_[i] - 1u];
    last_at_depth[depth_[i]] = i;
    const uint8_t b = byte_[i];
    bool bad = (sub_flags_[p] & kBadUtf8) != 0;  // inherited from the path (set below for p)
    if (!bad && remain[p] > 0) {
      bad = b < next_lo[p] || b > next_hi[p];
      remain[i] = static_cast<uint8_t>(remain[p] - 1);
    } else if (!bad && b >= 0x80) {
      if (b >= 0xC2 && b <= 0xDF) {
        remain[i] = 1;
      } else if (b >= 0xE0 && b <= 0xEF) {
        remain[i] = 2;
        next_lo[i] = b == 0xE0 ? 0xA0 : 0x80;
        next_hi[i] = b == 0xED ? 0x9F : 0xBF;
      } else if (b >= 0xF0 && b <= 0xF4) {
        remain[i] = 3;
        next_lo[i] = b == 0xF0 ? 0x90 : 0x80;
        next_hi[i] = b == 0xF4 ? 0x8F : 0xBF;
      } else {
        bad = true;
      }
    }
    if (bad) sub_flags_[i] |= kBadUtf8;
  }
  // sub_flags_ holds "this path is bad" so far; now fold the subtrees up.
  sub_height_.assign(n_nodes, 1);
  for (size_t i = n_nodes; i-- > 1;) {
    sub_height_[parent[i]] =
        std::max<uint16_t>(sub_height_[parent[i]], static_cast<uint16_t>(sub_height_[i] + 1));
    if (byte_[i] < 0x80) {
      sub_ascii_[i][byte_[i] >> 6] |= uint64_t{1} << (byte_[i] & 63);
    } else {
      sub_flags_[i] |= kNonAscii;
    }
    sub_ascii_[parent[i]][0] |= sub_ascii_[i][0];
    sub_ascii_[parent[i]][1] |= sub_ascii_[i][1];
    sub_flags_[parent[i]] |= sub_flags_[i];
  }
  token_begin_.assign(byte_.size() + 1, 0);
  for (uint32_t node : end_node) ++token_begin_[node + 1];
  for (size_t i = 0; i < byte_.size(); ++i) token_begin_[i + 1] += token_begin_[i];
  token_ids_.resize(ids.size());
  std::vector<uint32_t> fill(token_begin_.begin(), token_begin_.end() - 1);
  for (size_t k = 0; k < ids.size(); ++k) token_ids_[fill[end_node[k]]++] = ids[k];
}

}  // namespace olla::grammar
