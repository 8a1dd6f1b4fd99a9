#pragma once
// Human-readable numbers and byte sizes, formatted exactly as Ollama's CLI formats them
// (spec §1.13 "Formatting helpers").

#include <cstdint>
#include <string>

namespace olla::cli {

// 8030261248 → "8.0B", 137000000 → "137M", 260000 → "260K", 999 → "999".
std::string HumanNumber(uint64_t n);
// Decimal units: 1024 → "1.0 KB", 4683075271 → "4.6 GB".
std::string HumanBytes(int64_t bytes);

}  // namespace olla::cli

namespace olla::cli {
// Go's time.Duration.String(): "1.5s", "123.456789ms", "2m3.5s", "0s".
std::string GoDuration(int64_t nanoseconds);
}  // namespace olla::cli

#include <chrono>

namespace olla::cli {
// Ollama's HumanTime (spec §1.13): "2 hours ago", "4 minutes from now", "Forever" (> 20 years
// ahead); `zero_text` for a zero time point.
std::string HumanTime(std::chrono::system_clock::time_point t, const std::string& zero_text,
                      std::chrono::system_clock::time_point now = std::chrono::system_clock::now());
// Parses RFC 3339 ("2024-06-04T14:38:31.83753-07:00"); the epoch on failure.
std::chrono::system_clock::time_point ParseRfc3339(const std::string& text);
}  // namespace olla::cli
