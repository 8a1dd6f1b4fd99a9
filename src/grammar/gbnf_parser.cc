// GBNF text -> Grammar. A recursive-descent parser over llama.cpp's grammar syntax (grammar.h).
// Groups and repetitions become generated rules, as in llama.cpp's parser:
//   x*      -> S ::= x S |
//   x+      -> x S
//   x?      -> R ::= x |
//   x{m,n}  -> x (m times) then n-m nested optionals  R1 ::= x R2 | ... ; x{m,} ends with S.
// Right recursion keeps the matcher's stacks flat: the reference is the last element, so
// nothing is pushed for its continuation.

#include <map>
#include <unordered_map>

#include "base/str_cat.h"
#include "base/utf8.h"
#include "grammar/grammar.h"

namespace olla::grammar {
namespace {

constexpr int kMaxNesting = 256;  // parentheses

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Result<std::shared_ptr<const Grammar>> Run(std::string_view root_rule) {
    SkipSpace(true);
    while (pos_ < text_.size()) {
      OLLA_RETURN_IF_ERROR(ParseRule());
      SkipSpace(true);
    }
    for (uint32_t r = 0; r < bodies_.size(); ++r) {
      if (!defined_[r]) return Error(first_use_[r], StrCat("undefined rule '", names_[r], "'"));
    }
    auto root = ids_.find(std::string(root_rule));
    if (root == ids_.end()) {
      return Status::InvalidArgument(StrCat("gbnf: grammar has no rule named '", root_rule, "'"));
    }
    auto g = std::make_shared<Grammar>();
    g->root = root->second;
    g->rule_names = names_;
    g->classes = std::move(classes_);
    for (auto& body : bodies_) {
      g->rule_start.push_back(static_cast<uint32_t>(g->elems.size()));
      g->elems.insert(g->elems.end(), body.begin(), body.end());
    }
    OLLA_RETURN_IF_ERROR(Finalize(*g));
    return std::shared_ptr<const Grammar>(std::move(g));
  }

