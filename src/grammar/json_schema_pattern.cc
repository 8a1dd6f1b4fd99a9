// GBNF spelling helpers and the `pattern` regex -> GBNF translation.
//
// A pattern constrains the decoded string, but the grammar produces its JSON spelling, so each
// matched character is emitted as JSON writes it: `"` as \" , `\` as \\ , newline as \n. The
// character classes are the safe side of ECMAScript's where the two can differ: \d \w \s and
// their negations stay ASCII (a validator's locale may treat other letters or spaces either
// way); control characters other than \t \n \r are left out.

#include <algorithm>

#include "base/str_cat.h"
#include "base/utf8.h"
#include "grammar/grammar.h"
#include "grammar/json_schema_internal.h"

namespace olla::grammar::internal {
namespace {

using Ranges = std::vector<std::pair<uint32_t, uint32_t>>;

void AppendClassChar(std::string& out, uint32_t cp) {
  if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9')) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x80) {
    out.append(StrFormat("\\x%02X", cp));
  } else if (cp <= 0xFFFF) {
    out.append(StrFormat("\\u%04X", cp));
  } else {
    out.append(StrFormat("\\U%08X", cp));
  }
}

Ranges Intersect(const Ranges& a, const Ranges& b) {  // both normalized
  Ranges out;
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const uint32_t lo = std::max(a[i].first, b[j].first), hi = std::min(a[i].second, b[j].second);
    if (lo <= hi) out.emplace_back(lo, hi);
    (a[i].second < b[j].second) ? ++i : ++j;
  }
  return out;
}

// The JSON spelling of one character of a string, as a GBNF literal.
std::string JsonCharLiteral(uint32_t cp) {
  switch (cp) {
    case '"':
      return GbnfLiteral("\\\"");
    case '\\':
      return GbnfLiteral("\\\\");
    case '\n':
      return GbnfLiteral("\\n");
    case '\r':
      return GbnfLiteral("\\r");
    case '\t':
      return GbnfLiteral("\\t");
    case '\b':
      return GbnfLiteral("\\b");
    case '\f':
      return GbnfLiteral("\\f");
    default:
      break;
  }
  if (cp < 0x20) return GbnfLiteral(StrFormat("\\u%04x", cp));
  std::string s;
  utf8::Append(s, cp);
  return GbnfLiteral(s);
}

const Ranges kDigit = {{'0', '9'}};
const Ranges kWord = {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}};
const Ranges kSpace = {{'\t', '\r'}, {' ', ' '}};
const Ranges kAscii = {{0, 0x7F}};

Ranges AsciiComplement(const Ranges& r) {
  return Intersect(CharClass::Make(r, true).ranges, kAscii);
}

class PatternCompiler {
 public:
  explicit PatternCompiler(std::vector<uint32_t> p) : p_(std::move(p)) {}

  Result<std::string> Run() {
    bool anchored_start = false, anchored_end = false;
    if (!p_.empty() && p_[0] == '^') {
      anchored_start = true;
      p_.erase(p_.begin());
    }
    if (!p_.empty() && p_.back() == '$') {
      size_t backslashes = 0;
      for (size_t k = p_.size() - 1; k > 0 && p_[k - 1] == '\\'; --k) ++backslashes;
      if (backslashes % 2 == 0) {
        anchored_end = true;
        p_.pop_back();
      }
    }
    OLLA_ASSIGN_OR_RETURN(Piece body, Alternation(0));
    if (i_ < p_.size()) return Err("unbalanced ')'");
    std::string out = anchored_start ? "" : "char* ";
    StrAppend(out, "(", body.gbnf, ")", anchored_end ? "" : " char*");
    return out;
  }

 private:
  struct Piece {
    std::string gbnf;
    bool nullable = false;
  };

  Status Err(std::string_view what) const {
    return Status::InvalidArgument(StrCat("pattern: ", what, " (at character ", i_, ")"));
  }
  bool More() const { return i_ < p_.size(); }
  uint32_t Peek(size_t ahead = 0) const { return i_ + ahead < p_.size() ? p_[i_ + ahead] : 0; }

  Result<Piece> Alternation(int depth) {
    if (depth > 64) return Err("groups nested too deeply");
    Piece out;
    bool first = true;
    for (;;) {
      OLLA_ASSIGN_OR_RETURN(Piece seq, Sequence(depth));
      if (!first) out.gbnf += " | ";
      out.gbnf += seq.gbnf.empty() ? "\"\"" : seq.gbnf;
      out.nullable = out.nullable || seq.nullable;
      first = false;
      if (Peek() != '|' || !More()) break;
      ++i_;
    }
    return out;
  }

  Result<Piece> Sequence(int depth) {
    Piece out{"", true};
    while (More() && Peek() != '|' && Peek() != ')') {
      OLLA_ASSIGN_OR_RETURN(Piece atom, Atom(depth));
      OLLA_ASSIGN_OR_RETURN(atom, Quantified(std::move(atom)));
      if (!out.gbnf.empty()) out.gbnf += " ";
      out.gbnf += atom.gbnf;
      out.nullable = out.nullable && atom.nullable;
    }
    return out;
  }

