#include "cli/word_wrap.h"

#include "base/str_cat.h"

namespace olla::cli {

int CodepointWidth(char32_t c) {
  const bool wide = (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF && c != 0x303F) ||
                    (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
                    (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
                    (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1F64F) ||
                    (c >= 0x1F900 && c <= 0x1F9FF) || (c >= 0x20000 && c <= 0x3FFFD);
  return wide ? 2 : 1;
}

namespace {

// The length of the UTF-8 sequence starting with `lead` (1 for stray bytes).
size_t SequenceLength(unsigned char lead) {
  if (lead >= 0xF0 && lead < 0xF8) return 4;
  if (lead >= 0xE0) return lead < 0xF0 ? 3 : 1;
  if (lead >= 0xC0) return 2;
  return 1;
}

char32_t Decode(std::string_view s) {
  const auto b = [&](size_t i) { return static_cast<char32_t>(static_cast<unsigned char>(s[i])); };
  switch (s.size()) {
    case 2:
      return ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
    case 3:
      return ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
    case 4:
      return ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
    default:
      return b(0);
  }
}

}  // namespace

std::string WordWrapper::Feed(std::string_view text) {
  if (width_ < 10) return std::string(text);
  std::string out;
  for (size_t i = 0; i < text.size();) {
    size_t n = SequenceLength(static_cast<unsigned char>(text[i]));
    if (i + n > text.size()) n = text.size() - i;  // a split sequence: pass the bytes through
    const std::string_view ch = text.substr(i, n);
    i += n;
    const char32_t c = Decode(ch);
    const int w = CodepointWidth(c);
    if (line_ + 1 > width_ - 5 && c != '\n' && c != '\r') {
      if (word_cols_ > width_ - 10) {  // a word too long to move: let it run on
        out += ch;
        word_.clear();
        word_cols_ = 0;
        line_ = w;
        continue;
      }
      // Move the partial word to a new line.
      if (word_cols_ > 0) out += StrCat("\033[", word_cols_, "D");
      out += "\033[K\n";
      out += word_;
      out += ch;
      line_ = word_cols_ + w;
      if (c == ' ' || c == '\t') {
        word_.clear();
        word_cols_ = 0;
      } else {
        word_ += ch;
        word_cols_ += w;
      }
      continue;
    }
    out += ch;
    line_ += w;
    if (w >= 2) {
      word_.clear();
      word_cols_ = 0;
      continue;
    }
    if (c == ' ' || c == '\t') {
      word_.clear();
      word_cols_ = 0;
    } else if (c == '\n' || c == '\r') {
      line_ = 0;
      word_.clear();
      word_cols_ = 0;
    } else {
      word_ += ch;
      word_cols_ += w;
    }
  }
  return out;
}

}  // namespace olla::cli
