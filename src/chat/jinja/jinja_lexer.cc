#include "chat/jinja/jinja_lexer.h"

#include <cctype>

#include "base/str_cat.h"
#include "base/utf8.h"

namespace olla::chat::jinja {
namespace {

bool IsWs(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool IsNameStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || (c & 0x80);
}
bool IsNameChar(char c) { return IsNameStart(c) || std::isdigit(static_cast<unsigned char>(c)); }

class Lexer {
 public:
  Lexer(std::string_view src, const LexOptions& opts) : src_(src), opts_(opts) {}

  Result<std::vector<Token>> Run() {
    bool strip_ws = false;       // previous tag ended with '-'
    bool strip_newline = false;  // previous block/comment tag ends a line (trim_blocks)
    bool line_starting = true;
    while (pos_ <= src_.size()) {
      size_t d = FindTagStart(pos_);
      std::string_view text =
          src_.substr(pos_, (d == std::string_view::npos ? src_.size() : d) - pos_);
      size_t text_pos = pos_;
      if (strip_ws) {
        while (!text.empty() && IsWs(text.front())) text.remove_prefix(1), ++text_pos;
      } else if (strip_newline) {
        if (text.substr(0, 1) == "\n") {
          text.remove_prefix(1), ++text_pos;
          line_starting = true;
        } else if (text.substr(0, 2) == "\r\n") {
          text.remove_prefix(2), text_pos += 2;
          line_starting = true;
        }
      }
      if (d != std::string_view::npos) {
        char kind = src_[d + 1];
        char mod = d + 2 < src_.size() ? src_[d + 2] : '\0';
        if (mod == '-') {
          while (!text.empty() && IsWs(text.back())) text.remove_suffix(1);
        } else if (opts_.lstrip_blocks && kind != '{' && mod != '+') {
          size_t nl = text.rfind('\n');
          size_t l_pos = nl == std::string_view::npos ? 0 : nl + 1;
          if (l_pos > 0 || line_starting) {
            std::string_view tail = text.substr(l_pos);
            bool all_ws = !tail.empty();
            for (char c : tail) all_ws = all_ws && IsWs(c);
            if (all_ws) text = text.substr(0, l_pos);
          }
        }
      }
      if (!text.empty()) Emit(Tok::kText, text_pos, std::string(text));
      if (d == std::string_view::npos) break;
      strip_ws = strip_newline = line_starting = false;
      char kind = src_[d + 1];
      size_t p = d + 2;
      if (p < src_.size() && (src_[p] == '-' || src_[p] == '+')) ++p;
      if (kind == '#') {
        size_t c = src_.find("#}", p);
        if (c == std::string_view::npos) return Error(d, "unterminated comment");
        strip_ws = c > p && src_[c - 1] == '-';
        strip_newline = opts_.trim_blocks && !strip_ws;
        pos_ = c + 2;
        continue;
      }
      if (kind == '%' && IsRawStart(p)) {
        OLLA_RETURN_IF_ERROR(LexRaw(d, &strip_ws, &strip_newline));
        continue;
      }
      Emit(kind == '{' ? Tok::kExprOpen : Tok::kStmtOpen, d, kind == '{' ? "{{" : "{%");
      pos_ = p;
      OLLA_ASSIGN_OR_RETURN(char close_mod, LexInside(d, kind == '{' ? "}}" : "%}"));
      strip_ws = close_mod == '-';
      strip_newline = kind == '%' && opts_.trim_blocks && close_mod == '\0';
    }
    Emit(Tok::kEof, src_.size(), "");
    return std::move(toks_);
  }

 private:
  size_t FindTagStart(size_t from) const {
    for (size_t i = src_.find('{', from); i != std::string_view::npos; i = src_.find('{', i + 1)) {
      if (i + 1 < src_.size() && (src_[i + 1] == '{' || src_[i + 1] == '%' || src_[i + 1] == '#'))
        return i;
    }
    return std::string_view::npos;
  }

  Pos PosAt(size_t offset) const {
    Pos p;
    size_t line_start = 0;
    for (size_t i = 0; i < offset && i < src_.size(); ++i) {
      if (src_[i] == '\n') ++p.line, line_start = i + 1;
    }
    p.col = static_cast<int>(offset - line_start) + 1;
    return p;
  }

