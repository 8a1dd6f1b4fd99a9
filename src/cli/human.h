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
