#pragma once
// Matcher: the position of one generated sequence in a Grammar, and the token mask for its
// next step (llama.cpp's llama_grammar, reorganised for speed).
//
// The position is a set of pushdown stacks, as in llama.cpp: each stack is a path of element
// positions whose top is a character element (or the empty stack, "complete"), advanced one
// Unicode code point at a time; a UTF-8 sequence split across tokens is carried as a partial
// state that only keeps stacks whose character sets can still match it. Unlike llama.cpp:
//   * stacks are interned: a stack is a node (position, parent node) in an arena, so equal
//     stacks are one number and the expansion of a node is computed once;
//   * stack sets are interned as states of a lazily built byte-level automaton: the transition
//     (state, byte) is computed the first time it is needed and then is a table lookup;
//   * the mask is a walk over the vocabulary trie (token_trie.h) with one transition per trie
//     node, skipping a whole subtree when a prefix is refused, and the finished mask is cached
//     per state, so a position seen before (inside a string, after a comma) costs a copy.
// Tables grow with the positions visited and are rebuilt from the current position when they
// pass MatcherLimits (a long generation with bounded repetitions keeps memory bounded).
//
// One Matcher per sequence; not thread-safe (even the const-looking queries fill tables).
// Copyable: a copy continues independently. The Grammar is shared and immutable.

#include <array>
#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "grammar/grammar.h"
#include "grammar/token_trie.h"

namespace olla::grammar {

struct MatcherLimits {
  size_t max_states = size_t{1} << 15;         // automaton states before a rebuild (~1 KiB each)
  size_t max_nodes = size_t{1} << 20;          // stack nodes before a rebuild
  size_t mask_cache_bytes = size_t{32} << 20;  // cached masks (1 bit per token per state)
};

struct MatcherStats {
  size_t states = 0;          // automaton states now
  size_t nodes = 0;           // stack nodes now
  size_t mask_hits = 0;       // ComputeMask() answered from the cache
  size_t mask_misses = 0;     // ComputeMask() walked the trie
  size_t rebuilds = 0;        // tables dropped at a limit
  size_t whole_subtrees = 0;  // trie subtrees accepted without stepping through them
  size_t bytes = 0;           // memory held by the tables, masks and scratch (approximate)
};

class Matcher {
 public:
  static constexpr size_t kNoCompletion = std::numeric_limits<size_t>::max();

  explicit Matcher(std::shared_ptr<const Grammar> grammar, MatcherLimits limits = {});

  // Advances by `bytes` (a sampled token's bytes, which may begin or end inside a UTF-8
  // sequence). Returns false and leaves the position unchanged if they cannot continue a
  // sentence of the grammar. Empty input is accepted and changes nothing.
  bool Accept(std::string_view bytes);
  // Whether Accept(bytes) would succeed; the position does not change.
  bool CanAccept(std::string_view bytes);
  // True if the input so far is a whole sentence (no partial UTF-8 pending): end of
  // generation is allowed here. More input may still be allowed too.
  bool IsComplete() const { return states_[cur_].accepting; }
  // Back to the start of the grammar (the tables are kept).
  void Reset();

  // allowed[t] (resized to vocab.n_vocab()) = 1 if token t may come next: a text token whose
  // bytes continue the grammar (also when they end inside a UTF-8 sequence that some allowed
  // character completes), an end-of-generation token exactly when IsComplete(). Empty and
  // excluded tokens are 0.
  void ComputeMask(const TokenTrie& vocab, std::vector<uint8_t>& allowed);
  // The same mask as bits: bit t % 64 of words[t / 64] (resized to (n_vocab + 63) / 64; bits
  // past n_vocab are 0). A copy of the cached mask, without expanding it to bytes.
  void ComputeMaskBits(const TokenTrie& vocab, std::vector<uint64_t>& words);

  // Fewest bytes that complete a sentence after first accepting `prefix` (from the current
  // position, which does not change); kNoCompletion if `prefix` is refused. Lets a caller
  // steer towards the end (e.g. when num_predict is near).
  size_t MinCompletionBytes(std::string_view prefix = {});

  MatcherStats stats() const;
  const Grammar& grammar() const { return *g_; }

