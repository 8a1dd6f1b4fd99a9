#include "api/json_order.h"

#include <algorithm>
#include <deque>
#include <functional>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <utility>
#include <vector>

namespace olla::api {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;

size_t Combine(size_t seed, size_t h) {
  return seed ^ (h + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2));
}

// A hash of a JSON value that does not depend on key order; `visit(node, hash)` sees each object.
template <typename Json, typename Visit>
size_t CanonicalHash(const Json& j, const Visit& visit) {
  switch (j.type()) {
    case Json::value_t::object: {
      std::vector<std::pair<std::string_view, size_t>> members;
      members.reserve(j.size());
      for (auto it = j.begin(); it != j.end(); ++it)
        members.emplace_back(it.key(), CanonicalHash(it.value(), visit));
      std::sort(members.begin(), members.end());
      size_t h = 0x6f626a;
      for (const auto& [key, child] : members)
        h = Combine(Combine(h, std::hash<std::string_view>{}(key)), child);
      visit(j, h);
      return h;
    }
    case Json::value_t::array: {
      size_t h = 0x617272;
      for (const auto& child : j) h = Combine(h, CanonicalHash(child, visit));
      return h;
    }
    case Json::value_t::string:
      return Combine(0x737472, std::hash<std::string>{}(j.template get_ref<const std::string&>()));
    default:
      return std::hash<std::string>{}(j.dump());
  }
}

// Whether `a` and `b` hold the same value (object members in any order).
bool SameValue(const ordered_json& a, const json& b) {
  if (a.is_object() != b.is_object() || a.is_array() != b.is_array()) return false;
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto it = a.begin(); it != a.end(); ++it) {
      auto other = b.find(it.key());
      if (other == b.end() || !SameValue(it.value(), *other)) return false;
    }
    return true;
  }
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (!SameValue(a[i], b[i])) return false;
    return true;
  }
  if (a.is_string() || b.is_string())
    return a.is_string() && b.is_string() &&
           a.get_ref<const std::string&>() == b.get_ref<const std::string&>();
  return a.dump() == b.dump();
}

class Reorderer {
 public:
  explicit Reorderer(const ordered_json& source) { Index(source); }

  ordered_json Rebuild(const json& value) {
    std::unordered_map<const json*, size_t> hashes;
    CanonicalHash(value, [&hashes](const json& node, size_t h) { hashes[&node] = h; });
    return Build(value, hashes);
  }

 private:
  void Index(const ordered_json& source) {
    CanonicalHash(source,
                  [this](const ordered_json& node, size_t h) { objects_.emplace(h, &node); });
    IndexStrings(source);
  }

  // Object texts in strings (tool-call arguments) are parsed with their order and indexed too.
  void IndexStrings(const ordered_json& node) {
    if (node.is_structured()) {
      for (const auto& child : node) IndexStrings(child);
      return;
    }
    if (!node.is_string()) return;
    const std::string& s = node.get_ref<const std::string&>();
    const size_t first = s.find_first_not_of(" \t\r\n");
    if (first == std::string::npos || s[first] != '{') return;
    ordered_json parsed = ordered_json::parse(s, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) return;
    parsed_.push_back(std::move(parsed));
    const ordered_json& kept = parsed_.back();
    CanonicalHash(kept, [this](const ordered_json& obj, size_t h) { objects_.emplace(h, &obj); });
  }

  ordered_json Build(const json& value, const std::unordered_map<const json*, size_t>& hashes) {
    if (value.is_object()) {
      auto [begin, end] = objects_.equal_range(hashes.at(&value));
      for (auto it = begin; it != end; ++it)
        if (SameValue(*it->second, value)) return *it->second;
      ordered_json out = ordered_json::object();
      for (auto it = value.begin(); it != value.end(); ++it)
        out[it.key()] = Build(it.value(), hashes);
      return out;
    }
    if (value.is_array()) {
      ordered_json out = ordered_json::array();
      for (const auto& child : value) out.push_back(Build(child, hashes));
      return out;
    }
    switch (value.type()) {
      case json::value_t::string:
        return value.get_ref<const std::string&>();
      case json::value_t::boolean:
        return value.get<bool>();
      case json::value_t::number_integer:
        return value.get<int64_t>();
      case json::value_t::number_unsigned:
        return value.get<uint64_t>();
      case json::value_t::number_float:
        return value.get<double>();
      default:
        return nullptr;  // null (binary values do not occur in parsed JSON)
    }
  }

  std::unordered_multimap<size_t, const ordered_json*> objects_;
  std::deque<ordered_json> parsed_;  // stable addresses for objects_
};

}  // namespace

std::string DumpWithKeyOrderOf(const json& value, std::string_view source_text) {
  const auto replace = json::error_handler_t::replace;
  ordered_json source = ordered_json::parse(source_text, nullptr, false);
  if (source.is_discarded()) return value.dump(-1, ' ', false, replace);
  return Reorderer(source).Rebuild(value).dump(-1, ' ', false, replace);
}

}  // namespace olla::api
