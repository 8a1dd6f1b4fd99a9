#include "chat/catalog/catalog.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include "base/go_json_format.h"
#include "base/utf8.h"
#include "chat/value.h"

namespace olla::chat {
namespace {

std::vector<uint32_t> Runes(std::string_view s) {
  std::vector<uint32_t> out;
  out.reserve(s.size());
  for (size_t pos = 0; pos < s.size();) out.push_back(utf8::DecodeNext(s, &pos));
  return out;
}

}  // namespace

std::span<const NamedTemplate> NamedTemplates() {
  return {internal::kNamedTemplates, internal::kNumNamedTemplates};
}

const NamedTemplate* FindNamedTemplate(std::string_view name) {
  for (const NamedTemplate& t : NamedTemplates()) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

size_t LevenshteinDistance(std::string_view a_text, std::string_view b_text, size_t limit) {
  std::vector<uint32_t> a = Runes(a_text), b = Runes(b_text);
  size_t la = a.size(), lb = b.size();
  if ((la > lb ? la - lb : lb - la) >= limit) return limit;
  // Banded dynamic programming: cells farther than `limit` from the diagonal cannot lead to a
  // distance below `limit`.
  const size_t kInf = std::numeric_limits<size_t>::max() / 2;
  std::vector<size_t> prev(lb + 1, kInf), cur(lb + 1, kInf);
  for (size_t j = 0; j <= std::min(lb, limit); ++j) prev[j] = j;
  for (size_t i = 1; i <= la; ++i) {
    size_t lo = i > limit ? i - limit : 1, hi = std::min(lb, i + limit);
    std::fill(cur.begin(), cur.end(), kInf);
    if (i <= limit) cur[0] = i;
    size_t row_min = cur[0];
    for (size_t j = lo; j <= hi; ++j) {
      size_t best = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      best = std::min(best, prev[j] + 1);
      best = std::min(best, cur[j - 1] + 1);
      cur[j] = best;
      row_min = std::min(row_min, best);
    }
    if (row_min >= limit) return limit;
    std::swap(prev, cur);
  }
  return std::min(prev[lb], limit);
}

Result<DetectedTemplate> DetectNamedTemplate(std::string_view chat_template) {
  constexpr size_t kMaxDistance = 100;
  DetectedTemplate best;
  size_t score = kMaxDistance;
  std::string_view best_name;
  for (size_t i = 0; i < internal::kNumJinjaVariants; ++i) {
    const auto& v = internal::kJinjaVariants[i];
    size_t d = LevenshteinDistance(chat_template, v.jinja, score);
    if (d < score) {
      score = d;
      best_name = v.name;
    }
  }
  if (best_name.empty()) return Status::NotFound("no matching template found");
  best.tmpl = FindNamedTemplate(best_name);
  best.distance = score;
  return best;
}

std::string NamedTemplateParamsJson(const NamedTemplate& t) {
  if (t.stop.empty()) return "";
  std::string out = "{\"stop\":[";
  for (size_t i = 0; i < t.stop.size(); ++i) {
    if (i > 0) out += ',';
    AppendGoJsonString(out, t.stop[i]);
  }
  return out + "]}";
}

}  // namespace olla::chat