 private:
  Status Error(size_t at, std::string_view msg) const {
    size_t line = 1, col = 1;
    for (size_t i = 0; i < at && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    return Status::InvalidArgument(StrCat("gbnf:", line, ":", col, ": ", msg));
  }

  char Peek(size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  bool AtEnd() const { return pos_ >= text_.size(); }

  // Skips blanks and comments; newlines only when `newline_ok`.
  void SkipSpace(bool newline_ok) {
    while (!AtEnd()) {
      const char c = Peek();
      if (c == ' ' || c == '\t') {
        ++pos_;
      } else if (c == '#') {
        while (!AtEnd() && Peek() != '\n') ++pos_;
      } else if ((c == '\n' || c == '\r') && newline_ok) {
        ++pos_;
      } else {
        break;
      }
    }
  }

  uint32_t NewRule(std::string name, size_t at) {
    names_.push_back(std::move(name));
    bodies_.emplace_back();
    defined_.push_back(false);
    first_use_.push_back(at);
    return static_cast<uint32_t>(bodies_.size() - 1);
  }

  uint32_t RuleId(const std::string& name, size_t at) {
    auto [it, inserted] = ids_.try_emplace(name, 0);
    if (inserted) it->second = NewRule(name, at);
    return it->second;
  }

  uint32_t GeneratedRule(const std::string& parent) {
    return NewRule(StrCat(parent, "_", ++n_generated_), pos_);
  }

  Status CheckSize(size_t add) {
    n_elems_ += add;
    if (n_elems_ > kMaxElements) return Error(pos_, "grammar too large");
    return Status::Ok();
  }

  Status ParseRule() {
    const size_t start = pos_;
    while (!AtEnd() && IsNameChar(Peek())) ++pos_;
    if (pos_ == start) return Error(pos_, "expected a rule name");
    const std::string name(text_.substr(start, pos_ - start));
    SkipSpace(false);
    if (text_.substr(pos_, 3) != "::=") return Error(pos_, "expected '::='");
    pos_ += 3;
    SkipSpace(true);
    const uint32_t id = RuleId(name, start);
    if (defined_[id]) return Error(start, StrCat("rule '", name, "' defined twice"));
    defined_[id] = true;
    std::vector<Element> body;
    OLLA_RETURN_IF_ERROR(ParseAlternates(name, body, false, 0));
    bodies_[id] = std::move(body);
    SkipSpace(false);
    if (Peek() == '\r') ++pos_;
    if (Peek() == '\n') {
      ++pos_;
    } else if (!AtEnd()) {
      return Error(
          pos_, StrCat("unexpected '", std::string(1, Peek()), "'; expected the end of the rule"));
    }
    return Status::Ok();
  }

  Status ParseAlternates(const std::string& rule, std::vector<Element>& out, bool nested,
                         int depth) {
    OLLA_RETURN_IF_ERROR(ParseSequence(rule, out, nested, depth));
    while (Peek() == '|') {
      ++pos_;
      out.push_back({ElemType::kAlt, 0});
      SkipSpace(true);
      OLLA_RETURN_IF_ERROR(ParseSequence(rule, out, nested, depth));
    }
    out.push_back({ElemType::kEnd, 0});
    return CheckSize(1);
  }

  Status ParseSequence(const std::string& rule, std::vector<Element>& out, bool nested, int depth) {
    size_t last = std::string::npos;  // start of the last item in `out`, for repetitions
    while (!AtEnd()) {
      const char c = Peek();
      const size_t item_pos = pos_;
      if (c == '"') {
        last = out.size();
        OLLA_RETURN_IF_ERROR(ParseLiteral(out));
      } else if (c == '[') {
        last = out.size();
        OLLA_ASSIGN_OR_RETURN(uint32_t cls, ParseClass());
        out.push_back({ElemType::kClass, cls});
      } else if (c == '.') {
        ++pos_;
        last = out.size();
        out.push_back({ElemType::kClass, ClassId(CharClass::Make({{0, kMaxCodePoint}}, false))});
      } else if (IsNameChar(c)) {
        const size_t start = pos_;
        while (!AtEnd() && IsNameChar(Peek())) ++pos_;
        last = out.size();
        out.push_back(
            {ElemType::kRuleRef, RuleId(std::string(text_.substr(start, pos_ - start)), start)});
      } else if (c == '(') {
        if (depth >= kMaxNesting) return Error(pos_, "parentheses nested too deeply");
        ++pos_;
        SkipSpace(true);
        const uint32_t sub = GeneratedRule(rule);
        std::vector<Element> body;
        OLLA_RETURN_IF_ERROR(ParseAlternates(rule, body, true, depth + 1));
        if (Peek() != ')') return Error(pos_, "expected ')'");
        ++pos_;
        bodies_[sub] = std::move(body);
        defined_[sub] = true;
        last = out.size();
        out.push_back({ElemType::kRuleRef, sub});
      } else if (c == '*' || c == '+' || c == '?' || c == '{') {
        if (last == std::string::npos)
          return Error(pos_, StrCat("'", std::string(1, c), "' without an item before it"));
        uint32_t min = 0, max = 0;
        bool unbounded = false;
        if (c == '{') {
          OLLA_RETURN_IF_ERROR(ParseBraces(min, max, unbounded));
        } else {
          ++pos_;
          min = c == '+' ? 1 : 0;
          max = c == '?' ? 1 : 0;
          unbounded = c != '?';
        }
        OLLA_RETURN_IF_ERROR(Repeat(rule, out, last, min, max, unbounded, item_pos));
      } else {
        break;
      }
      OLLA_RETURN_IF_ERROR(CheckSize(1));
      SkipSpace(nested);
    }
    return Status::Ok();
  }

  // {m} {m,} {m,n} {,n}
  Status ParseBraces(uint32_t& min, uint32_t& max, bool& unbounded) {
    const size_t open = pos_;
    ++pos_;
    auto number = [&](bool& present) -> Result<uint32_t> {
      SkipSpace(false);
      uint64_t v = 0;
      present = false;
      while (Peek() >= '0' && Peek() <= '9') {
        present = true;
        v = v * 10 + static_cast<uint64_t>(Peek() - '0');
        if (v > kMaxRepetition)
          return Error(pos_, StrCat("repetition bound above ", kMaxRepetition));
        ++pos_;
      }
      SkipSpace(false);
      return static_cast<uint32_t>(v);
    };
    bool has_min = false, has_max = false;
    OLLA_ASSIGN_OR_RETURN(min, number(has_min));
    if (Peek() == ',') {
      ++pos_;
      OLLA_ASSIGN_OR_RETURN(max, number(has_max));
      unbounded = !has_max;
      if (!has_min && !has_max) return Error(open, "empty repetition bounds");
    } else {
      if (!has_min) return Error(open, "expected a number in '{}'");
      max = min;
    }
    if (Peek() != '}') return Error(pos_, "expected '}'");
    ++pos_;
    if (!unbounded && max < min) return Error(open, "repetition maximum below its minimum");
    return Status::Ok();
  }

  Status Repeat(const std::string& rule, std::vector<Element>& out, size_t last, uint32_t min,
                uint32_t max, bool unbounded, size_t at) {
    const std::vector<Element> item(out.begin() + static_cast<ptrdiff_t>(last), out.end());
    out.resize(last);
    if (item.empty()) return Error(at, "repetition of an empty item");
    const uint64_t extra = unbounded ? 1 : uint64_t{max} - min;
    OLLA_RETURN_IF_ERROR(CheckSize((uint64_t{min} + extra) * (item.size() + 2)));
    for (uint32_t k = 0; k < min; ++k) out.insert(out.end(), item.begin(), item.end());
    if (unbounded) {  // S ::= item S |
      const uint32_t s = GeneratedRule(rule);
      std::vector<Element> body = item;
      body.push_back({ElemType::kRuleRef, s});
      body.push_back({ElemType::kAlt, 0});
      body.push_back({ElemType::kEnd, 0});
      bodies_[s] = std::move(body);
      defined_[s] = true;
      out.push_back({ElemType::kRuleRef, s});
    } else if (max > min) {  // innermost first: R_1 ::= item | ;  R_k ::= item R_(k-1) |
      uint32_t inner = 0;
      for (uint32_t k = 0; k < max - min; ++k) {
        const uint32_t r = GeneratedRule(rule);
        std::vector<Element> body = item;
        if (k > 0) body.push_back({ElemType::kRuleRef, inner});
        body.push_back({ElemType::kAlt, 0});
        body.push_back({ElemType::kEnd, 0});
        bodies_[r] = std::move(body);
        defined_[r] = true;
        inner = r;
      }
      out.push_back({ElemType::kRuleRef, inner});
    }
    return Status::Ok();
  }

  // One character of a literal or class, with escapes; the text is UTF-8.
  Result<uint32_t> ParseChar() {
    if (Peek() == '\\') {
      const size_t at = pos_;
      ++pos_;
      if (AtEnd()) return Error(at, "unterminated escape");
      const char e = Peek();
      ++pos_;
      int digits = 0;
      switch (e) {
        case 'x':
          digits = 2;
          break;
        case 'u':
          digits = 4;
          break;
        case 'U':
          digits = 8;
          break;
        case 't':
          return uint32_t{'\t'};
        case 'n':
          return uint32_t{'\n'};
        case 'r':
          return uint32_t{'\r'};
        case '\\':
        case '"':
        case '[':
        case ']':
        case '-':
        case '^':
        case '/':
          return static_cast<uint32_t>(e);
        default:
          return Error(at, StrCat("unknown escape '\\", std::string(1, e), "'"));
      }
      uint32_t v = 0;
      for (int k = 0; k < digits; ++k) {
        const int h = HexValue(Peek());
        if (h < 0) return Error(pos_, "expected a hex digit");
        v = v * 16 + static_cast<uint32_t>(h);
        ++pos_;
      }
      if (v > kMaxCodePoint || (v >= 0xD800 && v <= 0xDFFF))
        return Error(at, "escape is not a Unicode scalar value");
      return v;
    }
    const size_t at = pos_;
    const size_t len = utf8::SequenceLength(static_cast<uint8_t>(Peek()));
    if (len == 0 || !utf8::IsValid(text_.substr(pos_, len))) return Error(at, "invalid UTF-8");
    size_t p = pos_;
    const uint32_t cp = utf8::DecodeNext(text_, &p);
    pos_ = p;
    return cp;
  }

  Status ParseLiteral(std::vector<Element>& out) {
    const size_t open = pos_;
    ++pos_;
    while (Peek() != '"') {
      if (AtEnd() || Peek() == '\n' || Peek() == '\r')
        return Error(open, "unterminated string literal");
      OLLA_ASSIGN_OR_RETURN(uint32_t cp, ParseChar());
      out.push_back({ElemType::kChar, cp});
      OLLA_RETURN_IF_ERROR(CheckSize(1));
    }
    ++pos_;
    return Status::Ok();
  }

  Result<uint32_t> ParseClass() {
    const size_t open = pos_;
    ++pos_;
    bool negate = false;
    if (Peek() == '^') {
      negate = true;
      ++pos_;
    }
    std::vector<std::pair<uint32_t, uint32_t>> ranges;
    while (Peek() != ']') {
      if (AtEnd() || Peek() == '\n' || Peek() == '\r')
        return Error(open, "unterminated character class");
      const size_t at = pos_;
      OLLA_ASSIGN_OR_RETURN(uint32_t lo, ParseChar());
      uint32_t hi = lo;
      if (Peek() == '-' && Peek(1) != ']' && Peek(1) != '\0') {
        ++pos_;
        OLLA_ASSIGN_OR_RETURN(hi, ParseChar());
        if (hi < lo) return Error(at, "character range out of order");
      }
      ranges.emplace_back(lo, hi);
    }
    ++pos_;
    return ClassId(CharClass::Make(std::move(ranges), negate));
  }

  uint32_t ClassId(CharClass cc) {
    auto [it, inserted] = class_ids_.try_emplace(cc.ranges, static_cast<uint32_t>(classes_.size()));
    if (inserted) classes_.push_back(std::move(cc));
    return it->second;
  }

  std::string_view text_;
  size_t pos_ = 0;
  std::vector<std::vector<Element>> bodies_;  // per rule
  std::vector<std::string> names_;
  std::vector<bool> defined_;
  std::vector<size_t> first_use_;  // text offset of a rule's first mention, for errors
  std::unordered_map<std::string, uint32_t> ids_;  // user-visible names only
  std::vector<CharClass> classes_;
  std::map<std::vector<std::pair<uint32_t, uint32_t>>, uint32_t> class_ids_;
  size_t n_elems_ = 0;
  uint32_t n_generated_ = 0;
};

}  // namespace

Result<std::shared_ptr<const Grammar>> ParseGbnf(std::string_view text,
                                                 std::string_view root_rule) {
  return Parser(text).Run(root_rule);
}

}  // namespace olla::grammar
