#include "store/go_json.h"

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

#include "base/str_cat.h"
#include "base/utf8.h"

namespace olla::store {
namespace {

constexpr char kHex[] = "0123456789abcdef";
constexpr int kMaxDepth = 256;

// Go trims a negative exponent's leading zero ("e-07" → "e-7") but keeps "e+21".
void TrimExponent(std::string& out, size_t start) {
  size_t n = out.size();
  if (n - start >= 4 && out[n - 4] == 'e' && out[n - 3] == '-' && out[n - 2] == '0') {
    out[n - 2] = out[n - 1];
    out.pop_back();
  }
}

template <typename T>
void AppendGoFloat(std::string& out, T v, T lo, T hi) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  char buf[64];
  T abs = std::fabs(v);
  bool exp_form = abs != 0 && (abs < lo || abs >= hi);
  auto res = std::to_chars(buf, buf + sizeof(buf), v,
                           exp_form ? std::chars_format::scientific : std::chars_format::fixed);
  size_t start = out.size();
  out.append(buf, res.ptr);
  if (exp_form) TrimExponent(out, start);
}

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

void AppendGoJsonString(std::string& out, std::string_view s) {
  out.push_back('"');
  size_t pos = 0;
  while (pos < s.size()) {
    auto c = static_cast<unsigned char>(s[pos]);
    if (c < 0x80) {
      ++pos;
      switch (c) {
        case '"':
          out += "\\\"";
          continue;
        case '\\':
          out += "\\\\";
          continue;
        case '\b':
          out += "\\b";
          continue;
        case '\f':
          out += "\\f";
          continue;
        case '\n':
          out += "\\n";
          continue;
        case '\r':
          out += "\\r";
          continue;
        case '\t':
          out += "\\t";
          continue;
        case '<':
        case '>':
        case '&':
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 15]);
          continue;
        default:
          if (c < 0x20) {
            out += "\\u00";
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 15]);
          } else {
            out.push_back(static_cast<char>(c));
          }
          continue;
      }
    }
    size_t start = pos;
    uint32_t cp = utf8::DecodeNext(s, &pos);
    if (cp == 0xFFFD && pos - start == 1) {
      out += "\\ufffd";  // one invalid byte (a literal U+FFFD is 3 bytes and is copied raw)
    } else if (cp == 0x2028 || cp == 0x2029) {
      out += cp == 0x2028 ? "\\u2028" : "\\u2029";
    } else {
      out.append(s.substr(start, pos - start));
    }
  }
  out.push_back('"');
}

std::string GoJsonString(std::string_view s) {
  std::string out;
  AppendGoJsonString(out, s);
  return out;
}

void AppendGoFloat64(std::string& out, double v) { AppendGoFloat<double>(out, v, 1e-6, 1e21); }

void AppendGoFloat32(std::string& out, float v) { AppendGoFloat<float>(out, v, 1e-6f, 1e21f); }

Result<std::string> GoMarshal(const nlohmann::json& value) {
  std::string out;
  if (!Marshal(out, value, 0)) {
    return Status::InvalidArgument(StrCat("JSON value nested deeper than ", kMaxDepth, " levels"));
  }
  return out;
}

}  // namespace olla::store
