#pragma once
// The arithmetic of ranged, resumable transfers (spec §7.2 a, d): how a blob is tiled into
// parts, the part-state files that make a download resumable, and what a response to a Range
// request means. Pure functions; every number read from disk or the network is checked.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace olla::registry {

// One part of a blob: bytes [offset, offset + size), of which the first `completed` are on disk.
struct Part {
  int64_t index = 0;
  int64_t offset = 0;
  int64_t size = 0;
  int64_t completed = 0;
  friend bool operator==(const Part&, const Part&) = default;
};

struct PartSizing {
  int64_t target_parts = 16;
  int64_t min_size = 100'000'000;  // decimal MB, as Ollama
  int64_t max_size = 1'000'000'000;
};

// Parts per blob are capped so that a huge size cannot make us allocate or open without bound.
inline constexpr int64_t kMaxParts = 4096;

// Tiles [0, total) with parts of clamp(total / target_parts, min_size, max_size) bytes (the last
// one shorter), at most kMaxParts (larger parts if needed). total == 0 → no parts.
std::vector<Part> PlanParts(int64_t total, const PartSizing& sizing);

// A part-state file: {"N":<index>,"Offset":<o>,"Size":<s>,"Completed":<c>} (Ollama's format).
std::string EncodePartState(const Part& part);
// kCorrupt unless the JSON has those four non-negative integers and completed <= size.
Result<Part> ParsePartState(std::string_view json);
// OK if `parts` (in index order) tile [0, total) exactly: indices 0..n-1, contiguous offsets,
// positive sizes, completed <= size, n <= kMaxParts. Else kCorrupt saying why.
Status CheckTiling(const std::vector<Part>& parts, int64_t total);

// "bytes=<first>-<last>" (inclusive).
std::string RangeHeader(int64_t first, int64_t last);

struct ContentRange {
  int64_t first = 0, last = 0;  // inclusive
  int64_t total = -1;           // -1: "*" (unknown)
};
// Parses "bytes <first>-<last>/<total|*>" (RFC 9110 §14.4). kCorrupt otherwise.
Result<ContentRange> ParseContentRange(std::string_view value);

// For a response to "Range: bytes=<first>-<last>" of a blob of `total` bytes, the blob offset of
// the response body's first byte: a 206 must carry a Content-Range that starts at or before
// `first`, ends at or after it, and names `total` (or "*"); a 200 carries the whole blob (0).
// Anything else → kCorrupt. A result below `first` means leading bytes must be skipped.
Result<int64_t> BodyOffset(long status, const std::optional<std::string>& content_range,
                           int64_t first, int64_t last, int64_t total);

}  // namespace olla::registry