 private:
  static constexpr uint32_t kUnknown = std::numeric_limits<uint32_t>::max();
  static constexpr uint32_t kDead = 0;  // the automaton state with no stacks

  struct Node {  // a stack: the element at `pos` on top of the stack `parent` (0: empty)
    uint32_t pos;
    uint32_t parent;
  };
  struct State {  // a set of stacks (sorted node ids) plus a partial UTF-8 sequence
    uint32_t nodes_begin = 0;
    uint32_t n_nodes = 0;
    uint32_t partial = 0;  // the sequence's value bits so far
    uint8_t remain = 0;    // continuation bytes still expected (0: none pending)
    uint8_t seq_len = 0;   // total length of the pending sequence
    bool accepting = false;
    bool uniform_known = false;
    bool non_ascii_to_succ = false;  // every non-ASCII character leads to `succ`
    int32_t mask_slot = -1;          // cached mask in mask_pool_
    uint32_t min_completion = kUnknown;
    uint32_t succ = 0;                  // the state most ASCII bytes lead to (kDead: none)
    std::array<uint64_t, 2> to_succ{};  // the ASCII bytes that lead to `succ`
  };

  // The transition of state `s` on byte `b`, computing it on first use.
  uint32_t Step(uint32_t s, uint8_t b) {
    int32_t row = row_of_[s];
    if (row < 0) row = AllocRow(s);
    const size_t at = static_cast<size_t>(row) * 256 + b;
    if (rows_[at] != kUnknown) return rows_[at];
    const uint32_t t = ComputeTransition(s, b);
    rows_[at] = t;
    return t;
  }
  int32_t AllocRow(uint32_t s);
  uint32_t ComputeTransition(uint32_t s, uint8_t b);
  uint32_t AdvanceCodePoint(const State& st, uint32_t cp);
  uint32_t InternNode(uint32_t pos, uint32_t parent);
  uint32_t InternState(std::span<const uint32_t> nodes, uint32_t partial, uint8_t remain,
                       uint8_t seq_len);
  std::span<const uint32_t> Closure(uint32_t node);  // stacks with a character on top
  uint32_t Continuation(uint32_t node);              // the stack once its top character is matched
  void ComputeUniform(uint32_t s);
  bool SubtreeAllLive(uint32_t s, const std::array<uint64_t, 2>& ascii, bool non_ascii,
                      uint32_t height);
  uint32_t StackMinBytes(uint32_t node);
  uint32_t StateMinBytes(uint32_t s);
  uint32_t InitialState();
  void MaybeRebuild();
  void WalkTrie(const TokenTrie& vocab, std::vector<uint64_t>& bits);
  // The current state's mask (text tokens only), from the cache or a walk; valid until the
  // next call that changes the tables.
  const uint64_t* MaskWords(const TokenTrie& vocab);

  std::shared_ptr<const Grammar> g_;
  MatcherLimits limits_;
  std::vector<Node> nodes_;
  std::unordered_map<uint64_t, uint32_t> node_ids_;
  std::vector<std::pair<uint32_t, uint32_t>> closure_;  // per node: (begin, size) in closure_pool_
  std::vector<uint32_t> closure_pool_;
  std::vector<uint32_t> cont_;       // per node, kUnknown until computed
  std::vector<uint32_t> stack_min_;  // per node, kUnknown until computed
  std::vector<State> states_;
  std::vector<uint32_t> state_nodes_;
  std::unordered_map<std::string, uint32_t> state_ids_;
  std::vector<int32_t> row_of_;  // per state: its row of transitions, -1 until first used
  std::vector<uint32_t> rows_;   // 256 transitions per allocated row
  uint32_t initial_ = kDead;
  uint32_t cur_ = kDead;
  // Mask cache: masks of n_vocab bits, valid for the trie with fingerprint mask_fp_.
  uint64_t mask_fp_ = 0;
  size_t mask_words_ = 0;
  std::vector<uint64_t> mask_pool_;
  // Scratch, kept to avoid allocations.
  std::vector<uint32_t> work_, found_, acc_, seen_, path_;
  std::vector<uint64_t> bits_;
  std::string key_;
  uint32_t epoch_ = 0;
  size_t mask_hits_ = 0, mask_misses_ = 0, rebuilds_ = 0, whole_subtrees_ = 0;
};

}  // namespace olla::grammar
