#pragma once
// Go time.Duration strings ("5m", "1h30m", "-1s", "0", "1.5h") and Ollama's keep_alive values.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace olla::api {

// Parses a Go duration. Plain non-zero numbers without a unit fail as Go does:
// `time: missing unit in duration "300"`; garbage: `time: invalid duration "x"`.
Result<std::chrono::nanoseconds> ParseGoDuration(std::string_view text);

// Go's Duration.String(): "5m0s", "1h0m0s", "1.5s", "0s".
std::string FormatGoDuration(std::chrono::nanoseconds d);

}  // namespace olla::api
