// Grammar IR: character sets, the checks and tables Finalize() adds, and printing back to GBNF.

#include "grammar/grammar.h"

#include <algorithm>
#include <deque>
#include <limits>
#include <unordered_set>

#include "base/str_cat.h"
#include "base/utf8.h"

namespace olla::grammar {
namespace {

constexpr uint32_t kInf = std::numeric_limits<uint32_t>::max();
constexpr uint32_t kSurrogateLo = 0xD800;
constexpr uint32_t kSurrogateHi = 0xDFFF;

uint32_t Utf8Len(uint32_t cp) { return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4; }

uint32_t AddSat(uint32_t a, uint32_t b) {
  return (a == kInf || b == kInf || a + b < a) ? kInf : a + b;
}

uint32_t ElemMinBytes(const Grammar& g, const Element& e, const std::vector<uint32_t>& rule_min) {
  switch (e.type) {
    case ElemType::kChar:
      return Utf8Len(e.value);
    case ElemType::kClass: {
      const CharClass& cc = g.classes[e.value];
      return cc.empty() ? kInf : Utf8Len(cc.ranges[0].first);
    }
    case ElemType::kRuleRef:
      return rule_min[e.value];
    default:
      return 0;
  }
}

// Appends `cp` for use inside a GBNF literal ("...") or class ([...]).
void AppendEscaped(std::string& out, uint32_t cp, bool in_class) {
  const bool special =
      cp == '"' || cp == '\\' || (in_class && (cp == ']' || cp == '-' || cp == '^' || cp == '['));
  if (special) {
    out.push_back('\\');
    out.push_back(static_cast<char>(cp));
  } else if (cp == '\n') {
    out.append("\\n");
  } else if (cp == '\t') {
    out.append("\\t");
  } else if (cp == '\r') {
    out.append("\\r");
  } else if (cp < 0x20 || cp == 0x7F) {
    out.append(StrFormat("\\x%02X", cp));
  } else if (cp >= 0x80 && (in_class || cp < 0xA0)) {
    out.append(cp <= 0xFFFF ? StrFormat("\\u%04X", cp) : StrFormat("\\U%08X", cp));
  } else {
    utf8::Append(out, cp);
  }
}

}  // namespace

bool CharClass::ContainsSlow(uint32_t cp) const {
  auto it = std::upper_bound(
      ranges.begin(), ranges.end(), cp,
      [](uint32_t v, const std::pair<uint32_t, uint32_t>& r) { return v < r.first; });
  return it != ranges.begin() && std::prev(it)->second >= cp;
}

bool CharClass::Intersects(uint32_t lo, uint32_t hi) const {
  // First range that ends at or after lo; it intersects if it starts at or before hi.
  auto it = std::lower_bound(
      ranges.begin(), ranges.end(), lo,
      [](const std::pair<uint32_t, uint32_t>& r, uint32_t v) { return r.second < v; });
  return it != ranges.end() && it->first <= hi;
}

CharClass CharClass::Make(std::vector<std::pair<uint32_t, uint32_t>> in, bool negate) {
  std::vector<std::pair<uint32_t, uint32_t>> merged;
  for (auto& r : in) r.second = std::min(r.second, kMaxCodePoint);
  std::erase_if(in, [](const auto& r) { return r.first > r.second; });
  std::sort(in.begin(), in.end());
  for (const auto& r : in) {
    if (!merged.empty() && r.first <= merged.back().second + 1) {
      merged.back().second = std::max(merged.back().second, r.second);
    } else {
      merged.push_back(r);
    }
  }
  if (negate) {
    std::vector<std::pair<uint32_t, uint32_t>> comp;
    uint32_t next = 0;
    for (const auto& r : merged) {
      if (r.first > next) comp.emplace_back(next, r.first - 1);
      next = r.second + 1;
    }
    if (next <= kMaxCodePoint) comp.emplace_back(next, kMaxCodePoint);
    merged = std::move(comp);
  }
  CharClass cc;
  for (const auto& r : merged) {  // drop surrogates: they are not characters
    if (r.second < kSurrogateLo || r.first > kSurrogateHi) {
      cc.ranges.push_back(r);
      continue;
    }
    if (r.first < kSurrogateLo) cc.ranges.emplace_back(r.first, kSurrogateLo - 1);
    if (r.second > kSurrogateHi) cc.ranges.emplace_back(kSurrogateHi + 1, r.second);
  }
  for (const auto& r : cc.ranges) {
    for (uint32_t cp = r.first; cp <= std::min<uint32_t>(r.second, 127); ++cp) {
      cc.ascii[cp >> 6] |= uint64_t{1} << (cp & 63);
    }
  }
  return cc;
}

Status Finalize(Grammar& g) {
  const size_t n_rules = g.n_rules();
  if (n_rules == 0 || g.root >= n_rules)
    return Status::InvalidArgument("gbnf: grammar has no root rule");
  if (g.elems.size() > kMaxElements) {
    return Status::InvalidArgument(
        StrCat("gbnf: grammar too large (", g.elems.size(), " elements)"));
  }
  // Alternatives, and a sanity check of grammars built without the parser.
  g.alt_begin.assign(1, 0);
  g.alt_start.clear();
  std::vector<std::vector<uint32_t>> users(n_rules);  // users[s]: rules whose bodies reference s
  for (size_t r = 0; r < n_rules; ++r) {
    size_t i = g.rule_start[r];
    g.alt_start.push_back(static_cast<uint32_t>(i));
    for (;; ++i) {
      if (i >= g.elems.size()) return Status::InvalidArgument("gbnf: rule body without end");
      const Element& e = g.elems[i];
      if (e.type == ElemType::kEnd) break;
      if (e.type == ElemType::kAlt) g.alt_start.push_back(static_cast<uint32_t>(i + 1));
      if (e.type == ElemType::kRuleRef) {
        if (e.value >= n_rules) return Status::InvalidArgument("gbnf: reference to a missing rule");
        users[e.value].push_back(static_cast<uint32_t>(r));
      }
      if (e.type == ElemType::kClass && e.value >= g.classes.size()) {
        return Status::InvalidArgument("gbnf: reference to a missing character class");
      }
      if (e.type == ElemType::kChar && e.value > kMaxCodePoint) {
        return Status::InvalidArgument("gbnf: code point out of range");
      }
    }
    g.alt_begin.push_back(static_cast<uint32_t>(g.alt_start.size()));
  }

  // Fewest bytes each rule can match: a worklist fixpoint (values only decrease).
  std::vector<uint32_t> rule_min(n_rules, kInf);
  std::deque<uint32_t> work;
  std::vector<bool> queued(n_rules, true);
  for (uint32_t r = 0; r < n_rules; ++r) work.push_back(r);
  while (!work.empty()) {
    const uint32_t r = work.front();
    work.pop_front();
    queued[r] = false;
    uint32_t best = kInf;
    for (uint32_t a = g.alt_begin[r]; a < g.alt_begin[r + 1]; ++a) {
      uint32_t sum = 0;
      for (uint32_t i = g.alt_start[a]; !Grammar::IsEndOfAlt(g.elems[i]); ++i) {
        sum = AddSat(sum, ElemMinBytes(g, g.elems[i], rule_min));
      }
      best = std::min(best, sum);
    }
    if (best < rule_min[r]) {
      rule_min[r] = best;
      for (uint32_t u : users[r]) {
        if (!queued[u]) {
          queued[u] = true;
          work.push_back(u);
        }
      }
    }
  }
  for (size_t r = 0; r < n_rules; ++r) {
    if (rule_min[r] == kInf) {
      return Status::InvalidArgument(
          StrCat("gbnf: rule '", g.rule_names[r],
                 "' can never finish (it only recurses or matches nothing)"));
    }
  }
  g.suffix_min_bytes.assign(g.elems.size(), 0);
  for (size_t a = 0; a < g.alt_start.size(); ++a) {
    size_t end = g.alt_start[a];
    while (!Grammar::IsEndOfAlt(g.elems[end])) ++end;
    uint32_t sum = 0;
    for (size_t i = end; i-- > g.alt_start[a];) {
      sum = AddSat(sum, ElemMinBytes(g, g.elems[i], rule_min));
      g.suffix_min_bytes[i] = sum;
    }
  }

  // Left recursion: a rule reachable from itself without consuming input would make the
  // matcher's expansion loop forever. Edges r -> s where s can start r (past nullable refs).
  std::vector<std::vector<uint32_t>> left(n_rules);
  for (size_t r = 0; r < n_rules; ++r) {
    for (uint32_t a = g.alt_begin[r]; a < g.alt_begin[r + 1]; ++a) {
      for (uint32_t i = g.alt_start[a]; g.elems[i].type == ElemType::kRuleRef; ++i) {
        left[r].push_back(g.elems[i].value);
        if (rule_min[g.elems[i].value] != 0) break;
      }
    }
  }
  std::vector<uint8_t> color(n_rules, 0);  // 0 new, 1 on the DFS stack, 2 done
  std::vector<std::pair<uint32_t, size_t>> stack;
  for (uint32_t start = 0; start < n_rules; ++start) {
    if (color[start] != 0) continue;
    stack.emplace_back(start, 0);
    color[start] = 1;
    while (!stack.empty()) {
      auto& [r, next] = stack.back();
      if (next == left[r].size()) {
        color[r] = 2;
        stack.pop_back();
        continue;
      }
      const uint32_t s = left[r][next++];
      if (color[s] == 1) {
        return Status::InvalidArgument(
            StrCat("gbnf: left recursion in rule '", g.rule_names[s], "'"));
      }
      if (color[s] == 0) {
        color[s] = 1;
        stack.emplace_back(s, 0);
      }
    }
  }
  return Status::Ok();
}

std::string Grammar::ToGbnf() const {
  // Generated names may collide with user names: print unique ones.
  std::vector<std::string> names(n_rules());
  std::unordered_set<std::string> used;
  for (size_t r = 0; r < n_rules(); ++r) {
    std::string name = rule_names[r];
    for (int k = 2; !used.insert(name).second; ++k) name = StrCat(rule_names[r], "-", k);
    names[r] = std::move(name);
  }
  std::string out;
  for (size_t r = 0; r < n_rules(); ++r) {
    StrAppend(out, names[r], " ::=");
    bool in_literal = false;
    for (size_t i = rule_start[r];; ++i) {
      const Element& e = elems[i];
      if (e.type != ElemType::kChar && in_literal) {
        out.push_back('"');
        in_literal = false;
      }
      if (e.type == ElemType::kEnd) {
        if (i == rule_start[r] || Grammar::IsEndOfAlt(elems[i - 1])) out.append(" \"\"");
        break;
      }
      switch (e.type) {
        case ElemType::kAlt:
          // An empty alternative prints as "": a trailing `|` would continue on the next line.
          if (i == rule_start[r] || Grammar::IsEndOfAlt(elems[i - 1])) out.append(" \"\"");
          out.append(" |");
          break;
        case ElemType::kRuleRef:
          StrAppend(out, " ", names[e.value]);
          break;
        case ElemType::kChar:
          if (!in_literal) out.append(" \"");
          in_literal = true;
          AppendEscaped(out, e.value, false);
          break;
        case ElemType::kClass: {
          out.append(" [");
          for (const auto& [lo, hi] : classes[e.value].ranges) {
            AppendEscaped(out, lo, true);
            if (hi != lo) {
              out.push_back('-');
              AppendEscaped(out, hi, true);
            }
          }
          out.push_back(']');
          break;
        }
        default:
          break;
      }
    }
    out.push_back('\n');
  }
  return out;
}

}  // namespace olla::grammar