  Status Error(size_t offset, std::string_view msg) const {
    Pos p = PosAt(offset);
    return Status::InvalidArgument(StrCat("jinja: line ", p.line, ":", p.col, ": ", msg));
  }

  void Emit(Tok type, size_t offset, std::string text) {
    // Positions are computed incrementally (offsets only grow here).
    for (; scan_ < offset && scan_ < src_.size(); ++scan_) {
      if (src_[scan_] == '\n') ++line_, line_start_ = scan_ + 1;
    }
    toks_.push_back(
        Token{type, Pos{line_, static_cast<int>(offset - line_start_) + 1}, std::move(text)});
  }

  size_t SkipWs(size_t p) const {
    while (p < src_.size() && IsWs(src_[p])) ++p;
    return p;
  }

  // "{% raw %}": the word raw followed by the tag end.
  bool IsRawStart(size_t p) const {
    p = SkipWs(p);
    if (src_.substr(p, 3) != "raw" || (p + 3 < src_.size() && IsNameChar(src_[p + 3])))
      return false;
    p = SkipWs(p + 3);
    if (p < src_.size() && (src_[p] == '-' || src_[p] == '+')) ++p;
    return src_.substr(p, 2) == "%}";
  }

  Status LexRaw(size_t d, bool* strip_ws, bool* strip_newline) {
    size_t p = SkipWs(d + 2 + ((src_[d + 2] == '-' || src_[d + 2] == '+') ? 1 : 0)) + 3;
    p = SkipWs(p);
    bool trim_after_open = src_[p] == '-';
    if (src_[p] == '-' || src_[p] == '+') ++p;
    size_t body = p + 2;
    for (size_t e = src_.find("{%", body); e != std::string_view::npos;
         e = src_.find("{%", e + 2)) {
      size_t q = e + 2;
      bool trim_before_end = q < src_.size() && src_[q] == '-';
      if (q < src_.size() && (src_[q] == '-' || src_[q] == '+')) ++q;
      q = SkipWs(q);
      if (src_.substr(q, 6) != "endraw") continue;
      q = SkipWs(q + 6);
      char mod = '\0';
      if (q < src_.size() && (src_[q] == '-' || src_[q] == '+')) mod = src_[q++];
      if (src_.substr(q, 2) != "%}") continue;
      std::string_view text = src_.substr(body, e - body);
      if (trim_after_open) {
        while (!text.empty() && IsWs(text.front())) text.remove_prefix(1);
      } else if (opts_.trim_blocks && text.substr(0, 1) == "\n") {
        text.remove_prefix(1);
      }
      if (trim_before_end) {
        while (!text.empty() && IsWs(text.back())) text.remove_suffix(1);
      }
      if (!text.empty()) Emit(Tok::kText, body, std::string(text));
      pos_ = q + 2;
      *strip_ws = mod == '-';
      *strip_newline = opts_.trim_blocks && mod == '\0';
      return Status::Ok();
    }
    return Error(d, "missing endraw");
  }

