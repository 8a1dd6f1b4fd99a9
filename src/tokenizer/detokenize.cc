#include "tokenizer/detokenize.h"

#include <utility>

#include "tokenizer/tokenizer.h"
#include "tokenizer/unicode.h"

namespace olla::tokenizer {
namespace {

constexpr std::string_view kSpace = "\xE2\x96\x81";  // U+2581, SentencePiece's space

std::string UnescapeSpaces(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    if (text.substr(pos, kSpace.size()) == kSpace) {
      out.push_back(' ');
      pos += kSpace.size();
    } else {
      out.push_back(text[pos++]);
    }
  }
  return out;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::string BuildPiece(const Vocab& vocab, TokenId id, bool phantom_space) {
  const TokenData& token = vocab.Token(id);
  switch (token.type) {
    case TokenType::kControl:
    case TokenType::kUnknown:
    case TokenType::kUserDefined:
      return token.text;
    case TokenType::kNormal:
      break;
    case TokenType::kByte: {
      const std::string& t = token.text;  // "<0xNN>"
      if (vocab.type() == ModelType::kSpm && t.size() == 6 && t.starts_with("<0x")) {
        int hi = HexDigit(t[3]);
        int lo = HexDigit(t[4]);
        if (hi >= 0 && lo >= 0) return std::string(1, static_cast<char>(hi * 16 + lo));
      }
      return {};
    }
    default:
      return {};
  }
  switch (vocab.type()) {
    case ModelType::kSpm:
      return UnescapeSpaces(token.text);
    case ModelType::kBpe:
      return ByteDecode(token.text);
    case ModelType::kWpm:
      if (phantom_space) return UnescapeSpaces(token.text);
      if (token.text.starts_with("##")) return token.text.substr(2);
      return " " + token.text;
  }
  return {};
}

void CleanSpaces(std::string& text) {
  // Pass 1: no space before ? ! . ,
  std::string a;
  a.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (i > 0 && text[i - 1] == ' ' && !a.empty() && a.back() == ' ' &&
        (c == '?' || c == '!' || c == '.' || c == ',')) {
      a.pop_back();
    }
    a.push_back(c);
  }
  // Pass 2: " ' " → "'"
  std::string b;
  b.reserve(a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c == '\'' && i > 0 && i + 1 < a.size() && a[i - 1] == ' ' && a[i + 1] == ' ') {
      if (!b.empty()) b.pop_back();
      b.push_back(c);
      a[++i] = '\0';  // drop the space after (llama.cpp also blanks it for the next test)
      continue;
    }
    b.push_back(c);
  }
  // Pass 3: no space before 's 'm 're 've (but keep it before 't 'd 'll).
  std::string d;
  d.reserve(b.size());
  for (size_t i = 0; i < b.size(); ++i) {
    char c = b[i];
    if (i > 0 && b[i - 1] == ' ' && c == '\'' && i + 1 < b.size()) {
      char x1 = b[i + 1];
      char x2 = i + 2 < b.size() ? b[i + 2] : '\0';
      if (x1 == 's' || x1 == 'm' || (x1 == 'r' && x2 == 'e') || (x1 == 'v' && x2 == 'e')) {
        if (!d.empty()) d.pop_back();
      }
    }
    d.push_back(c);
  }
  text = std::move(d);
}

}  // namespace olla::tokenizer
