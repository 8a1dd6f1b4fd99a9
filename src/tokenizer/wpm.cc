#include "tokenizer/wpm.h"

#include <utf8proc.h>

#include <algorithm>

#include "base/utf8.h"
#include "tokenizer/unicode.h"

namespace olla::tokenizer {
namespace {

constexpr size_t kMaxWordChars = 100;  // HF WordPiece max_input_chars_per_word

bool IsWhitespace(uint32_t cp) {  // Unicode White_Space
  return cp == ' ' || (cp >= '\t' && cp <= '\r') || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
         cp == 0x205F || cp == 0x3000;
}

bool IsControl(uint32_t cp) {  // category C*, except the whitespace controls \t \n \r
  if (cp == '\t' || cp == '\n' || cp == '\r') return false;
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(cp))) {
    case UTF8PROC_CATEGORY_CC:
    case UTF8PROC_CATEGORY_CF:
    case UTF8PROC_CATEGORY_CS:
    case UTF8PROC_CATEGORY_CO:
    case UTF8PROC_CATEGORY_CN:
      return true;
    default:
      return false;
  }
}

bool IsPunctuation(uint32_t cp) {  // ASCII punctuation and symbols, or category P*
  if ((cp >= '!' && cp <= '/') || (cp >= ':' && cp <= '@') || (cp >= '[' && cp <= '`') ||
      (cp >= '{' && cp <= '~')) {
    return true;
  }
  utf8proc_category_t cat = utf8proc_category(static_cast<utf8proc_int32_t>(cp));
  return cat >= UTF8PROC_CATEGORY_PC && cat <= UTF8PROC_CATEGORY_PO;
}

}  // namespace

WpmTokenizer::WpmTokenizer(const Vocab& vocab) : vocab_(&vocab) {
  constexpr std::string_view kSpace = "\xE2\x96\x81";
  phantom_space_ = false;
  for (TokenId id = 0; id < vocab.n_tokens() && !phantom_space_; ++id) {
    phantom_space_ = vocab.Text(id).starts_with(kSpace);
  }
  if (phantom_space_) {
    word_prefix_ = kSpace;
  } else {
    continuation_prefix_ = "##";
  }
}

std::vector<std::string> WpmTokenizer::SplitWords(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  auto finish = [&] {
    if (!word.empty()) words.push_back(std::move(word));
    word.clear();
  };
  auto single = [&](uint32_t cp) {
    finish();
    utf8::Append(word, cp);
    finish();
  };
  size_t pos = 0;
  while (pos < text.size()) {
    uint32_t cp = utf8::DecodeNext(text, &pos);  // invalid bytes come back as U+FFFD
    if (cp == 0 || cp == 0xFFFD || IsControl(cp)) continue;
    if (IsWhitespace(cp)) {
      finish();
      continue;
    }
    if (IsCjkIdeograph(cp)) {
      single(cp);
      continue;
    }
    utf8proc_int32_t decomposed[8];
    utf8proc_ssize_t n = utf8proc_decompose_char(static_cast<utf8proc_int32_t>(cp), decomposed, 8,
                                                 UTF8PROC_DECOMPOSE, nullptr);
    if (n < 0 || n > 8) {
      decomposed[0] = static_cast<utf8proc_int32_t>(cp);
      n = 1;
    }
    for (utf8proc_ssize_t i = 0; i < n; ++i) {
      if (utf8proc_category(decomposed[i]) == UTF8PROC_CATEGORY_MN) continue;  // accents
      uint32_t lower = static_cast<uint32_t>(utf8proc_tolower(decomposed[i]));
      if (IsPunctuation(lower)) {
        single(lower);
      } else {
        utf8::Append(word, lower);
      }
    }
  }
  finish();
  return words;
}

void WpmTokenizer::Encode(std::string_view text, bool /*after_special*/,
                          std::vector<TokenId>& out) const {
  for (const std::string& word : SplitWords(text)) EncodeWord(word, out);
}

void WpmTokenizer::EncodeWord(const std::string& word, std::vector<TokenId>& out) const {
  const size_t start_size = out.size();
  size_t n_chars = 0;
  for (char c : word) n_chars += (static_cast<uint8_t>(c) & 0xC0) != 0x80;
  bool ok = n_chars <= kMaxWordChars;
  std::string candidate;
  for (size_t start = 0; ok && start < word.size();) {
    const std::string& prefix = start == 0 ? word_prefix_ : continuation_prefix_;
    // Longest match first; pieces longer than any token need not be tried.
    size_t end = std::min(word.size(), start + vocab_->max_token_len());
    TokenId id = kNoToken;
    for (; end > start; --end) {
      if (end < word.size() && (static_cast<uint8_t>(word[end]) & 0xC0) == 0x80) continue;
      candidate.assign(prefix).append(word, start, end - start);
      id = vocab_->Find(candidate);
      if (id != kNoToken) break;
    }
    if (id == kNoToken) {
      ok = false;
      break;
    }
    out.push_back(id);
    start = end;
  }
  if (!ok) {
    out.resize(start_size);
    if (vocab_->unk() != kNoToken) out.push_back(vocab_->unk());
  }
}

}  // namespace olla::tokenizer
