#include "api/timefmt.h"

#include <cstdio>
#include <ctime>

namespace olla::api {
namespace {
std::string Format(std::chrono::system_clock::time_point t, bool local) {
  const auto ns_total =
      std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ns_total / 1000000000);
  long ns = static_cast<long>(ns_total % 1000000000);
  if (ns < 0) {
    ns += 1000000000;
    --secs;
  }
  std::tm tm{};
  if (local) {
    localtime_r(&secs, &tm);
  } else {
    gmtime_r(&secs, &tm);
  }
  char date[32];
  std::strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out = date;
  if (ns) {
    char frac[16];
    std::snprintf(frac, sizeof(frac), ".%09ld", ns);
    std::string f = frac;
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  if (!local || tm.tm_gmtoff == 0) return out + "Z";
  long off = tm.tm_gmtoff / 60;
  char zone[40];
  std::snprintf(zone, sizeof(zone), "%c%02ld:%02ld", off < 0 ? '-' : '+', std::labs(off) / 60,
                std::labs(off) % 60);
  return out + zone;
}
}  // namespace

std::string FormatRfc3339Nano(std::chrono::system_clock::time_point t) { return Format(t, false); }
std::string FormatRfc3339NanoLocal(std::chrono::system_clock::time_point t) {
  return Format(t, true);
}

}  // namespace olla::api
