// JSON Schema validation for the supported keywords (json_validator.h). Independent of the
// compiler on purpose: its string checks use std::wregex (ECMAScript) and plain code.

#include "grammar/json_validator.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <nlohmann/json.hpp>
// GCC 12 warns about libstdc++'s own <regex> internals (std::function in _State) at -O1 with
// sanitizers: a known false positive, silenced for this file only.
#if defined(__GNUC__) && !defined(__clang__)  // clang has no such warning (and warns about it)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <regex>

#include "base/str_cat.h"
#include "base/utf8.h"
#include "grammar/json_schema_internal.h"

namespace olla::grammar {
namespace internal {
namespace {

constexpr int kMaxDepth = 512;  // schema levels times instance levels, via $ref

Status Fail(const std::string& at, std::string_view msg) {
  return Status::InvalidArgument(StrCat("at ", at.empty() ? "/" : at, ": ", msg));
}

bool Digits(std::string_view s, size_t from, size_t n, int* value) {
  if (from + n > s.size()) return false;
  int v = 0;
  for (size_t k = from; k < from + n; ++k) {
    if (s[k] < '0' || s[k] > '9') return false;
    v = v * 10 + (s[k] - '0');
  }
  *value = v;
  return true;
}

bool TypeMatches(const Json& v, std::string_view t) {
  if (t == "null") return v.is_null();
  if (t == "boolean") return v.is_boolean();
  if (t == "number") return v.is_number();
  if (t == "integer") {
    return v.is_number_integer() || (v.is_number_float() && std::isfinite(v.get<double>()) &&
                                     std::floor(v.get<double>()) == v.get<double>());
  }
  if (t == "string") return v.is_string();
  if (t == "array") return v.is_array();
  return t == "object" && v.is_object();
}

std::wstring Wide(std::string_view s) {
  std::wstring out;
  for (size_t pos = 0; pos < s.size();)
    out.push_back(static_cast<wchar_t>(utf8::DecodeNext(s, &pos)));
  return out;
}

class Validator {
 public:
  explicit Validator(const Json& root) : root_(root) {}

  Status Check(const Json& v, const Json& s, const std::string& at, int depth) {
    if (depth > kMaxDepth) return Fail(at, "nested too deeply");
    if (s.is_boolean()) return s.get<bool>() ? Status::Ok() : Fail(at, "the schema is false");
    if (!s.is_object()) return Status::InvalidArgument("a schema must be an object or a boolean");
    for (const auto& [key, unused] : s.items()) {
      if (!IsKnownKeyword(key))
        return Status::InvalidArgument(StrCat("unsupported keyword '", key, "'"));
    }
    if (s.contains("$ref")) {
      const std::string ref = s["$ref"].get<std::string>();
      const Json* target = &root_;
      if (ref != "#") {
        if (!ref.starts_with("#/"))
          return Status::InvalidArgument(StrCat("unsupported $ref '", ref, "'"));
        try {
          target = &root_.at(Json::json_pointer(ref.substr(1)));
        } catch (const Json::exception&) {
          return Status::InvalidArgument(StrCat("unresolved $ref '", ref, "'"));
        }
      }
      OLLA_RETURN_IF_ERROR(Check(v, *target, at, depth + 1));
    }
    if (s.contains("type")) {
      const Json& t = s["type"];
      bool ok = false;
      if (t.is_string()) ok = TypeMatches(v, t.get<std::string>());
      for (const Json& n : t.is_array() ? t : Json::array())
        ok = ok || TypeMatches(v, n.get<std::string>());
      if (!ok) return Fail(at, StrCat("expected type ", t.dump(), ", got ", v.type_name()));
    }
    if (s.contains("const") && !(s["const"] == v))
      return Fail(at, StrCat("expected the constant ", s["const"].dump()));
    if (s.contains("enum")) {
      bool found = false;
      for (const Json& e : s["enum"]) found = found || e == v;
      if (!found) return Fail(at, StrCat(v.dump(), " is not one of ", s["enum"].dump()));
    }
    if (s.contains("anyOf") || s.contains("oneOf")) {
      const bool one = s.contains("oneOf");
      size_t matches = 0;
      for (const Json& b : s[one ? "oneOf" : "anyOf"])
        matches += Check(v, b, at, depth + 1).ok() ? 1 : 0;
      if (matches == 0) return Fail(at, StrCat("matches no branch of ", one ? "oneOf" : "anyOf"));
      if (one && matches > 1) return Fail(at, StrCat("matches ", matches, " branches of oneOf"));
    }
    if (s.contains("allOf")) {
      for (const Json& b : s["allOf"]) OLLA_RETURN_IF_ERROR(Check(v, b, at, depth + 1));
    }
    if (v.is_string()) OLLA_RETURN_IF_ERROR(CheckString(v.get<std::string>(), s, at));
    if (v.is_number()) OLLA_RETURN_IF_ERROR(CheckNumber(v.get<double>(), s, at));
    if (v.is_array()) OLLA_RETURN_IF_ERROR(CheckArray(v, s, at, depth));
    if (v.is_object()) OLLA_RETURN_IF_ERROR(CheckObject(v, s, at, depth));
    return Status::Ok();
  }

