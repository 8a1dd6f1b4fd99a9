// Matcher: interned pushdown stacks, the lazily built byte automaton over sets of them, and
// the trie walk that turns an automaton state into a token mask.

#include "grammar/matcher.h"

#include <algorithm>
#include <cstring>

namespace olla::grammar {
namespace {

constexpr uint32_t kNoPos = std::numeric_limits<uint32_t>::max();
constexpr uint32_t kMinForLen[5] = {0, 0, 0x80, 0x800, 0x10000};  // shortest code point per length

// kSpread[b]: the 8 bits of b as 8 bytes of 0/1 (little-endian), to expand a bit mask.
constexpr std::array<uint64_t, 256> MakeSpread() {
  std::array<uint64_t, 256> t{};
  for (size_t b = 0; b < 256; ++b) {
    for (size_t k = 0; k < 8; ++k) {
      if ((b >> k) & 1) t[b] |= uint64_t{1} << (8 * k);
    }
  }
  return t;
}
constexpr std::array<uint64_t, 256> kSpread = MakeSpread();

void SortUnique(std::vector<uint32_t>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

}  // namespace

Matcher::Matcher(std::shared_ptr<const Grammar> grammar, MatcherLimits limits)
    : g_(std::move(grammar)), limits_(limits) {
  nodes_.push_back({kNoPos, 0});  // node 0: the empty stack
  states_.emplace_back();         // state 0: dead
  row_of_.push_back(-1);
  initial_ = InitialState();
  cur_ = initial_;
}

void Matcher::Reset() { cur_ = initial_; }

uint32_t Matcher::InitialState() {
  acc_.clear();
  const uint32_t root = g_->root;
  for (uint32_t a = g_->alt_begin[root]; a < g_->alt_begin[root + 1]; ++a) {
    const uint32_t start = g_->alt_start[a];
    const uint32_t node = Grammar::IsEndOfAlt(g_->elems[start]) ? 0 : InternNode(start, 0);
    for (uint32_t n : Closure(node)) acc_.push_back(n);
  }
  SortUnique(acc_);
  return InternState(acc_, 0, 0, 0);
}

uint32_t Matcher::InternNode(uint32_t pos, uint32_t parent) {
  const uint64_t key = (uint64_t{pos} << 32) | parent;
  auto [it, inserted] = node_ids_.try_emplace(key, static_cast<uint32_t>(nodes_.size()));
  if (inserted) nodes_.push_back({pos, parent});
  return it->second;
}

uint32_t Matcher::InternState(std::span<const uint32_t> nodes, uint32_t partial, uint8_t remain,
                              uint8_t seq_len) {
  if (nodes.empty()) return kDead;
  key_.assign(reinterpret_cast<const char*>(&partial), sizeof(partial));
  key_.push_back(static_cast<char>(remain));
  key_.push_back(static_cast<char>(seq_len));
  key_.append(reinterpret_cast<const char*>(nodes.data()), nodes.size_bytes());
  auto [it, inserted] = state_ids_.try_emplace(key_, static_cast<uint32_t>(states_.size()));
  if (!inserted) return it->second;
  State st;
  st.nodes_begin = static_cast<uint32_t>(state_nodes_.size());
  st.n_nodes = static_cast<uint32_t>(nodes.size());
  st.partial = partial;
  st.remain = remain;
  st.seq_len = seq_len;
  st.accepting = remain == 0 && nodes[0] == 0;  // sorted: the empty stack comes first
  state_nodes_.insert(state_nodes_.end(), nodes.begin(), nodes.end());
  states_.push_back(st);
  row_of_.push_back(-1);
  return it->second;
}

// Expands `start` until every stack has a character element (or nothing) on top: a rule
// reference on top is replaced by each of the rule's alternatives, with the element after the
// reference (if any) pushed below. A worklist, not recursion, so deep grammars cannot exhaust
// the call stack; the grammar has no left recursion (Finalize), so it terminates.
std::span<const uint32_t> Matcher::Closure(uint32_t start) {
  if (start < closure_.size() && closure_[start].first != kUnknown) {
    return {closure_pool_.data() + closure_[start].first, closure_[start].second};
  }
  const Grammar& g = *g_;
  if (++epoch_ == 0) {
    std::fill(seen_.begin(), seen_.end(), 0);
    epoch_ = 1;
  }
  work_.clear();
  found_.clear();
  auto visit = [&](uint32_t n) {
    if (seen_.size() <= n) seen_.resize(nodes_.size() * 2, 0);
    if (seen_[n] == epoch_) return;
    seen_[n] = epoch_;
    work_.push_back(n);
  };
  visit(start);
  while (!work_.empty()) {
    const uint32_t n = work_.back();
    work_.pop_back();
    if (n == 0) {
      found_.push_back(0);
      continue;
    }
    const Node node = nodes_[n];
    const Element& e = g.elems[node.pos];
    if (e.type != ElemType::kRuleRef) {
      found_.push_back(n);
      continue;
    }
    const uint32_t next = node.pos + 1;
    const uint32_t base =
        Grammar::IsEndOfAlt(g.elems[next]) ? node.parent : InternNode(next, node.parent);
    for (uint32_t a = g.alt_begin[e.value]; a < g.alt_begin[e.value + 1]; ++a) {
      const uint32_t alt = g.alt_start[a];
      visit(Grammar::IsEndOfAlt(g.elems[alt]) ? base : InternNode(alt, base));
    }
  }
  SortUnique(found_);
  if (closure_.size() <= start) closure_.resize(nodes_.size(), {kUnknown, 0});
  closure_[start] = {static_cast<uint32_t>(closure_pool_.size()),
                     static_cast<uint32_t>(found_.size())};
  closure_pool_.insert(closure_pool_.end(), found_.begin(), found_.end());
  return {closure_pool_.data() + closure_[start].first, closure_[start].second};
}

uint32_t Matcher::Continuation(uint32_t n) {
  if (n < cont_.size() && cont_[n] != kUnknown) return cont_[n];
  const Node node = nodes_[n];
  const uint32_t next = node.pos + 1;
  const uint32_t c =
      Grammar::IsEndOfAlt(g_->elems[next]) ? node.parent : InternNode(next, node.parent);
  if (cont_.size() <= n) cont_.resize(nodes_.size(), kUnknown);
  cont_[n] = c;
  return c;
}

uint32_t Matcher::AdvanceCodePoint(const State& st, uint32_t cp) {
  acc_.clear();
  size_t n_matched = 0;
  for (uint32_t k = 0; k < st.n_nodes; ++k) {
    const uint32_t n = state_nodes_[st.nodes_begin + k];
    if (n == 0) continue;
    const Element& e = g_->elems[nodes_[n].pos];
    const bool match =
        e.type == ElemType::kChar ? e.value == cp : g_->classes[e.value].Contains(cp);
    if (!match) continue;
    ++n_matched;
    const std::span<const uint32_t> next = Closure(Continuation(n));
    acc_.insert(acc_.end(), next.begin(), next.end());
  }
  if (n_matched > 1) SortUnique(acc_);  // one closure is already sorted and unique
  return InternState(acc_, 0, 0, 0);
}

// Bytes are decoded as UTF-8 on the fly: an ASCII byte or the last byte of a sequence advances
// the stacks; a lead or middle byte keeps only the stacks whose character could still be the
// one being spelled (its code point range is known from the bits so far). Overlong forms,
// surrogates, values above U+10FFFF and stray continuation bytes are refused.
uint32_t Matcher::ComputeTransition(uint32_t s, uint8_t b) {
  const State st = states_[s];  // a copy: interning may grow states_
  uint32_t value = 0;
  uint8_t remain = 0, len = st.seq_len;
  if (st.remain == 0) {
    if (b < 0x80) return AdvanceCodePoint(st, b);
    if (b >= 0xC2 && b <= 0xDF) {
      len = 2, value = b & 0x1Fu;
    } else if (b >= 0xE0 && b <= 0xEF) {
      len = 3, value = b & 0x0Fu;
    } else if (b >= 0xF0 && b <= 0xF4) {
      len = 4, value = b & 0x07u;
    } else {
      return kDead;
    }
    remain = static_cast<uint8_t>(len - 1);
  } else {
    if ((b & 0xC0) != 0x80) return kDead;
    value = (st.partial << 6) | (b & 0x3Fu);
    remain = static_cast<uint8_t>(st.remain - 1);
    if (remain == 0) {
      if (value < kMinForLen[len] || value > kMaxCodePoint || (value >= 0xD800 && value <= 0xDFFF))
        return kDead;
      return AdvanceCodePoint(st, value);
    }
  }
  const uint32_t shift = 6u * remain;
  const uint32_t lo = std::max(value << shift, kMinForLen[len]);
  const uint32_t hi = std::min((value << shift) | ((1u << shift) - 1), kMaxCodePoint);
  if (lo > hi || (lo >= 0xD800 && hi <= 0xDFFF)) return kDead;
  acc_.clear();
  for (uint32_t k = 0; k < st.n_nodes; ++k) {
    const uint32_t n = state_nodes_[st.nodes_begin + k];
    if (n == 0) continue;
    const Element& e = g_->elems[nodes_[n].pos];
    const bool possible = e.type == ElemType::kChar ? (e.value >= lo && e.value <= hi)
                                                    : g_->classes[e.value].Intersects(lo, hi);
    if (possible) acc_.push_back(n);
  }
  return InternState(acc_, value, remain, len);
}

int32_t Matcher::AllocRow(uint32_t s) {
  const int32_t row = static_cast<int32_t>(rows_.size() / 256);
  rows_.resize(rows_.size() + 256, kUnknown);
  row_of_[s] = row;
  return row;
}

void Matcher::MaybeRebuild() {
  if (states_.size() <= limits_.max_states && nodes_.size() <= limits_.max_nodes) return;
  // Keep the current position: each of its stacks as the positions from top to bottom.
  const State st = states_[cur_];
  std::vector<std::vector<uint32_t>> stacks;
  for (uint32_t k = 0; k < st.n_nodes; ++k) {
    std::vector<uint32_t> positions;
    for (uint32_t n = state_nodes_[st.nodes_begin + k]; n != 0; n = nodes_[n].parent) {
      positions.push_back(nodes_[n].pos);
    }
    stacks.push_back(std::move(positions));
  }
  nodes_.assign(1, {kNoPos, 0});
  node_ids_.clear();
  closure_.clear();
  closure_pool_.clear();
  cont_.clear();
  stack_min_.clear();
  states_.assign(1, State{});
  row_of_.assign(1, -1);
  state_nodes_.clear();
  state_ids_.clear();
  rows_.clear();
  mask_pool_.clear();
  seen_.clear();
  ++rebuilds_;
  initial_ = InitialState();
  std::vector<uint32_t> ids;
  for (const auto& positions : stacks) {
    uint32_t n = 0;
    for (size_t k = positions.size(); k-- > 0;) n = InternNode(positions[k], n);
    ids.push_back(n);
  }
  SortUnique(ids);
  cur_ = InternState(ids, st.partial, st.remain, st.seq_len);
}

bool Matcher::Accept(std::string_view bytes) {
  MaybeRebuild();
  uint32_t s = cur_;
  for (char c : bytes) {
    s = Step(s, static_cast<uint8_t>(c));
    if (s == kDead) return false;
  }
  cur_ = s;
  return true;
}

bool Matcher::CanAccept(std::string_view bytes) {
  MaybeRebuild();
  uint32_t s = cur_;
  for (char c : bytes) {
    s = Step(s, static_cast<uint8_t>(c));
    if (s == kDead) return false;
  }
  return true;
}

uint32_t Matcher::StackMinBytes(uint32_t n) {
  // Walk up to a node with a known value (or the empty stack), then fill in on the way down.
  work_.clear();
  uint32_t base = 0;
  for (uint32_t m = n; m != 0; m = nodes_[m].parent) {
    if (m < stack_min_.size() && stack_min_[m] != kUnknown) {
      base = stack_min_[m];
      break;
    }
    work_.push_back(m);
  }
  if (stack_min_.size() < nodes_.size()) stack_min_.resize(nodes_.size(), kUnknown);
  for (size_t k = work_.size(); k-- > 0;) {
    const uint32_t m = work_[k];
    const uint64_t v = uint64_t{base} + g_->suffix_min_bytes[nodes_[m].pos];
    base = static_cast<uint32_t>(std::min<uint64_t>(v, kUnknown - 1));
    stack_min_[m] = base;
  }
  return n == 0 ? 0 : stack_min_[n];
}

uint32_t Matcher::StateMinBytes(uint32_t s) {
  if (states_[s].min_completion != kUnknown) return states_[s].min_completion;
  const State st = states_[s];
  uint32_t best = kUnknown;
  for (uint32_t k = 0; k < st.n_nodes; ++k) {
    const uint32_t n = state_nodes_[st.nodes_begin + k];
    // Pending UTF-8: the rest of this character, then what follows it.
    const uint32_t v =
        st.remain == 0 ? StackMinBytes(n) : st.remain + StackMinBytes(Continuation(n));
    best = std::min(best, v);
  }
  states_[s].min_completion = best;
  return best;
}

size_t Matcher::MinCompletionBytes(std::string_view prefix) {
  MaybeRebuild();
  uint32_t s = cur_;
  for (char c : prefix) {
    s = Step(s, static_cast<uint8_t>(c));
    if (s == kDead) return kNoCompletion;
  }
  return StateMinBytes(s);
}

// The successor most ASCII bytes share, the bytes that lead to it, and whether every
// non-ASCII character does too: each stack either accepts all of them or none, and advancing
// by one of them gives the same successor. Inside a string the successor is the state itself
// (or, under a length bound, the next position).
void Matcher::ComputeUniform(uint32_t s) {
  std::vector<uint32_t> next(128);
  for (uint32_t b = 0; b < 128; ++b) next[b] = Step(s, static_cast<uint8_t>(b));
  std::vector<uint32_t> sorted = next;
  std::sort(sorted.begin(), sorted.end());
  uint32_t succ = kDead;
  size_t best = 0;
  for (size_t k = 0; k < sorted.size();) {
    size_t run = 1;
    while (k + run < sorted.size() && sorted[k + run] == sorted[k]) ++run;
    if (sorted[k] != kDead && run > best) best = run, succ = sorted[k];
    k += run;
  }
  std::array<uint64_t, 2> to_succ{};
  for (uint32_t b = 0; b < 128 && succ != kDead; ++b) {
    if (next[b] == succ) to_succ[b >> 6] |= uint64_t{1} << (b & 63);
  }
  const State st = states_[s];
  bool uniform = succ != kDead && st.remain == 0, any = false;
  for (uint32_t k = 0; k < st.n_nodes && uniform; ++k) {
    const uint32_t n = state_nodes_[st.nodes_begin + k];
    if (n == 0) continue;
    const Element& e = g_->elems[nodes_[n].pos];
    if (e.type == ElemType::kChar) {
      uniform = e.value < 0x80;
      continue;
    }
    const CharClass& cc = g_->classes[e.value];
    if (!cc.Intersects(0x80, kMaxCodePoint)) continue;
    const auto covers = [&cc](uint32_t lo, uint32_t hi) {
      for (const auto& r : cc.ranges) {
        if (r.first <= lo && r.second >= hi) return true;
      }
      return false;
    };
    uniform = covers(0x80, 0xD7FF) && covers(0xE000, kMaxCodePoint);
    any = true;
  }
  const bool non_ascii = uniform && any && AdvanceCodePoint(st, 0x80) == succ;
  State& out = states_[s];
  out.succ = succ;
  out.to_succ = to_succ;
  out.non_ascii_to_succ = non_ascii;
  out.uniform_known = true;
}

// Whether every byte path of up to `height` bytes drawn from `ascii` (and, if `non_ascii`,
// well-formed non-ASCII characters) keeps the automaton alive from `s`: it does if each step
// goes to the shared successor, which a chain of positions (or one looping state) shows.
bool Matcher::SubtreeAllLive(uint32_t s, const std::array<uint64_t, 2>& ascii, bool non_ascii,
                             uint32_t height) {
  for (uint32_t step = 0; step < height; ++step) {
    if (!states_[s].uniform_known) ComputeUniform(s);
    const State& st = states_[s];
    if ((ascii[0] & ~st.to_succ[0]) != 0 || (ascii[1] & ~st.to_succ[1]) != 0) return false;
    if (non_ascii && !st.non_ascii_to_succ) return false;
    if (st.succ == s) return true;  // a loop: any length
    s = st.succ;
  }
  return true;
}

// Preorder walk: a node's state is its parent's (kept per depth in path_) stepped by its byte;
// a refused node skips its whole subtree. A large subtree whose every path stays alive (the
// inside of a string, mostly: a looping state, or a chain of positions under a length bound
// longer than the subtree is deep) is accepted whole without stepping.
void Matcher::WalkTrie(const TokenTrie& vocab, std::vector<uint64_t>& bits) {
  constexpr uint32_t kSkipMinNodes = 16;  // below this, stepping is cheaper than checking
  const std::span<const uint8_t> bytes = vocab.bytes();
  const std::span<const uint16_t> depth = vocab.depths();
  const std::span<const uint32_t> subtree_end = vocab.subtree_ends();
  if (path_.size() < 65537) path_.resize(65537);
  path_[0] = cur_;
  const bool root_at_boundary = states_[cur_].remain == 0;
  uint64_t* out = bits.data();
  const auto mark = [out](std::span<const int32_t> tokens) {
    for (int32_t t : tokens) out[static_cast<uint32_t>(t) >> 6] |= uint64_t{1} << (t & 63);
  };
  const uint32_t n_nodes = static_cast<uint32_t>(bytes.size());
  for (uint32_t i = 1; i < n_nodes;) {
    const uint16_t d = depth[i];
    const uint32_t parent = path_[d - 1];
    const uint32_t end = subtree_end[i];
    if (end - i >= kSkipMinNodes) {
      // Non-ASCII bytes need well-formed UTF-8 read from a character boundary at the root.
      const bool non_ascii = vocab.subtree_has_non_ascii(i);
      if (!non_ascii || (root_at_boundary && !vocab.subtree_has_bad_utf8(i))) {
        if (SubtreeAllLive(parent, vocab.subtree_ascii(i), non_ascii, vocab.subtree_height(i))) {
          mark(vocab.tokens_under(i));
          ++whole_subtrees_;
          i = end;
          continue;
        }
      }
    }
    // Step() inlined on its fast path: a known transition of a state with a row.
    const int32_t row = row_of_[parent];
    uint32_t s = row >= 0 ? rows_[static_cast<size_t>(row) * 256 + bytes[i]] : kUnknown;
    if (s == kUnknown) s = Step(parent, bytes[i]);
    if (s == kDead) {
      i = end;
      continue;
    }
    path_[d] = s;
    if (vocab.token_count_at(i) != 0) mark(vocab.tokens_at(i));
    ++i;
  }
}

const uint64_t* Matcher::MaskWords(const TokenTrie& vocab) {
  MaybeRebuild();
  const size_t words = (vocab.n_vocab() + 63) / 64;
  if (vocab.fingerprint() != mask_fp_ || words != mask_words_) {  // another vocabulary
    for (State& st : states_) st.mask_slot = -1;
    mask_pool_.clear();
    mask_fp_ = vocab.fingerprint();
    mask_words_ = words;
  }
  if (states_[cur_].mask_slot >= 0) {
    ++mask_hits_;
    return mask_pool_.data() + static_cast<size_t>(states_[cur_].mask_slot) * words;
  }
  ++mask_misses_;
  bits_.assign(words, 0);
  WalkTrie(vocab, bits_);
  if ((mask_pool_.size() + words) * sizeof(uint64_t) > limits_.mask_cache_bytes) {
    for (State& st : states_) st.mask_slot = -1;
    mask_pool_.clear();
  }
  if ((mask_pool_.size() + words) * sizeof(uint64_t) <= limits_.mask_cache_bytes && words > 0) {
    states_[cur_].mask_slot = static_cast<int32_t>(mask_pool_.size() / words);
    mask_pool_.insert(mask_pool_.end(), bits_.begin(), bits_.end());
  }
  return bits_.data();
}

void Matcher::ComputeMask(const TokenTrie& vocab, std::vector<uint8_t>& allowed) {
  const uint64_t* mask = MaskWords(vocab);
  const size_t n_vocab = vocab.n_vocab();
  allowed.resize(n_vocab);
  uint8_t* out = allowed.data();
  const size_t full_words = n_vocab / 64;
  for (size_t w = 0; w < full_words; ++w) {
    const uint64_t bits = mask[w];
    for (size_t k = 0; k < 8; ++k)
      std::memcpy(out + w * 64 + k * 8, &kSpread[(bits >> (8 * k)) & 0xFF], 8);
  }
  for (size_t t = full_words * 64; t < n_vocab; ++t) out[t] = (mask[t >> 6] >> (t & 63)) & 1;
  const uint8_t eog = IsComplete() ? 1 : 0;
  for (int32_t t : vocab.eog_tokens()) out[t] = eog;
}

void Matcher::ComputeMaskBits(const TokenTrie& vocab, std::vector<uint64_t>& words) {
  const uint64_t* mask = MaskWords(vocab);
  words.assign(mask, mask + mask_words_);
  const bool eog = IsComplete();
  for (int32_t t : vocab.eog_tokens()) {
    const uint64_t bit = uint64_t{1} << (t & 63);
    words[static_cast<uint32_t>(t) >> 6] = eog ? (words[static_cast<uint32_t>(t) >> 6] | bit)
                                               : (words[static_cast<uint32_t>(t) >> 6] & ~bit);
  }
}

MatcherStats Matcher::stats() const {
  MatcherStats s;
  s.states = states_.size();
  s.nodes = nodes_.size();
  s.mask_hits = mask_hits_;
  s.mask_misses = mask_misses_;
  s.rebuilds = rebuilds_;
  s.whole_subtrees = whole_subtrees_;
  const auto cap = [](const auto& v) { return v.capacity() * sizeof(v[0]); };
  constexpr size_t kHashEntry = 48;  // a node of an unordered_map, with its bucket
  s.bytes = sizeof(Matcher) + cap(nodes_) + node_ids_.size() * kHashEntry + cap(closure_) +
            cap(closure_pool_) + cap(cont_) + cap(stack_min_) + cap(states_) + cap(state_nodes_) +
            state_ids_.size() * (kHashEntry + sizeof(std::string)) + cap(row_of_) + cap(rows_) +
            cap(mask_pool_) + cap(work_) + cap(found_) + cap(acc_) + cap(seen_) + cap(path_) +
            cap(bits_);
  for (const auto& [key, id] : state_ids_) s.bytes += key.capacity() > 15 ? key.capacity() : 0;
  return s;
}

}  // namespace olla::grammar