  // Lexes tokens until `close` ("}}" or "%}") outside brackets; returns the close modifier.
  Result<char> LexInside(size_t open, std::string_view close) {
    int depth = 0;
    while (true) {
      pos_ = SkipWs(pos_);
      if (pos_ >= src_.size())
        return Error(open, StrCat("unexpected end of template, expected '", close, "'"));
      char c = src_[pos_];
      if (depth == 0) {
        if ((c == '-' || c == '+') && src_.substr(pos_ + 1, 2) == close) {
          Emit(close == "}}" ? Tok::kExprClose : Tok::kStmtClose, pos_, std::string(close));
          pos_ += 3;
          return c;
        }
        if (src_.substr(pos_, 2) == close) {
          Emit(close == "}}" ? Tok::kExprClose : Tok::kStmtClose, pos_, std::string(close));
          pos_ += 2;
          return '\0';
        }
      }
      size_t start = pos_;
      if (IsNameStart(c)) {
        while (pos_ < src_.size() && IsNameChar(src_[pos_])) ++pos_;
        Emit(Tok::kName, start, std::string(src_.substr(start, pos_ - start)));
      } else if (std::isdigit(static_cast<unsigned char>(c))) {
        LexNumber();
      } else if (c == '\'' || c == '"') {
        OLLA_ASSIGN_OR_RETURN(std::string s, LexString(c));
        Emit(Tok::kString, start, std::move(s));
      } else {
        static constexpr std::string_view kTwo[] = {"//", "**", "==", "!=", "<=", ">="};
        std::string op;
        for (auto two : kTwo) {
          if (src_.substr(pos_, 2) == two) op = std::string(two);
        }
        if (op.empty()) {
          if (std::string_view("+-*/%~<>()[]{},.:|=!").find(c) == std::string_view::npos) {
            return Error(pos_, StrCat("unexpected character '", std::string(1, c), "'"));
          }
          op = std::string(1, c);
        }
        if (op == "(" || op == "[" || op == "{") ++depth;
        if ((op == ")" || op == "]" || op == "}") && depth > 0) --depth;
        pos_ += op.size();
        Emit(Tok::kOp, start, std::move(op));
      }
    }
  }

  void LexNumber() {
    size_t start = pos_;
    auto digits = [&] {
      while (pos_ < src_.size() &&
             (std::isdigit(static_cast<unsigned char>(src_[pos_])) || src_[pos_] == '_'))
        ++pos_;
    };
    digits();
    bool is_float = false;
    if (pos_ + 1 < src_.size() && src_[pos_] == '.' &&
        std::isdigit(static_cast<unsigned char>(src_[pos_ + 1]))) {
      is_float = true;
      ++pos_;
      digits();
    }
    if (pos_ < src_.size() && (src_[pos_] == 'e' || src_[pos_] == 'E')) {
      size_t q = pos_ + 1;
      if (q < src_.size() && (src_[q] == '+' || src_[q] == '-')) ++q;
      if (q < src_.size() && std::isdigit(static_cast<unsigned char>(src_[q]))) {
        is_float = true;
        pos_ = q;
        digits();
      }
    }
    std::string text;
    for (char ch : src_.substr(start, pos_ - start)) {
      if (ch != '_') text += ch;
    }
    Emit(is_float ? Tok::kFloat : Tok::kInt, start, std::move(text));
  }

  // Python string literal escapes (what Jinja's unicode-escape decoding accepts).
  Result<std::string> LexString(char quote) {
    size_t start = pos_++;
    std::string out;
    while (true) {
      if (pos_ >= src_.size()) return Error(start, "unterminated string");
      char c = src_[pos_++];
      if (c == quote) return out;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= src_.size()) return Error(start, "unterminated string");
      char e = src_[pos_++];
      switch (e) {
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case 'a':
          out += '\a';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'v':
          out += '\v';
          break;
        case '0':
          out += '\0';
          break;
        case '\\':
        case '\'':
        case '"':
          out += e;
          break;
        case '\n':
          break;
        case 'x':
        case 'u':
        case 'U': {
          int n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
          uint32_t v = 0;
          int got = 0;
          for (; got < n && pos_ < src_.size() &&
                 std::isxdigit(static_cast<unsigned char>(src_[pos_]));
               ++got) {
            char h = src_[pos_++];
            v = v * 16 + static_cast<uint32_t>(std::isdigit(static_cast<unsigned char>(h))
                                                   ? h - '0'
                                                   : std::tolower(h) - 'a' + 10);
          }
          if (got != n) return Error(start, "truncated \\x/\\u escape");
          utf8::Append(out, v);
          break;
        }
        default:
          out += '\\';
          out += e;
      }
    }
  }

  std::string_view src_;
  LexOptions opts_;
  size_t pos_ = 0;
  std::vector<Token> toks_;
  int line_ = 1;
  size_t line_start_ = 0;
  size_t scan_ = 0;
};

}  // namespace

Result<std::vector<Token>> Lex(std::string_view src, const LexOptions& opts) {
  return Lexer(src, opts).Run();
}

}  // namespace olla::chat::jinja
