#include "store/go_json.h"

#include <nlohmann/json.hpp>

#include "base/str_cat.h"

namespace olla::store {
namespace {

constexpr int kMaxDepth = 256;

// Returns false if `v` nests deeper than kMaxDepth (the output is then incomplete).
bool Marshal(std::string& out, const nlohmann::json& v, int depth) {
  if (depth > kMaxDepth) return false;
  switch (v.type()) {
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::discarded:
      out += "null";
      return true;
    case nlohmann::json::value_t::boolean:
      out += v.get<bool>() ? "true" : "false";
      return true;
    case nlohmann::json::value_t::number_integer:
      out += std::to_string(v.get<int64_t>());
      return true;
    case nlohmann::json::value_t::number_unsigned:
      out += std::to_string(v.get<uint64_t>());
      return true;
    case nlohmann::json::value_t::number_float:
      AppendGoFloat64(out, v.get<double>());
      return true;
    case nlohmann::json::value_t::string:
      AppendGoJsonString(out, v.get_ref<const std::string&>());
      return true;
    case nlohmann::json::value_t::binary:
      out += "null";
      return true;
    case nlohmann::json::value_t::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& e : v) {
        if (!first) out.push_back(',');
        first = false;
        if (!Marshal(out, e, depth + 1)) return false;
      }
      out.push_back(']');
      return true;
    }
    case nlohmann::json::value_t::object: {
      // nlohmann's default object is a std::map, iterated in bytewise key order like Go's.
      out.push_back('{');
      bool first = true;
      for (const auto& [key, value] : v.items()) {
        if (!first) out.push_back(',');
        first = false;
        AppendGoJsonString(out, key);
        out.push_back(':');
        if (!Marshal(out, value, depth + 1)) return false;
      }
      out.push_back('}');
      return true;
    }
  }
  return true;
}

}  // namespace

Result<std::string> GoMarshal(const nlohmann::json& value) {
  std::string out;
  if (!Marshal(out, value, 0)) {
    return Status::InvalidArgument(StrCat("JSON value nested deeper than ", kMaxDepth, " levels"));
  }
  return out;
}

}  // namespace olla::store