 private:
  Status CheckString(const std::string& str, const Json& s, const std::string& at) {
    size_t n = 0;
    for (size_t pos = 0; pos < str.size(); ++n) utf8::DecodeNext(str, &pos);
    if (s.contains("minLength") && n < s["minLength"].get<size_t>())
      return Fail(at, "shorter than minLength");
    if (s.contains("maxLength") && n > s["maxLength"].get<size_t>())
      return Fail(at, "longer than maxLength");
    if (s.contains("pattern")) {
      bool found = false;
      try {
        const std::wregex re(Wide(s["pattern"].get<std::string>()), std::regex::ECMAScript);
        found = std::regex_search(Wide(str), re);
      } catch (const std::regex_error& e) {
        return Status::InvalidArgument(StrCat("pattern: ", e.what()));
      }
      if (!found) return Fail(at, StrCat("does not match the pattern ", s["pattern"].dump()));
    }
    if (s.contains("format")) {
      const std::string f = s["format"].get<std::string>();
      bool ok = false;
      if (f == "date") {
        ok = IsDate(str);
      } else if (f == "time") {
        ok = IsTime(str);
      } else if (f == "date-time") {
        ok = IsDateTime(str);
      } else if (f == "uuid") {
        ok = IsUuid(str);
      } else if (f == "ipv4") {
        ok = IsIpv4(str);
      } else {
        return Status::InvalidArgument(StrCat("unsupported format '", f, "'"));
      }
      if (!ok) return Fail(at, StrCat("not a valid ", f));
    }
    return Status::Ok();
  }

  Status CheckNumber(double d, const Json& s, const std::string& at) {
    const bool ex_min_flag = s.contains("exclusiveMinimum") && s["exclusiveMinimum"] == Json(true);
    const bool ex_max_flag = s.contains("exclusiveMaximum") && s["exclusiveMaximum"] == Json(true);
    if (s.contains("minimum")) {
      const double m = s["minimum"].get<double>();
      if (d < m || (ex_min_flag && d == m)) return Fail(at, StrCat(d, " is below the minimum ", m));
    }
    if (s.contains("maximum")) {
      const double m = s["maximum"].get<double>();
      if (d > m || (ex_max_flag && d == m)) return Fail(at, StrCat(d, " is above the maximum ", m));
    }
    if (s.contains("exclusiveMinimum") && s["exclusiveMinimum"].is_number() &&
        d <= s["exclusiveMinimum"].get<double>()) {
      return Fail(at, "not above exclusiveMinimum");
    }
    if (s.contains("exclusiveMaximum") && s["exclusiveMaximum"].is_number() &&
        d >= s["exclusiveMaximum"].get<double>()) {
      return Fail(at, "not below exclusiveMaximum");
    }
    return Status::Ok();
  }

  Status CheckArray(const Json& v, const Json& s, const std::string& at, int depth) {
    if (s.contains("minItems") && v.size() < s["minItems"].get<size_t>())
      return Fail(at, "fewer items than minItems");
    if (s.contains("maxItems") && v.size() > s["maxItems"].get<size_t>())
      return Fail(at, "more items than maxItems");
    size_t first = 0;
    if (s.contains("prefixItems")) {
      const Json& p = s["prefixItems"];
      for (; first < p.size() && first < v.size(); ++first) {
        OLLA_RETURN_IF_ERROR(Check(v[first], p[first], StrCat(at, "/", first), depth + 1));
      }
      first = p.size();
    }
    if (s.contains("items")) {
      for (size_t k = first; k < v.size(); ++k)
        OLLA_RETURN_IF_ERROR(Check(v[k], s["items"], StrCat(at, "/", k), depth + 1));
    }
    if (s.contains("uniqueItems") && s["uniqueItems"] == Json(true)) {
      for (size_t a = 0; a < v.size(); ++a) {
        for (size_t b = a + 1; b < v.size(); ++b) {
          if (v[a] == v[b]) return Fail(at, "items are not unique");
        }
      }
    }
    return Status::Ok();
  }

