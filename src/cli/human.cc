#include "cli/human.h"

#include <cmath>

#include "base/str_cat.h"

namespace olla::cli {

std::string HumanNumber(uint64_t n) {
  const double v = static_cast<double>(n);
  auto whole = [](double x) { return x == std::floor(x); };
  if (n >= 1000000000ULL) {
    double b = v / 1e9;
    return whole(b) ? StrFormat("%.0fB", b) : StrFormat("%.1fB", b);
  }
  if (n >= 1000000ULL) {
    double m = v / 1e6;
    return whole(m) ? StrFormat("%.0fM", m) : StrFormat("%.2fM", m);
  }
  if (n >= 1000ULL) return StrFormat("%.0fK", v / 1e3);
  return StrCat(n);
}

std::string HumanBytes(int64_t bytes) {
  double value = static_cast<double>(bytes);
  const char* unit = "B";
  if (bytes >= 1000000000000LL) {
    value /= 1e12;
    unit = "TB";
  } else if (bytes >= 1000000000LL) {
    value /= 1e9;
    unit = "GB";
  } else if (bytes >= 1000000LL) {
    value /= 1e6;
    unit = "MB";
  } else if (bytes >= 1000LL) {
    value /= 1e3;
    unit = "KB";
  } else {
    return StrCat(bytes, " B");
  }
  if (value >= 10) return StrFormat("%d %s", static_cast<int>(value), unit);
  // One decimal, truncated: Ollama prints 4683075271 bytes as "4.6 GB".
  if (value != std::floor(value)) return StrFormat("%.1f %s", std::floor(value * 10) / 10, unit);
  return StrFormat("%d %s", static_cast<int>(value), unit);
}

}  // namespace olla::cli

namespace olla::cli {
namespace {
// Appends v / 10^prec with trailing zeros (and a trailing dot) removed, as Go's fmtFrac/fmtInt.
std::string FormatScaled(uint64_t v, int prec) {
  uint64_t pow = 1;
  for (int i = 0; i < prec; ++i) pow *= 10;
  std::string frac;
  uint64_t f = v % pow;
  if (f != 0) {
    frac = std::to_string(f);
    frac.insert(0, static_cast<size_t>(prec) - frac.size(), '0');
    while (!frac.empty() && frac.back() == '0') frac.pop_back();
    frac.insert(0, ".");
  }
  return std::to_string(v / pow) + frac;
}
}  // namespace

std::string GoDuration(int64_t ns) {
  if (ns == 0) return "0s";
  std::string sign = ns < 0 ? "-" : "";
  uint64_t u = ns < 0 ? static_cast<uint64_t>(-(ns + 1)) + 1 : static_cast<uint64_t>(ns);
  if (u < 1000ULL) return sign + std::to_string(u) + "ns";
  if (u < 1000000ULL) return sign + FormatScaled(u, 3) + "\xC2\xB5s";
  if (u < 1000000000ULL) return sign + FormatScaled(u, 6) + "ms";
  uint64_t secs_ns = u % 60000000000ULL;
  uint64_t mins_total = u / 60000000000ULL;
  std::string out = FormatScaled(secs_ns, 9) + "s";
  if (mins_total > 0) {
    out = std::to_string(mins_total % 60) + "m" + out;
    if (mins_total >= 60) out = std::to_string(mins_total / 60) + "h" + out;
  }
  return sign + out;
}

}  // namespace olla::cli
