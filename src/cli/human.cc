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
