// Numeric ranges as grammars: decimal digit strings for an integer interval, and JSON numbers
// between integer bounds.
//
// Digits of [lo, hi]: split by length, then per length the classic digit-range construction:
// for equal-length bounds "a..." and "b...", either the first digits agree (emit it and
// recurse), or the range is "a" then [rest of a .. 9...] | the full middle digits | "b" then
// [0... .. rest of b].
//
// A number v in a range, written s·(I + f) with integer part I and fraction f in [0, 1), is
// decided by I, the sign and whether f is zero: with integer bounds, v >= L needs I >= L (for
// L > 0, any fraction); v > L needs I > L, or I = L with f > 0; v <= H needs I < H, or I = H
// with f = 0; v < H needs I < H. Negative numbers apply the mirrored bounds to u = -v.
// Exponents are left out of bounded numbers.

#include <algorithm>

#include "base/str_cat.h"
#include "grammar/json_schema_internal.h"

namespace olla::grammar::internal {
namespace {

constexpr size_t kMaxDigits = 16;  // as llama.cpp's integral-part; int64 stays exact

std::string DigitClass(char lo, char hi) {
  if (lo == hi) return StrCat("\"", std::string(1, lo), "\"");
  if (lo == '0' && hi == '9') return "[0-9]";
  return StrCat("[", std::string(1, lo), "-", std::string(1, hi), "]");
}

std::string AnyDigits(size_t n) {
  if (n == 0) return "";
  return n == 1 ? "[0-9]" : StrCat("[0-9]{", n, "}");
}

std::string Join(const std::vector<std::string>& alts) {
  if (alts.size() == 1) return alts[0];
  std::string out = "(";
  for (size_t k = 0; k < alts.size(); ++k) StrAppend(out, k ? " | " : "", alts[k]);
  return out + ")";
}

std::string Seq(const std::string& a, const std::string& b) {
  return b.empty() ? a : a.empty() ? b : a + " " + b;
}

// Digit strings of the same length n between lo and hi (lo <= hi, leading zeros kept).
std::string SameLength(const std::string& lo, const std::string& hi) {
  const size_t n = lo.size();
  if (n == 0) return "";
  if (lo[0] == hi[0]) return Seq(DigitClass(lo[0], lo[0]), SameLength(lo.substr(1), hi.substr(1)));
  const std::string lo_rest = lo.substr(1), hi_rest = hi.substr(1);
  const bool lo_zeros = lo_rest.find_first_not_of('0') == std::string::npos;
  const bool hi_nines = hi_rest.find_first_not_of('9') == std::string::npos;
  std::vector<std::string> alts;
  if (!lo_zeros)
    alts.push_back(Seq(DigitClass(lo[0], lo[0]), SameLength(lo_rest, std::string(n - 1, '9'))));
  const char mid_lo = lo_zeros ? lo[0] : static_cast<char>(lo[0] + 1);
  const char mid_hi = hi_nines ? hi[0] : static_cast<char>(hi[0] - 1);
  if (mid_lo <= mid_hi) alts.push_back(Seq(DigitClass(mid_lo, mid_hi), AnyDigits(n - 1)));
  if (!hi_nines)
    alts.push_back(Seq(DigitClass(hi[0], hi[0]), SameLength(std::string(n - 1, '0'), hi_rest)));
  return Join(alts);
}

enum class Frac { kAny, kZero, kNonZero, kNone };

Frac Meet(Frac a, Frac b) {
  if (a == Frac::kAny) return b;
  if (b == Frac::kAny) return a;
  return a == b ? a : Frac::kNone;
}

struct Piece {  // integer part in [a, b] (b absent: unbounded) with a fraction of kind f
  int64_t a;
  std::optional<int64_t> b;
  Frac f;
};

// Pieces for u = I + f >= 0 with the given bounds on u.
std::vector<Piece> Side(std::optional<int64_t> lo, bool lo_ex, std::optional<int64_t> hi,
                        bool hi_ex) {
  std::vector<Piece> lower, upper, out;
  if (!lo || (!lo_ex && *lo <= 0) || (lo_ex && *lo < 0)) {
    lower.push_back({0, std::nullopt, Frac::kAny});
  } else if (!lo_ex) {
    lower.push_back({*lo, std::nullopt, Frac::kAny});
  } else {
    lower.push_back({*lo + 1, std::nullopt, Frac::kAny});
    lower.push_back({*lo, *lo, Frac::kNonZero});
  }
  if (!hi) {
    upper.push_back({0, std::nullopt, Frac::kAny});
  } else if (!hi_ex) {
    if (*hi >= 1) upper.push_back({0, *hi - 1, Frac::kAny});
    if (*hi >= 0) upper.push_back({*hi, *hi, Frac::kZero});
  } else if (*hi >= 1) {
    upper.push_back({0, *hi - 1, Frac::kAny});
  }
  for (const Piece& l : lower) {
    for (const Piece& u : upper) {
      Piece p{std::max(l.a, u.a), l.b, Meet(l.f, u.f)};
      if (u.b && (!p.b || *u.b < *p.b)) p.b = u.b;
      if (p.f != Frac::kNone && (!p.b || p.a <= *p.b)) out.push_back(p);
    }
  }
  return out;
}

std::string FracGbnf(Frac f) {
  switch (f) {
    case Frac::kZero:
      return "(\".\" \"0\"{1,16})?";
    case Frac::kNonZero:
      return "\".\" \"0\"{0,15} [1-9] [0-9]{0,15}";
    default:
      return "(\".\" [0-9]{1,16})?";
  }
}

}  // namespace

std::string DigitsInRange(int64_t lo, std::optional<int64_t> hi) {
  const std::string lo_s = std::to_string(lo);
  std::vector<std::string> alts;
  if (hi) {
    const std::string hi_s = std::to_string(*hi);
    for (size_t len = lo_s.size(); len <= hi_s.size(); ++len) {
      const std::string a = len == lo_s.size() ? lo_s : "1" + std::string(len - 1, '0');
      const std::string b = len == hi_s.size() ? hi_s : std::string(len, '9');
      alts.push_back(SameLength(a, b));
    }
  } else {
    alts.push_back(SameLength(lo_s, std::string(lo_s.size(), '9')));
    const size_t max_len = std::max(kMaxDigits, lo_s.size() + 1);
    alts.push_back(StrCat("[1-9] [0-9]{", lo_s.size(), ",", max_len - 1, "}"));
  }
  return Join(alts);
}

Result<std::string> NumberInRange(const NumberBounds& b, bool integer) {
  std::vector<std::string> alts;
  if (integer) {
    std::optional<int64_t> lo = b.lo, hi = b.hi;
    if (lo && b.lo_exclusive) ++*lo;
    if (hi && b.hi_exclusive) --*hi;
    if (!hi || *hi >= 0) {
      const int64_t a = lo ? std::max<int64_t>(*lo, 0) : 0;
      if (!hi || a <= *hi) alts.push_back(DigitsInRange(a, hi));
    }
    if (!lo || *lo < 0) {  // magnitudes of the negative part
      const int64_t a = (!hi || *hi >= 0) ? 1 : -*hi;
      const std::optional<int64_t> m = lo ? std::optional<int64_t>(-*lo) : std::nullopt;
      if (!m || a <= *m) alts.push_back(StrCat("\"-\" ", DigitsInRange(a, m)));
    }
  } else {
    for (const Piece& p : Side(b.lo, b.lo_exclusive, b.hi, b.hi_exclusive)) {
      alts.push_back(StrCat(DigitsInRange(p.a, p.b), " ", FracGbnf(p.f)));
    }
    const auto neg = [](std::optional<int64_t> v) {
      return v ? std::optional<int64_t>(-*v) : std::nullopt;
    };
    for (const Piece& p : Side(neg(b.hi), b.hi_exclusive, neg(b.lo), b.lo_exclusive)) {
      alts.push_back(StrCat("\"-\" ", DigitsInRange(p.a, p.b), " ", FracGbnf(p.f)));
    }
  }
  if (alts.empty()) return Status::InvalidArgument("the numeric range holds no number");
  std::string out = alts[0];
  for (size_t k = 1; k < alts.size(); ++k) StrAppend(out, " | ", alts[k]);
  return alts.size() == 1 ? out : StrCat("(", out, ")");
}

}  // namespace olla::grammar::internal
