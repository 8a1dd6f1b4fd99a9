#include "chat/go/go_lexer.h"

#include <cctype>

#include "base/str_cat.h"
#include "base/utf8.h"

namespace olla::chat::gotmpl {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsAlnum(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || (c & 0x80);
}

class Lexer {
 public:
  explicit Lexer(std::string_view src) : src_(src) {}

  Result<std::vector<Token>> Run() {
    bool trim_next = false;
    while (pos_ <= src_.size()) {
      size_t d = src_.find("{{", pos_);
      size_t text_end = d == std::string_view::npos ? src_.size() : d;
      std::string_view text = src_.substr(pos_, text_end - pos_);
      Pos text_pos = PosAt(pos_);
      if (trim_next) {
        while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
      }
      bool left_trim = d != std::string_view::npos && d + 3 < src_.size() && src_[d + 2] == '-' &&
                       IsSpace(src_[d + 3]);
      if (left_trim) {
        while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
      }
      if (!text.empty()) Emit(Tok::kText, text_pos, std::string(text));
      if (d == std::string_view::npos) break;
      size_t p = d + 2 + (left_trim ? 2 : 0);
      if (src_.substr(p, 2) == "/*") {
        size_t c = src_.find("*/", p + 2);
        if (c == std::string_view::npos) return Error(d, "unclosed comment");
        size_t q = c + 2;
        if (q < src_.size() && IsSpace(src_[q]) && src_.substr(q + 1, 3) == "-}}") {
          trim_next = true;
          pos_ = q + 4;
        } else if (src_.substr(q, 2) == "}}") {
          trim_next = false;
          pos_ = q + 2;
        } else {
          return Error(q, "comment ends before closing delimiter");
        }
        continue;
      }
      Emit(Tok::kLeftDelim, PosAt(d), "{{");
      pos_ = p;
      OLLA_ASSIGN_OR_RETURN(trim_next, LexAction(d));
    }
    Emit(Tok::kEof, PosAt(src_.size()), "");
    return std::move(tokens_);
  }

 private:
  Pos PosAt(size_t offset) {
    // Positions are computed incrementally; a step back (an error at an earlier offset) rescans.
    if (offset < line_scan_) {
      line_ = 1;
      line_start_ = 0;
      line_scan_ = 0;
    }
    for (; line_scan_ < offset && line_scan_ < src_.size(); ++line_scan_) {
      if (src_[line_scan_] == '\n') {
        ++line_;
        line_start_ = line_scan_ + 1;
      }
    }
    return Pos{line_, static_cast<int>(offset - line_start_) + 1};
  }

  Status Error(size_t offset, std::string_view msg) {
    Pos p = PosAt(offset);
    return Status::InvalidArgument(StrCat("template: ", p.line, ":", p.col, ": ", msg));
  }

  void Emit(Tok type, Pos pos, std::string text) {
    tokens_.push_back(Token{type, pos, std::move(text), space_});
    space_ = false;
  }

  // Lexes the inside of an action started at `open`; returns whether it ended with " -}}".
  Result<bool> LexAction(size_t open) {
    space_ = false;
    int parens = 0;
    while (true) {
      if (pos_ >= src_.size()) return Error(open, "unclosed action");
      char c = src_[pos_];
      if (IsSpace(c) && src_.substr(pos_ + 1, 3) == "-}}") {
        if (parens > 0) return Error(pos_, "unclosed left paren");
        Emit(Tok::kRightDelim, PosAt(pos_), "}}");
        pos_ += 4;
        return true;
      }
      if (src_.substr(pos_, 2) == "}}") {
        if (parens > 0) return Error(pos_, "unclosed left paren");
        Emit(Tok::kRightDelim, PosAt(pos_), "}}");
        pos_ += 2;
        return false;
      }
      if (IsSpace(c)) {
        space_ = true;
        ++pos_;
        continue;
      }
      size_t start = pos_;
      Pos p = PosAt(start);
      if (c == '"' || c == '`') {
        OLLA_ASSIGN_OR_RETURN(std::string s, LexString(c));
        Emit(Tok::kString, p, std::move(s));
      } else if (c == '\'') {
        OLLA_ASSIGN_OR_RETURN(std::string s, LexString('\''));
        size_t i = 0;
        uint32_t cp = utf8::DecodeNext(s, &i);
        if (s.empty() || i != s.size()) return Error(start, "malformed character constant");
        Emit(Tok::kChar, p, std::to_string(cp));
      } else if (c == '.' && pos_ + 1 < src_.size() &&
                 std::isdigit(static_cast<unsigned char>(src_[pos_ + 1]))) {
        OLLA_RETURN_IF_ERROR(LexNumber(p));
      } else if (c == '.') {
        ++pos_;
        size_t b = pos_;
        while (pos_ < src_.size() && IsAlnum(src_[pos_])) ++pos_;
        if (pos_ == b) {
          Emit(Tok::kDot, p, ".");
        } else {
          Emit(Tok::kField, p, std::string(src_.substr(b, pos_ - b)));
        }
      } else if (c == '$') {
        ++pos_;
        while (pos_ < src_.size() && IsAlnum(src_[pos_])) ++pos_;
        Emit(Tok::kVariable, p, std::string(src_.substr(start, pos_ - start)));
      } else if (std::isdigit(static_cast<unsigned char>(c)) ||
                 ((c == '-' || c == '+') && pos_ + 1 < src_.size() &&
                  (std::isdigit(static_cast<unsigned char>(src_[pos_ + 1])) ||
                   src_[pos_ + 1] == '.'))) {
        OLLA_RETURN_IF_ERROR(LexNumber(p));
      } else if (IsAlnum(c)) {
        while (pos_ < src_.size() && IsAlnum(src_[pos_])) ++pos_;
        Emit(Tok::kIdentifier, p, std::string(src_.substr(start, pos_ - start)));
      } else if (c == '|') {
        ++pos_;
        Emit(Tok::kPipe, p, "|");
      } else if (c == '(') {
        ++pos_;
        ++parens;
        Emit(Tok::kLParen, p, "(");
      } else if (c == ')') {
        ++pos_;
        if (--parens < 0) return Error(start, "unexpected right paren");
        Emit(Tok::kRParen, p, ")");
      } else if (c == ',') {
        ++pos_;
        Emit(Tok::kComma, p, ",");
      } else if (c == ':') {
        if (src_.substr(pos_, 2) != ":=") return Error(start, "expected :=");
        pos_ += 2;
        Emit(Tok::kDeclare, p, ":=");
      } else if (c == '=') {
        ++pos_;
        Emit(Tok::kAssign, p, "=");
      } else {
        return Error(start, StrCat("unrecognized character in action: '", std::string(1, c), "'"));
      }
    }
  }

