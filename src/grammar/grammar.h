#pragma once
// Grammar: the compiled form of a GBNF grammar (llama.cpp's grammar syntax), the input of the
// Matcher. ParseGbnf() reads the text form; JSON Schema compilation (json_schema.h) emits text
// that goes through the same parser.
//
// GBNF, as accepted here (llama.cpp's `grammars/README.md` dialect):
//   rule      ::= name "::=" alternates NEWLINE        names: [A-Za-z0-9_-]+; `root` is the start
//   alternates::= sequence ("|" sequence)*             newlines are allowed after "::=" and "|",
//   sequence  ::= (item repeat?)*                      and anywhere inside parentheses
//   item      ::= "literal" | [class] | [^class] | . | name | ( alternates )
//   repeat    ::= * | + | ? | {m} | {m,} | {m,n} | {,n}
// Literals and classes take the escapes \xHH \uHHHH \UHHHHHHHH \t \n \r \\ \" \[ \] \- \^ \/;
// `#` starts a comment that runs to the end of the line. Text is UTF-8; classes and `.` match
// one Unicode code point (surrogates never match).
//
// Besides syntax, ParseGbnf() rejects grammars the matcher cannot run: undefined rules, left
// recursion (also through rules that can match the empty string), rules that can never finish,
// repetition bounds above kMaxRepetition and grammars above kMaxElements elements. Errors are
// kInvalidArgument "gbnf:LINE:COL: message" (1-based), or name the rule.

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace olla::grammar {

inline constexpr uint32_t kMaxCodePoint = 0x10FFFF;
inline constexpr uint32_t kMaxRepetition = 100000;       // the largest m or n in x{m,n}
inline constexpr size_t kMaxElements = size_t{1} << 22;  // after expanding repetitions

// One symbol of a rule body. A rule is its alternatives, each a run of kChar/kClass/kRuleRef
// elements, separated by kAlt and closed by kEnd.
enum class ElemType : uint8_t {
  kEnd,      // end of the last alternative of a rule
  kAlt,      // end of an alternative that another one follows
  kRuleRef,  // value: rule index
  kChar,     // value: one code point
  kClass,    // value: index into Grammar::classes (also `.` and negated classes)
};

struct Element {
  ElemType type = ElemType::kEnd;
  uint32_t value = 0;
};

// A set of code points: sorted, disjoint, non-adjacent inclusive ranges (negation already
// applied, surrogates D800-DFFF removed), plus a bitmap of its ASCII part for the common case.
struct CharClass {
  std::vector<std::pair<uint32_t, uint32_t>> ranges;
  std::array<uint64_t, 2> ascii{};

  bool Contains(uint32_t cp) const {
    if (cp < 128) return (ascii[cp >> 6] >> (cp & 63)) & 1;
    return ContainsSlow(cp);
  }
  // True if some code point in [lo, hi] is in the set.
  bool Intersects(uint32_t lo, uint32_t hi) const;
  bool empty() const { return ranges.empty(); }

  // Builds the normalized set of `ranges` (any order, may overlap), complemented if `negate`.
  static CharClass Make(std::vector<std::pair<uint32_t, uint32_t>> ranges, bool negate);

 private:
  bool ContainsSlow(uint32_t cp) const;
};

struct Grammar {
  std::vector<Element> elems;           // all rule bodies, back to back
  std::vector<uint32_t> rule_start;     // [n_rules]: index of a rule's first element
  std::vector<std::string> rule_names;  // [n_rules]; generated rules are "parent_N"
  std::vector<CharClass> classes;
  std::vector<uint32_t> alt_begin;  // [n_rules + 1]: the rule's alternatives are
  std::vector<uint32_t> alt_start;  //   alt_start[alt_begin[r] .. alt_begin[r + 1])
  // Fewest UTF-8 bytes that complete the current alternative from element i on ([elems.size()];
  // 0 at kAlt/kEnd). Filled by Finalize(); used for MinCompletionBytes().
  std::vector<uint32_t> suffix_min_bytes;
  uint32_t root = 0;

  size_t n_rules() const { return rule_start.size(); }
  static bool IsEndOfAlt(const Element& e) {
    return e.type == ElemType::kEnd || e.type == ElemType::kAlt;
  }

  // Renders the grammar back to GBNF (generated rules included); parses to the same language.
  std::string ToGbnf() const;
};

// Parses GBNF text; `root_rule` names the start rule.
Result<std::shared_ptr<const Grammar>> ParseGbnf(std::string_view text,
                                                 std::string_view root_rule = "root");

// Computes alt_begin/alt_start/suffix_min_bytes and checks what ParseGbnf() promises beyond
// syntax (left recursion, rules that never finish, size). Called by ParseGbnf(); exposed for
// code that builds a Grammar directly.
Status Finalize(Grammar& g);

}  // namespace olla::grammar
