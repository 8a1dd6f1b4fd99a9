#pragma once
// RFC 3339 timestamps with nanoseconds, as Go's time.RFC3339Nano prints them.

#include <chrono>
#include <string>

namespace olla::api {

// UTC with a "Z" suffix and trailing zeros of the fraction trimmed: "2024-06-04T14:38:31.83753Z".
std::string FormatRfc3339Nano(std::chrono::system_clock::time_point t);
// In the local time zone with its offset: "2024-06-04T14:38:31.83753-07:00".
std::string FormatRfc3339NanoLocal(std::chrono::system_clock::time_point t);

}  // namespace olla::api
