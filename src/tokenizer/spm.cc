#include "tokenizer/spm.h"

#include <queue>
#include <string>

#include "base/utf8.h"

namespace olla::tokenizer {
namespace {

constexpr std::string_view kSpace = "\xE2\x96\x81";  // U+2581 LOWER ONE EIGHTH BLOCK

// A piece of the text being merged; merged-away pieces keep len == 0.
struct Symbol {
  uint32_t start;
  uint32_t len;
  int32_t prev;
  int32_t next;
};

struct Bigram {
  float score;
  int32_t left;
  int32_t right;
  uint32_t len;  // bytes of the merged text, to detect stale entries
};

// Orders the queue so that top() is the highest score, then the leftmost pair.
struct BigramLess {
  bool operator()(const Bigram& a, const Bigram& b) const {
    return a.score < b.score || (a.score == b.score && a.left > b.left);
  }
};

}  // namespace

TokenId SpmTokenizer::Lookup(std::string_view text) const {
  TokenId id = vocab_->Find(text);
  if (id == kNoToken) return kNoToken;
  switch (vocab_->Type(id)) {
    case TokenType::kNormal:
    case TokenType::kUserDefined:
    case TokenType::kUndefined:
      return id;
    default:
      return kNoToken;
  }
}

void SpmTokenizer::Encode(std::string_view text, bool after_special,
                          std::vector<TokenId>& out) const {
  std::string escaped;
  escaped.reserve(text.size() + 8);
  if (after_special && vocab_->add_space_prefix()) escaped.append(kSpace);
  for (char c : text) {
    if (c == ' ') {
      escaped.append(kSpace);
    } else {
      escaped.push_back(c);
    }
  }
  if (escaped.empty()) return;
  const std::string_view s = escaped;

  std::vector<Symbol> symbols;
  symbols.reserve(s.size());
  for (size_t pos = 0; pos < s.size();) {
    // One symbol per character; each byte of invalid UTF-8 is a symbol of its own (llama.cpp
    // trusts lead bytes and can swallow the next character into a broken one).
    size_t end = pos;
    utf8::DecodeNext(s, &end);
    size_t len = end - pos;
    int32_t index = static_cast<int32_t>(symbols.size());
    symbols.push_back({static_cast<uint32_t>(pos), static_cast<uint32_t>(len), index - 1,
                       pos + len == s.size() ? -1 : index + 1});
    pos += len;
  }

  std::priority_queue<Bigram, std::vector<Bigram>, BigramLess> queue;
  auto try_add = [&](int32_t left, int32_t right) {
    if (left < 0 || right < 0) return;
    const Symbol& l = symbols[static_cast<size_t>(left)];
    const Symbol& r = symbols[static_cast<size_t>(right)];
    // Adjacent live symbols are contiguous in `s`.
    TokenId id = Lookup(s.substr(l.start, l.len + r.len));
    if (id == kNoToken) return;
    queue.push({vocab_->Token(id).score, left, right, l.len + r.len});
  };
  for (size_t i = 1; i < symbols.size(); ++i) {
    try_add(static_cast<int32_t>(i - 1), static_cast<int32_t>(i));
  }

  while (!queue.empty()) {
    Bigram bigram = queue.top();
    queue.pop();
    Symbol& left = symbols[static_cast<size_t>(bigram.left)];
    Symbol& right = symbols[static_cast<size_t>(bigram.right)];
    // Skip pairs that an earlier merge changed.
    if (left.len == 0 || right.len == 0 || left.len + right.len != bigram.len) continue;
    left.len += right.len;
    right.len = 0;
    left.next = right.next;
    if (right.next >= 0) symbols[static_cast<size_t>(right.next)].prev = bigram.left;
    try_add(left.prev, bigram.left);
    try_add(bigram.left, left.next);
  }

  for (int32_t i = 0; i != -1; i = symbols[static_cast<size_t>(i)].next) {
    const Symbol& sym = symbols[static_cast<size_t>(i)];
    std::string_view piece = s.substr(sym.start, sym.len);
    TokenId id = Lookup(piece);
    if (id != kNoToken) {
      out.push_back(id);
      continue;
    }
    // Byte fallback; a vocabulary without byte tokens gets one <unk> for the whole piece.
    bool all_bytes = true;
    for (char c : piece) all_bytes = all_bytes && vocab_->ByteToken(static_cast<uint8_t>(c)) >= 0;
    if (all_bytes) {
      for (char c : piece) out.push_back(vocab_->ByteToken(static_cast<uint8_t>(c)));
    } else if (vocab_->unk() != kNoToken) {
      out.push_back(vocab_->unk());
    }
  }
}

}  // namespace olla::tokenizer
