#include "tokenizer/bpe.h"

#include <queue>
#include <utility>

#include "base/utf8.h"
#include "tokenizer/unicode.h"

namespace olla::tokenizer {
namespace {

struct Symbol {
  int32_t id;  // symbol id, or -1 for text outside the vocabulary and merge table
  uint32_t start;
  uint32_t len;  // bytes of the raw word; 0 once merged away
  int32_t prev;
  int32_t next;
};

struct Candidate {
  int32_t rank;
  int32_t left;
  int32_t right;
  int32_t left_id;
  int32_t right_id;
  int32_t result;
};

// top() is the lowest rank, then the leftmost pair.
struct CandidateAfter {
  bool operator()(const Candidate& a, const Candidate& b) const {
    return a.rank > b.rank || (a.rank == b.rank && a.left > b.left);
  }
};

}  // namespace

BpeTokenizer::BpeTokenizer(const Vocab& vocab, PreTokenizer pre)
    : vocab_(&vocab), pre_(std::move(pre)) {}

Result<BpeTokenizer> BpeTokenizer::Create(const Vocab& vocab) {
  OLLA_ASSIGN_OR_RETURN(PreTokenizer pre, PreTokenizer::Create(vocab.pre()));
  BpeTokenizer bpe(vocab, std::move(pre));
  const auto& merges = vocab.merges();
  bpe.merges_.reserve(merges.size());
  std::string joined;
  for (size_t rank = 0; rank < merges.size(); ++rank) {
    std::string_view merge = merges[rank];
    // "left right"; searching from 1 lets a left part that is itself a space work.
    size_t space = merge.find(' ', 1);
    if (space == std::string_view::npos) continue;
    std::string_view left = merge.substr(0, space);
    std::string_view right = merge.substr(space + 1);
    joined.assign(left).append(right);
    int32_t left_id = bpe.AddSymbol(left);
    int32_t right_id = bpe.AddSymbol(right);
    int32_t result = bpe.AddSymbol(joined);
    // The first occurrence of a pair keeps its rank.
    bpe.merges_.emplace(PairKey(left_id, right_id), Merge{static_cast<int32_t>(rank), result});
  }
  std::string text;
  for (int b = 0; b < 256; ++b) {
    text.clear();
    utf8::Append(text, ByteToCodepoint(static_cast<uint8_t>(b)));
    bpe.byte_symbol_[b] = bpe.FindSymbol(text);
  }
  return bpe;
}

int32_t BpeTokenizer::FindSymbol(std::string_view text) const {
  TokenId id = vocab_->Find(text);
  if (id != kNoToken) return id;
  auto it = extra_index_.find(text);
  return it == extra_index_.end() ? -1 : it->second;
}

int32_t BpeTokenizer::AddSymbol(std::string_view text) {
  int32_t id = FindSymbol(text);
  if (id >= 0) return id;
  id = vocab_->n_tokens() + static_cast<int32_t>(extra_text_.size());
  extra_text_.emplace_back(text);
  extra_index_.emplace(extra_text_.back(), id);
  return id;
}

void BpeTokenizer::Encode(std::string_view text, bool /*after_special*/,
                          std::vector<TokenId>& out) const {
  std::string sanitized;
  if (!utf8::IsValid(text)) {
    sanitized = utf8::Sanitize(text);
    text = sanitized;
  }
  for (std::string_view word : pre_.Split(text)) EncodeWord(word, out);
}

void BpeTokenizer::EncodeWord(std::string_view word, std::vector<TokenId>& out) const {
  if (word.empty()) return;
  if (vocab_->ignore_merges()) {
    std::string encoded;
    AppendByteEncoded(encoded, word);
    TokenId id = vocab_->Find(encoded);
    if (id != kNoToken) {
      out.push_back(id);
      return;
    }
  }

  std::vector<Symbol> symbols(word.size());
  for (size_t i = 0; i < word.size(); ++i) {
    int32_t index = static_cast<int32_t>(i);
    symbols[i] = {byte_symbol_[static_cast<uint8_t>(word[i])], static_cast<uint32_t>(i), 1,
                  index - 1, i + 1 == word.size() ? -1 : index + 1};
  }

  std::priority_queue<Candidate, std::vector<Candidate>, CandidateAfter> queue;
  auto try_add = [&](int32_t left, int32_t right) {
    if (left < 0 || right < 0) return;
    int32_t left_id = symbols[static_cast<size_t>(left)].id;
    int32_t right_id = symbols[static_cast<size_t>(right)].id;
    if (left_id < 0 || right_id < 0) return;
    auto it = merges_.find(PairKey(left_id, right_id));
    if (it == merges_.end()) return;
    queue.push({it->second.rank, left, right, left_id, right_id, it->second.result});
  };
  for (size_t i = 1; i < symbols.size(); ++i) {
    try_add(static_cast<int32_t>(i - 1), static_cast<int32_t>(i));
  }

  while (!queue.empty()) {
    Candidate c = queue.top();
    queue.pop();
    Symbol& left = symbols[static_cast<size_t>(c.left)];
    Symbol& right = symbols[static_cast<size_t>(c.right)];
    // Skip pairs that an earlier merge changed.
    if (left.len == 0 || right.len == 0 || left.next != c.right || left.id != c.left_id ||
        right.id != c.right_id) {
      continue;
    }
    left.id = c.result;
    left.len += right.len;
    right.len = 0;
    left.next = right.next;
    if (right.next >= 0) symbols[static_cast<size_t>(right.next)].prev = c.left;
    try_add(left.prev, c.left);
    try_add(c.left, left.next);
  }

  for (int32_t i = 0; i != -1; i = symbols[static_cast<size_t>(i)].next) {
    const Symbol& sym = symbols[static_cast<size_t>(i)];
    if (sym.id >= 0 && sym.id < vocab_->n_tokens()) {
      out.push_back(sym.id);
      continue;
    }
    // Not a token: like llama.cpp, emit the tokens of the single bytes of its spelling.
    std::string encoded;
    AppendByteEncoded(encoded, word.substr(sym.start, sym.len));
    for (char c : encoded) {
      TokenId id = vocab_->Find(std::string_view(&c, 1));
      if (id != kNoToken) out.push_back(id);
    }
  }
}

}  // namespace olla::tokenizer