  Status LexNumber(Pos p) {
    size_t start = pos_;
    if (src_[pos_] == '+' || src_[pos_] == '-') ++pos_;
    bool hex = false;
    if (src_.substr(pos_, 2) == "0x" || src_.substr(pos_, 2) == "0X") {
      hex = true;
      pos_ += 2;
    } else if (src_.substr(pos_, 2) == "0o" || src_.substr(pos_, 2) == "0O" ||
               src_.substr(pos_, 2) == "0b" || src_.substr(pos_, 2) == "0B") {
      pos_ += 2;
    }
    while (pos_ < src_.size()) {
      char c = src_[pos_];
      bool digit = hex ? std::isxdigit(static_cast<unsigned char>(c))
                       : std::isdigit(static_cast<unsigned char>(c));
      if (digit || c == '_' || c == '.') {
        ++pos_;
      } else if (!hex && (c == 'e' || c == 'E')) {
        ++pos_;
        if (pos_ < src_.size() && (src_[pos_] == '+' || src_[pos_] == '-')) ++pos_;
      } else {
        break;
      }
    }
    if (pos_ < src_.size() && IsAlnum(src_[pos_])) return Error(start, "bad number syntax");
    Emit(Tok::kNumber, p, std::string(src_.substr(start, pos_ - start)));
    return Status::Ok();
  }

  Result<std::string> LexString(char quote) {
    size_t start = pos_++;
    std::string out;
    while (true) {
      if (pos_ >= src_.size()) return Error(start, "unterminated quoted string");
      char c = src_[pos_++];
      if (c == quote) return out;
      if (quote == '`') {
        if (c != '\r') out += c;
        continue;
      }
      if (c == '\n') return Error(start, "unterminated quoted string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= src_.size()) return Error(start, "unterminated quoted string");
      char e = src_[pos_++];
      switch (e) {
        case 'a':
          out += '\a';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'v':
          out += '\v';
          break;
        case '\\':
          out += '\\';
          break;
        case '\'':
        case '"':
          out += e;
          break;
        case 'x':
        case 'u':
        case 'U': {
          int n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
          uint32_t v = 0;
          for (int i = 0; i < n; ++i) {
            if (pos_ >= src_.size() || !std::isxdigit(static_cast<unsigned char>(src_[pos_]))) {
              return Error(start, "invalid escape in quoted string");
            }
            char h = src_[pos_++];
            v = v * 16 + static_cast<uint32_t>(std::isdigit(static_cast<unsigned char>(h))
                                                   ? h - '0'
                                                   : (std::tolower(h) - 'a' + 10));
          }
          if (e == 'x') {
            out += static_cast<char>(v);
          } else {
            utf8::Append(out, v);
          }
          break;
        }
        default:
          if (e >= '0' && e <= '7') {
            uint32_t v = static_cast<uint32_t>(e - '0');
            for (int i = 0; i < 2; ++i) {
              if (pos_ >= src_.size() || src_[pos_] < '0' || src_[pos_] > '7') {
                return Error(start, "invalid escape in quoted string");
              }
              v = v * 8 + static_cast<uint32_t>(src_[pos_++] - '0');
            }
            if (v > 255) return Error(start, "invalid escape in quoted string");
            out += static_cast<char>(v);
            break;
          }
          return Error(start, "invalid escape in quoted string");
      }
    }
  }

  std::string_view src_;
  size_t pos_ = 0;
  bool space_ = false;
  std::vector<Token> tokens_;
  int line_ = 1;
  size_t line_start_ = 0;
  size_t line_scan_ = 0;
};

}  // namespace

Result<std::vector<Token>> Lex(std::string_view src) { return Lexer(src).Run(); }

}  // namespace olla::chat::gotmpl
