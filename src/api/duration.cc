#include "api/duration.h"

#include <cmath>
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string>

#include "base/str_cat.h"

namespace olla::api {

Result<std::chrono::nanoseconds> ParseGoDuration(std::string_view text) {
  const std::string quoted = StrCat("\"", text, "\"");
  std::string_view s = text;
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return std::chrono::nanoseconds(0);
  if (s.empty()) return Status::InvalidArgument(StrCat("time: invalid duration ", quoted));
  long double total = 0;
  while (!s.empty()) {
    size_t i = 0;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
    if (i == 0) return Status::InvalidArgument(StrCat("time: invalid duration ", quoted));
    std::string num(s.substr(0, i));
    if (num == "." || std::count(num.begin(), num.end(), '.') > 1)
      return Status::InvalidArgument(StrCat("time: invalid duration ", quoted));
    s.remove_prefix(i);
    size_t u = 0;
    while (u < s.size() && !std::isdigit(static_cast<unsigned char>(s[u])) && s[u] != '.') ++u;
    std::string_view unit = s.substr(0, u);
    if (unit.empty())
      return Status::InvalidArgument(StrCat("time: missing unit in duration ", quoted));
    s.remove_prefix(u);
    long double scale;
    if (unit == "ns")
      scale = 1;
    else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs")
      scale = 1e3;
    else if (unit == "ms")
      scale = 1e6;
    else if (unit == "s")
      scale = 1e9;
    else if (unit == "m")
      scale = 60e9;
    else if (unit == "h")
      scale = 3600e9;
    else
      return Status::InvalidArgument(
          StrCat("time: unknown unit \"", unit, "\" in duration ", quoted));
    total += std::stold(num) * scale;
  }
  if (total > static_cast<long double>(INT64_MAX))
    return Status::InvalidArgument(StrCat("time: invalid duration ", quoted));
  auto ns = static_cast<int64_t>(total);
  return std::chrono::nanoseconds(neg ? -ns : ns);
}

std::string FormatGoDuration(std::chrono::nanoseconds d) {
  int64_t ns = d.count();
  if (ns == 0) return "0s";
  std::string sign = ns < 0 ? "-" : "";
  uint64_t u = ns < 0 ? static_cast<uint64_t>(-(ns + 1)) + 1 : static_cast<uint64_t>(ns);
  auto frac = [](uint64_t v, int prec) {
    uint64_t pow = 1;
    for (int i = 0; i < prec; ++i) pow *= 10;
    std::string f;
    if (v % pow) {
      f = std::to_string(v % pow);
      f.insert(0, static_cast<size_t>(prec) - f.size(), '0');
      while (f.back() == '0') f.pop_back();
      f = "." + f;
    }
    return std::to_string(v / pow) + f;
  };
  if (u < 1000) return sign + std::to_string(u) + "ns";
  if (u < 1000000) return sign + frac(u, 3) + "\xC2\xB5s";
  if (u < 1000000000) return sign + frac(u, 6) + "ms";
  const uint64_t minutes = u / 60000000000ULL;
  std::string out = frac(u % 60000000000ULL, 9) + "s";
  if (minutes > 0) {
    out = std::to_string(minutes % 60) + "m" + out;
    if (minutes >= 60) out = std::to_string(minutes / 60) + "h" + out;
  }
  return sign + out;
}

}  // namespace olla::api
