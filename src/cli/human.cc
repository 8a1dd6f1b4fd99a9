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

#include <ctime>

namespace olla::cli {

namespace {
std::string HumanDuration(std::chrono::seconds d) {
  const int64_t s = d.count();
  auto plural = [](int64_t n, const char* unit) { return StrCat(n, " ", unit, n == 1 ? "" : "s"); };
  if (s < 1) return "Less than a second";
  if (s == 1) return "1 second";
  if (s < 60) return plural(s, "second");
  const int64_t minutes = s / 60;
  if (minutes == 1) return "About a minute";
  if (minutes < 60) return plural(minutes, "minute");
  const int64_t hours = static_cast<int64_t>(std::llround(s / 3600.0));
  if (hours == 1) return "About an hour";
  if (s < 48 * 3600) return plural(hours, "hour");
  const int64_t days = s / 86400;
  if (days < 14) return plural(days, "day");
  if (days < 60) return plural(days / 7, "week");
  if (days < 730) return plural(days / 30, "month");
  return plural(days / 365, "year");
}
}  // namespace

std::string HumanTime(std::chrono::system_clock::time_point t, const std::string& zero_text,
                      std::chrono::system_clock::time_point now) {
  if (t.time_since_epoch().count() == 0) return zero_text;
  if (t > now + std::chrono::hours(24 * 365 * 20)) return "Forever";
  if (t > now)
    return HumanDuration(std::chrono::duration_cast<std::chrono::seconds>(t - now)) + " from now";
  return HumanDuration(std::chrono::duration_cast<std::chrono::seconds>(now - t)) + " ago";
}

std::chrono::system_clock::time_point ParseRfc3339(const std::string& text) {
  std::tm tm{};
  const char* rest = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!rest) return {};
  int64_t nanos = 0;
  if (*rest == '.') {
    ++rest;
    int digits = 0;
    while (*rest >= '0' && *rest <= '9') {
      if (digits < 9) nanos = nanos * 10 + (*rest - '0');
      ++digits;
      ++rest;
    }
    for (; digits < 9; ++digits) nanos *= 10;
  }
  int64_t offset = 0;
  if (*rest == '+' || *rest == '-') {
    int hh = 0, mm = 0;
    std::sscanf(rest + 1, "%d:%d", &hh, &mm);
    offset = (hh * 3600 + mm * 60) * (*rest == '-' ? -1 : 1);
  }
  const int64_t secs = static_cast<int64_t>(timegm(&tm)) - offset;
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::seconds(secs) + std::chrono::nanoseconds(nanos)));
}

}  // namespace olla::cli