  Status CheckObject(const Json& v, const Json& s, const std::string& at, int depth) {
    const Json empty = Json::object();
    const Json& props = s.contains("properties") ? s["properties"] : empty;
    for (const auto& [key, sub] : props.items()) {
      if (v.contains(key))
        OLLA_RETURN_IF_ERROR(Check(v[key], sub, StrCat(at, "/", key), depth + 1));
    }
    if (s.contains("required")) {
      for (const Json& r : s["required"]) {
        if (!v.contains(r.get<std::string>()))
          return Fail(at, StrCat("missing required property '", r.get<std::string>(), "'"));
      }
    }
    const bool has_addl = s.contains("additionalProperties");
    const bool closed = (has_addl && s["additionalProperties"] == Json(false)) ||
                        (!has_addl && s.contains("unevaluatedProperties") &&
                         s["unevaluatedProperties"] == Json(false));
    for (const auto& [key, value] : v.items()) {
      if (props.contains(key)) continue;
      if (closed) return Fail(at, StrCat("property '", key, "' is not allowed"));
      if (has_addl)
        OLLA_RETURN_IF_ERROR(
            Check(value, s["additionalProperties"], StrCat(at, "/", key), depth + 1));
    }
    return Status::Ok();
  }

  const Json& root_;
};

}  // namespace

bool IsDate(std::string_view s) {
  int y = 0, m = 0, d = 0;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  if (!Digits(s, 0, 4, &y) || !Digits(s, 5, 2, &m) || !Digits(s, 8, 2, &d)) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12) return false;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d >= 1 && d <= kDays[m - 1] + (m == 2 && leap ? 1 : 0);
}

bool IsTime(std::string_view s) {
  int h = 0, m = 0, sec = 0;
  if (s.size() < 9 || s[2] != ':' || s[5] != ':') return false;
  if (!Digits(s, 0, 2, &h) || !Digits(s, 3, 2, &m) || !Digits(s, 6, 2, &sec)) return false;
  if (h > 23 || m > 59 || sec > 60) return false;
  size_t k = 8;
  if (k < s.size() && s[k] == '.') {
    const size_t start = ++k;
    while (k < s.size() && s[k] >= '0' && s[k] <= '9') ++k;
    if (k == start) return false;
  }
  if (k < s.size() && (s[k] == 'Z' || s[k] == 'z')) return k + 1 == s.size();
  int oh = 0, om = 0;
  return k + 6 == s.size() && (s[k] == '+' || s[k] == '-') && s[k + 3] == ':' &&
         Digits(s, k + 1, 2, &oh) && Digits(s, k + 4, 2, &om) && oh <= 23 && om <= 59;
}

bool IsDateTime(std::string_view s) {
  return s.size() > 11 && IsDate(s.substr(0, 10)) && (s[10] == 'T' || s[10] == 't') &&
         IsTime(s.substr(11));
}

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t k = 0; k < s.size(); ++k) {
    const bool hyphen = k == 8 || k == 13 || k == 18 || k == 23;
    if (hyphen ? s[k] != '-' : !std::isxdigit(static_cast<unsigned char>(s[k]))) return false;
  }
  return true;
}

bool IsIpv4(std::string_view s) {
  int parts = 0;
  size_t k = 0;
  while (k <= s.size()) {
    const size_t end = std::min(s.find('.', k), s.size());
    const std::string_view p = s.substr(k, end - k);
    int v = 0;
    if (p.empty() || p.size() > 3 || (p.size() > 1 && p[0] == '0') || !Digits(p, 0, p.size(), &v) ||
        v > 255)
      return false;
    ++parts;
    k = end + 1;
  }
  return parts == 4;
}

Status ValidateValue(const Json& value, const Json& schema, const Json& root) {
  try {
    return Validator(root).Check(value, schema, "", 0);
  } catch (const Json::exception& e) {  // a keyword with a value of the wrong type
    return Status::InvalidArgument(StrCat("malformed schema: ", e.what()));
  }
}

}  // namespace internal

Status ValidateJson(std::string_view instance_json, std::string_view schema_json) {
  internal::Json instance, schema;
  try {
    schema = internal::Json::parse(schema_json);
  } catch (const internal::Json::exception& e) {
    return Status::InvalidArgument(StrCat("schema is not valid JSON: ", e.what()));
  }
  try {
    instance = internal::Json::parse(instance_json);
  } catch (const internal::Json::exception& e) {
    return Status::InvalidArgument(StrCat("not valid JSON: ", e.what()));
  }
  return internal::ValidateValue(instance, schema, schema);
}

}  // namespace olla::grammar
