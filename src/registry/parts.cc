#include "registry/parts.h"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

#include "base/str_cat.h"

namespace olla::registry {

namespace {

// Parses a non-negative decimal integer that is the whole of `s`.
std::optional<int64_t> ParseInt(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::vector<Part> PlanParts(int64_t total, const PartSizing& sizing) {
  std::vector<Part> parts;
  if (total <= 0) return parts;
  int64_t target = std::max<int64_t>(1, sizing.target_parts);
  int64_t size = std::clamp(total / target, std::max<int64_t>(1, sizing.min_size),
                            std::max<int64_t>(1, std::max(sizing.min_size, sizing.max_size)));
  // Enforce the part cap even for sizes far beyond max_size.
  if ((total + size - 1) / size > kMaxParts) size = (total + kMaxParts - 1) / kMaxParts;
  for (int64_t offset = 0, index = 0; offset < total; offset += size, ++index) {
    parts.push_back(Part{index, offset, std::min(size, total - offset), 0});
  }
  return parts;
}

std::string EncodePartState(const Part& part) {
  return StrCat("{\"N\":", part.index, ",\"Offset\":", part.offset, ",\"Size\":", part.size,
                ",\"Completed\":", part.completed, "}");
}

Result<Part> ParsePartState(std::string_view json) {
  if (json.size() > 4096) return Status::Corrupt("part state too large");
  nlohmann::json root = nlohmann::json::parse(json.begin(), json.end(), nullptr, false);
  if (root.is_discarded() || !root.is_object()) return Status::Corrupt("part state is not JSON");
  Part part;
  const std::pair<const char*, int64_t*> fields[] = {{"N", &part.index},
                                                     {"Offset", &part.offset},
                                                     {"Size", &part.size},
                                                     {"Completed", &part.completed}};
  for (const auto& [key, out] : fields) {
    auto it = root.find(key);
    if (it == root.end() || !it->is_number_integer()) {
      return Status::Corrupt(StrCat("part state: ", key, " missing or not an integer"));
    }
    if (it->is_number_unsigned() && it->get<uint64_t>() > uint64_t{INT64_MAX}) {
      return Status::Corrupt(StrCat("part state: ", key, " out of range"));
    }
    *out = it->get<int64_t>();
    if (*out < 0) return Status::Corrupt(StrCat("part state: ", key, " is negative"));
  }
  if (part.completed > part.size) return Status::Corrupt("part state: completed exceeds size");
  return part;
}

Status CheckTiling(const std::vector<Part>& parts, int64_t total) {
  if (static_cast<int64_t>(parts.size()) > kMaxParts) return Status::Corrupt("too many parts");
  int64_t next = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    const Part& p = parts[i];
    if (p.index != static_cast<int64_t>(i)) return Status::Corrupt("part indices are not 0..n-1");
    if (p.offset != next)
      return Status::Corrupt(StrCat("part ", i, " does not start where the previous ends"));
    if (p.size <= 0 || p.completed < 0 || p.completed > p.size) {
      return Status::Corrupt(StrCat("part ", i, " has a bad size"));
    }
    if (__builtin_add_overflow(next, p.size, &next)) return Status::Corrupt("part sizes overflow");
  }
  if (next != total) return Status::Corrupt(StrCat("parts cover ", next, " of ", total, " bytes"));
  return Status::Ok();
}

std::string RangeHeader(int64_t first, int64_t last) { return StrCat("bytes=", first, "-", last); }

Result<ContentRange> ParseContentRange(std::string_view value) {
  auto bad = [&] { return Status::Corrupt("malformed Content-Range header"); };
  value = TrimSpace(value);
  if (value.size() > 100 || value.substr(0, 6) != "bytes ") return bad();
  value = TrimSpace(value.substr(6));
  size_t dash = value.find('-'), slash = value.find('/');
  if (dash == std::string_view::npos || slash == std::string_view::npos || dash > slash)
    return bad();
  std::optional<int64_t> first = ParseInt(value.substr(0, dash));
  std::optional<int64_t> last = ParseInt(value.substr(dash + 1, slash - dash - 1));
  std::string_view total_text = value.substr(slash + 1);
  if (!first || !last || *last < *first) return bad();
  ContentRange cr{*first, *last, -1};
  if (total_text != "*") {
    std::optional<int64_t> total = ParseInt(total_text);
    if (!total || *last >= *total) return bad();
    cr.total = *total;
  }
  return cr;
}

Result<int64_t> BodyOffset(long status, const std::optional<std::string>& content_range,
                           int64_t first, int64_t last, int64_t total) {
  if (status == 200) return int64_t{0};
  if (status != 206)
    return Status::Corrupt(StrCat("unexpected status ", status, " for a range request"));
  if (!content_range) return Status::Corrupt("206 response without Content-Range");
  OLLA_ASSIGN_OR_RETURN(ContentRange cr, ParseContentRange(*content_range));
  if (cr.total >= 0 && cr.total != total) {
    return Status::Corrupt(
        StrCat("registry reports a blob of ", cr.total, " bytes, the manifest ", total));
  }
  if (cr.first > first || cr.last < first || cr.last >= total) {
    return Status::Corrupt(StrCat("Content-Range ", cr.first, "-", cr.last,
                                  " does not match the requested range ", first, "-", last));
  }
  return cr.first;
}

}  // namespace olla::registry