  // {m}, {m,}, {m,n} at i_ (JS reads any other '{' as a literal).
  bool BraceQuantifier(uint32_t& min, uint32_t& max, bool& unbounded, size_t& end) const {
    size_t k = i_ + 1;
    auto number = [&](uint32_t& v) {
      const size_t start = k;
      uint64_t acc = 0;
      while (k < p_.size() && p_[k] >= '0' && p_[k] <= '9')
        acc = std::min<uint64_t>(acc * 10 + (p_[k++] - '0'), 1u << 30);
      v = static_cast<uint32_t>(acc);
      return k > start;
    };
    if (!number(min)) return false;
    max = min;
    unbounded = false;
    if (k < p_.size() && p_[k] == ',') {
      ++k;
      unbounded = !number(max);
    }
    if (k >= p_.size() || p_[k] != '}') return false;
    end = k + 1;
    return true;
  }

  Result<Piece> Quantified(Piece atom) {
    uint32_t min = 0, max = 0;
    bool unbounded = false;
    const uint32_t c = Peek();
    size_t end = 0;
    if (c == '*' || c == '+' || c == '?') {
      min = c == '+' ? 1 : 0;
      max = 1;
      unbounded = c != '?';
      end = i_ + 1;
    } else if (!(c == '{' && BraceQuantifier(min, max, unbounded, end))) {
      return atom;
    }
    if (!unbounded && max < min) return Err("quantifier range out of order");
    if (min > kMaxRepetition || (!unbounded && max > kMaxRepetition)) {
      return Err(StrCat("quantifier above ", kMaxRepetition));
    }
    i_ = end;
    if (Peek() == '?') ++i_;  // lazy: the same strings
    if (Peek() == '*' || Peek() == '+' || Peek() == '?' || Peek() == '{')
      return Err("nothing to repeat");
    if (atom.nullable && (unbounded || max > 1))
      return Err("repetition of something that can be empty");
    std::string op = c == '*' || c == '+' || c == '?' ? std::string(1, static_cast<char>(c))
                     : unbounded                      ? StrCat("{", min, ",}")
                                                      : StrCat("{", min, ",", max, "}");
    return Piece{StrCat("(", atom.gbnf, ")", op), atom.nullable || min == 0};
  }

  Result<Piece> Atom(int depth) {
    const uint32_t c = Peek();
    if (c == '(') {
      ++i_;
      if (Peek() == '?') {
        if (Peek(1) == ':') {
          i_ += 2;
        } else if (Peek(1) == '<' && Peek(2) != '=' && Peek(2) != '!') {  // named group
          while (More() && Peek() != '>') ++i_;
          ++i_;
        } else {
          return Err("lookaround is not supported");
        }
      }
      OLLA_ASSIGN_OR_RETURN(Piece inner, Alternation(depth + 1));
      if (Peek() != ')' || !More()) return Err("missing ')'");
      ++i_;
      return Piece{StrCat("(", inner.gbnf, ")"), inner.nullable};
    }
    if (c == '[') return ClassAtom();
    if (c == '.') {
      ++i_;
      return SetPiece(CharClass::Make({{'\n', '\n'}, {'\r', '\r'}, {0x2028, 0x2029}}, true).ranges);
    }
    if (c == '^' || c == '$') return Err("anchors are only supported at the start and end");
    if (c == '*' || c == '+' || c == '?') return Err("nothing to repeat");
    uint32_t min = 0, max = 0;
    bool unbounded = false;
    size_t end = 0;
    if (c == '{' && BraceQuantifier(min, max, unbounded, end)) return Err("nothing to repeat");
    if (c == '\\') {
      Ranges set;
      OLLA_ASSIGN_OR_RETURN(uint32_t cp, Escape(false, &set));
      if (!set.empty()) return SetPiece(set);
      return Piece{JsonCharLiteral(cp), false};
    }
    ++i_;
    return Piece{JsonCharLiteral(c), false};
  }

  // After a backslash at i_. Sets `set` for class escapes (\d ...), else returns the character.
  Result<uint32_t> Escape(bool in_class, Ranges* set) {
    ++i_;
    if (!More()) return Err("pattern ends with '\\'");
    const uint32_t e = p_[i_++];
    switch (e) {
      case 'd':
        *set = kDigit;
        return 0u;
      case 'D':
        *set = AsciiComplement(kDigit);
        return 0u;
      case 'w':
        *set = kWord;
        return 0u;
      case 'W':
        *set = AsciiComplement(kWord);
        return 0u;
      case 's':
        *set = kSpace;
        return 0u;
      case 'S':
        *set = AsciiComplement(kSpace);
        return 0u;
      case 't':
        return uint32_t{'\t'};
      case 'n':
        return uint32_t{'\n'};
      case 'r':
        return uint32_t{'\r'};
      case 'f':
        return uint32_t{'\f'};
      case 'v':
        return uint32_t{'\v'};
      case 'b':
        if (in_class) return uint32_t{'\b'};
        return Err("word boundaries (\\b) are not supported");
      case '0':
        if (Peek() >= '0' && Peek() <= '9') return Err("octal escapes are not supported");
        return 0u;
      case 'x':
      case 'u': {
        const int digits = e == 'x' ? 2 : 4;
        uint32_t v = 0;
        for (int k = 0; k < digits; ++k) {
          const uint32_t h = Peek();
          const int d = h >= '0' && h <= '9'   ? int(h - '0')
                        : h >= 'a' && h <= 'f' ? int(h - 'a' + 10)
                        : h >= 'A' && h <= 'F' ? int(h - 'A' + 10)
                                               : -1;
          if (d < 0) return Err("bad hex escape");
          v = v * 16 + static_cast<uint32_t>(d);
          ++i_;
        }
        if (v >= 0xD800 && v <= 0xDFFF) return Err("surrogate escapes are not supported");
        return v;
      }
      default:
        break;
    }
    if ((e >= '1' && e <= '9') || e == 'k') return Err("backreferences are not supported");
    if (e == 'B' || e == 'c' || e == 'p' || e == 'P')
      return Err(StrCat("'\\", std::string(1, static_cast<char>(e)), "' is not supported"));
    if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z')) return Err("unknown escape");
    return static_cast<uint32_t>(e);  // escaped punctuation stands for itself
  }

  Result<Piece> ClassAtom() {
    ++i_;
    bool negate = false;
    if (Peek() == '^') {
      negate = true;
      ++i_;
    }
    Ranges ranges;
    while (Peek() != ']') {
      if (!More()) return Err("missing ']'");
      Ranges set;
      uint32_t lo = 0;
      if (Peek() == '\\') {
        OLLA_ASSIGN_OR_RETURN(lo, Escape(true, &set));
      } else {
        lo = p_[i_++];
      }
      if (!set.empty()) {
        ranges.insert(ranges.end(), set.begin(), set.end());
        continue;
      }
      uint32_t hi = lo;
      if (Peek() == '-' && Peek(1) != ']' && i_ + 1 < p_.size()) {
        ++i_;
        if (Peek() == '\\') {
          OLLA_ASSIGN_OR_RETURN(hi, Escape(true, &set));
          if (!set.empty()) return Err("class escape as a range end");
        } else {
          hi = p_[i_++];
        }
        if (hi < lo) return Err("character range out of order");
      }
      ranges.emplace_back(lo, hi);
    }
    ++i_;
    return SetPiece(CharClass::Make(std::move(ranges), negate).ranges);
  }

  // The JSON spellings of the characters in `ranges`.
  Result<Piece> SetPiece(const Ranges& ranges) {
    const Ranges norm = CharClass::Make(ranges, false).ranges;
    const Ranges plain = Intersect(
        norm, CharClass::Make({{0, 0x1F}, {'"', '"'}, {'\\', '\\'}, {0x7F, 0x7F}}, true).ranges);
    std::vector<std::string> alts;
    if (!plain.empty()) alts.push_back(GbnfClass(plain));
    for (uint32_t cp :
         {uint32_t{'"'}, uint32_t{'\\'}, uint32_t{'\n'}, uint32_t{'\r'}, uint32_t{'\t'}}) {
      const CharClass cc = CharClass::Make(norm, false);
      if (cc.Contains(cp)) alts.push_back(JsonCharLiteral(cp));
    }
    if (alts.empty()) return Err("character set without a character a JSON string can hold");
    std::string out = alts[0];
    for (size_t k = 1; k < alts.size(); ++k) StrAppend(out, " | ", alts[k]);
    return Piece{alts.size() == 1 ? out : StrCat("(", out, ")"), false};
  }

  std::vector<uint32_t> p_;
  size_t i_ = 0;
};

}  // namespace

std::string GbnfLiteral(std::string_view text) {
  std::string out = "\"";
  size_t pos = 0;
  while (pos < text.size()) {
    const uint32_t cp = utf8::DecodeNext(text, &pos);
    switch (cp) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:
        if (cp < 0x20 || cp == 0x7F) {
          out.append(StrFormat("\\x%02X", cp));
        } else if (cp >= 0x80 && cp < 0xA0) {
          out.append(StrFormat("\\u%04X", cp));
        } else {
          utf8::Append(out, cp);
        }
    }
  }
  out.push_back('"');
  return out;
}

std::string GbnfClass(const std::vector<std::pair<uint32_t, uint32_t>>& ranges) {
  std::string out = "[";
  for (const auto& [lo, hi] : ranges) {
    AppendClassChar(out, lo);
    if (hi != lo) {
      out.push_back('-');
      AppendClassChar(out, hi);
    }
  }
  out.push_back(']');
  return out;
}

Result<std::string> PatternToGbnf(std::string_view pattern) {
  if (!utf8::IsValid(pattern)) return Status::InvalidArgument("pattern: invalid UTF-8");
  std::vector<uint32_t> cps;
  for (size_t pos = 0; pos < pattern.size();) cps.push_back(utf8::DecodeNext(pattern, &pos));
  return PatternCompiler(std::move(cps)).Run();
}

}  // namespace olla::grammar::internal
