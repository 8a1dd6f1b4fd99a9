// JSON Schema -> GBNF: a visitor that turns each schema node into a rule (json_schema.h).
// Property order is kept by parsing into nlohmann::ordered_json.

#include "grammar/json_schema.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "base/str_cat.h"
#include "grammar/json_schema_internal.h"

namespace olla::grammar {
namespace internal {
namespace {

// Fixed rules, added to a grammar when used (llama.cpp's PRIMITIVE_RULES, bounded digits).
struct Primitive {
  std::string_view name, body, uses;  // uses: the other primitives the body names
};
constexpr Primitive kPrimitives[] = {
    {"space", R"(| " " | "\n"{1,2} [ \t]{0,20})", ""},
    {"boolean", R"(("true" | "false") space)", "space"},
    {"null", R"("null" space)", "space"},
    {"integral-part", R"([0] | [1-9] [0-9]{0,15})", ""},
    {"decimal-part", R"([0-9]{1,16})", ""},
    {"integer", R"("-"? integral-part space)", "integral-part space"},
    {"number", R"("-"? integral-part ("." decimal-part)? ([eE] [-+]? [0-9]{1,2})? space)",
     "integral-part decimal-part space"},
    // \u escapes of surrogates are left out: a lone one is not valid Unicode text.
    {"hex4", R"([0-9a-cA-CeEfF] [0-9a-fA-F]{3} | [dD] [0-7] [0-9a-fA-F]{2})", ""},
    {"char", R"([^"\\\x7F\x00-\x1F] | "\\" (["\\/bfnrt] | "u" hex4))", "hex4"},
    {"key-char", R"([^"\\\x7F\x00-\x1F])", ""},
    {"string", R"("\"" char* "\"" space)", "char space"},
    {"value", R"(object | array | string | number | boolean | null)",
     "object array string number boolean null"},
    {"object",
     R"("{" space ( string ":" space value ("," space string ":" space value)* )? "}" space)",
     "string space value"},
    {"array", R"("[" space ( value ("," space value)* )? "]" space)", "value space"},
    // RFC 3339 full-date (days per month; 29 February is left out), full-time, date-time.
    {"date",
     R"([0-9]{4} "-" ( ("0" [13578] | "1" [02]) "-" ("0" [1-9] | [12] [0-9] | "3" [01]) | ("0" [469] | "11") "-" ("0" [1-9] | [12] [0-9] | "30") | "02" "-" ("0" [1-9] | "1" [0-9] | "2" [0-8]) ))",
     ""},
    {"time",
     R"(([01] [0-9] | "2" [0-3]) ":" [0-5] [0-9] ":" [0-5] [0-9] ("." [0-9]{1,6})? ("Z" | [+-] ([01] [0-9] | "2" [0-3]) ":" [0-5] [0-9]))",
     ""},
    {"date-time", R"(date "T" time)", "date time"},
    {"uuid",
     R"([0-9a-fA-F]{8} "-" [0-9a-fA-F]{4} "-" [0-9a-fA-F]{4} "-" [0-9a-fA-F]{4} "-" [0-9a-fA-F]{12})",
     ""},
    {"ipv4-octet", R"("25" [0-5] | "2" [0-4] [0-9] | "1" [0-9] [0-9] | [1-9] [0-9] | [0-9])", ""},
    {"ipv4", R"(ipv4-octet "." ipv4-octet "." ipv4-octet "." ipv4-octet)", "ipv4-octet"},
};

template <size_t N>
bool In(const std::string_view (&set)[N], std::string_view key) {
  for (std::string_view k : set) {
    if (k == key) return true;
  }
  return false;
}

std::string Sanitize(std::string_view name) {
  std::string out;
  for (char c : name) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    out.push_back(ok ? c : '-');
  }
  return out.empty() ? "x" : out;
}

// Types an instance can have: bit set over the JSON types, integers apart from other numbers.
constexpr uint32_t kNull = 1, kBool = 2, kInt = 4, kFrac = 8, kStr = 16, kArr = 32, kObj = 64,
                   kAll = 127;

uint32_t TypeBit(const Json& v) {
  if (v.is_null()) return kNull;
  if (v.is_boolean()) return kBool;
  if (v.is_number())
    return (v.is_number_integer() || std::floor(v.get<double>()) == v.get<double>()) ? kInt : kFrac;
  if (v.is_string()) return kStr;
  return v.is_array() ? kArr : kObj;
}

uint32_t TypeNameBits(std::string_view t) {
  if (t == "null") return kNull;
  if (t == "boolean") return kBool;
  if (t == "integer") return kInt;
  if (t == "number") return kInt | kFrac;
  if (t == "string") return kStr;
  if (t == "array") return kArr;
  return t == "object" ? kObj : 0;
}

}  // namespace

SchemaCompiler::SchemaCompiler(const Json& root) : root_(root) {
  for (const Primitive& p : kPrimitives) used_.insert(std::string(p.name));
}

Result<std::string> SchemaCompiler::Compile() {
  used_.insert("root");
  refs_["#"] = "root";
  std::string body;
  try {
    OLLA_ASSIGN_OR_RETURN(body, Body(root_, "root", "#", 0));
  } catch (const Json::exception& e) {  // a keyword value of an unexpected type slipped through
    return Status::InvalidArgument(StrCat("json schema: malformed: ", e.what()));
  }
  std::string out = StrCat("root ::= ", body, "\n");
  for (const auto& [name, rule] : rules_) StrAppend(out, name, " ::= ", rule, "\n");
  for (const Primitive& p : kPrimitives) {
    if (primitives_.contains(p.name)) StrAppend(out, p.name, " ::= ", p.body, "\n");
  }
  return out;
}

Status SchemaCompiler::Err(const std::string& path, std::string_view msg) {
  return Status::InvalidArgument(StrCat("json schema: ", msg, " (at ", path, ")"));
}

std::string SchemaCompiler::Unique(const std::string& hint) {
  std::string name = Sanitize(hint);
  for (int k = 2; used_.contains(name); ++k) name = StrCat(Sanitize(hint), "-", k);
  used_.insert(name);
  return name;
}

std::string SchemaCompiler::Prim(std::string_view name) {
  if (!primitives_.insert(std::string(name)).second) return std::string(name);
  for (const Primitive& p : kPrimitives) {
    if (p.name != name) continue;
    for (size_t at = 0; at < p.uses.size();) {
      const size_t end = std::min(p.uses.find(' ', at), p.uses.size());
      Prim(p.uses.substr(at, end - at));
      at = end + 1;
    }
  }
  return std::string(name);
}

Result<std::string> SchemaCompiler::Rule(const Json& s, const std::string& hint,
                                         const std::string& path, int depth) {
  const std::string name = Unique(hint);
  OLLA_ASSIGN_OR_RETURN(std::string body, Body(s, name, path, depth + 1));
  if (body.find_first_of(" \"[(|") == std::string::npos) return body;
  rules_.emplace_back(name, std::move(body));
  return name;
}

std::string SchemaCompiler::NewRule(const std::string& hint, std::string body) {
  const std::string name = Unique(hint);
  rules_.emplace_back(name, std::move(body));
  return name;
}

Status SchemaCompiler::CheckKeywords(const Json& s, const std::string& path) {
  for (const auto& [key, value] : s.items()) {
    if (IsKnownKeyword(key)) continue;
    return Err(path, StrCat("unsupported keyword '", key, "'"));
  }
  for (const char* key : {"minLength", "maxLength", "minItems", "maxItems"}) {
    if (!s.contains(key)) continue;
    const Json& v = s[key];
    if (!v.is_number_integer() || v.get<int64_t>() < 0)
      return Err(path, StrCat("'", key, "' must be a non-negative integer"));
    if (v.get<int64_t>() > kMaxRepetition)
      return Err(path, StrCat("'", key, "' above ", kMaxRepetition, " is not supported"));
  }
  if (s.contains("uniqueItems") && s["uniqueItems"] != Json(false))
    return Err(path, "'uniqueItems' other than false is not supported");
  if (s.contains("unevaluatedProperties") && s["unevaluatedProperties"] != Json(false)) {
    return Err(path, "'unevaluatedProperties' other than false is not supported");
  }
  return Status::Ok();
}

// Schemas with $ref, anyOf, oneOf or allOf may carry only annotations besides.
Status SchemaCompiler::CheckAlone(const Json& s, std::string_view keyword,
                                  const std::string& path) {
  for (const auto& [key, value] : s.items()) {
    if (key == keyword || In(kAnnotations, key) || key.starts_with("x-")) continue;
    return Err(path,
               StrCat("'", keyword, "' with the sibling keyword '", key, "' is not supported"));
  }
  return Status::Ok();
}

Result<const Json*> SchemaCompiler::Resolve(const std::string& ref, const std::string& path) {
  if (ref == "#") return &root_;
  if (!ref.starts_with("#/"))
    return Err(path, StrCat("'$ref' to '", ref, "' is not supported (only local references)"));
  try {
    const Json& target = root_.at(Json::json_pointer(ref.substr(1)));
    return &target;
  } catch (const Json::exception&) {
    return Err(path, StrCat("'$ref' to '", ref, "' does not resolve"));
  }
}

Result<std::string> SchemaCompiler::Ref(const std::string& ref, const std::string& path,
                                        int depth) {
  if (auto it = refs_.find(ref); it != refs_.end()) return it->second;
  OLLA_ASSIGN_OR_RETURN(const Json* target, Resolve(ref, path));
  const std::string name = Unique(ref.substr(ref.find_last_of('/') + 1));
  refs_[ref] = name;
  OLLA_ASSIGN_OR_RETURN(std::string body, Body(*target, name, ref, depth + 1));
  rules_.emplace_back(name, std::move(body));
  return name;
}

Result<uint32_t> SchemaCompiler::TypeSet(const Json& s, int depth) {
  if (depth > kMaxSchemaDepth) return Err("#", "schema nests too deeply");
  if (s.is_boolean()) return s.get<bool>() ? kAll : 0u;
  if (!s.is_object()) return kAll;
  if (s.contains("$ref") && s["$ref"].is_string()) {
    OLLA_ASSIGN_OR_RETURN(const Json* t, Resolve(s["$ref"].get<std::string>(), "#"));
    return TypeSet(*t, depth + 1);
  }
  for (const char* key : {"anyOf", "oneOf", "allOf"}) {
    if (!s.contains(key)) continue;
    uint32_t bits = 0;
    for (const Json& b : s[key].is_array() ? s[key] : Json::array()) {
      OLLA_ASSIGN_OR_RETURN(uint32_t t, TypeSet(b, depth + 1));
      bits |= t;
    }
    return bits;
  }
  uint32_t bits = kAll;
  if (s.contains("const")) bits = TypeBit(s["const"]);
  if (s.contains("enum") && s["enum"].is_array()) {
    bits = 0;
    for (const Json& v : s["enum"]) bits |= TypeBit(v);
  }
  if (s.contains("type")) {
    uint32_t t = 0;
    if (s["type"].is_string()) t = TypeNameBits(s["type"].get<std::string>());
    for (const Json& n : s["type"].is_array() ? s["type"] : Json::array())
      t |= n.is_string() ? TypeNameBits(n.get<std::string>()) : 0;
    bits &= t;
  }
  return bits;
}

// The values a required property `key` of an object branch is fixed to (const/enum), or none.
std::optional<std::set<std::string>> SchemaCompiler::Discriminator(const Json& s,
                                                                   const std::string& key) {
  const Json* b = &s;
  if (b->is_object() && b->contains("$ref") && (*b)["$ref"].is_string()) {
    auto t = Resolve((*b)["$ref"].get<std::string>(), "#");
    if (!t.ok()) return std::nullopt;
    b = *t;
  }
  if (!b->is_object() || !b->contains("properties") || !b->contains("required"))
    return std::nullopt;
  if (!(*b)["required"].is_array() || !(*b)["properties"].is_object()) return std::nullopt;
  bool required = false;
  for (const Json& r : (*b)["required"]) required = required || r == Json(key);
  const Json& props = (*b)["properties"];
  if (!required || !props.contains(key) || !props[key].is_object()) return std::nullopt;
  std::set<std::string> values;
  if (props[key].contains("const")) values.insert(props[key]["const"].dump());
  if (props[key].contains("enum") && props[key]["enum"].is_array()) {
    for (const Json& v : props[key]["enum"]) values.insert(v.dump());
  }
  if (values.empty()) return std::nullopt;
  return values;
}

// oneOf compiles as anyOf, which is exact when no value can match two branches.
Status SchemaCompiler::CheckDisjoint(const Json& branches, const std::string& path, int depth) {
  std::vector<uint32_t> types;
  bool disjoint = true;
  for (const Json& b : branches) {
    OLLA_ASSIGN_OR_RETURN(uint32_t t, TypeSet(b, depth + 1));
    for (uint32_t other : types) disjoint = disjoint && (t & other) == 0;
    types.push_back(t);
  }
  if (disjoint) return Status::Ok();
  std::set<std::string> keys;  // candidate discriminators: required properties of branch 0
  const Json* first = &branches[0];
  if (first->is_object() && first->contains("$ref") && (*first)["$ref"].is_string()) {
    OLLA_ASSIGN_OR_RETURN(first, Resolve((*first)["$ref"].get<std::string>(), path));
  }
  if (first->is_object() && first->contains("required") && (*first)["required"].is_array()) {
    for (const Json& r : (*first)["required"]) {
      if (r.is_string()) keys.insert(r.get<std::string>());
    }
  }
  for (const std::string& key : keys) {
    std::set<std::string> seen;
    bool ok = true;
    for (const Json& b : branches) {
      auto values = Discriminator(b, key);
      if (!values) {
        ok = false;
        break;
      }
      for (const std::string& v : *values) ok = ok && seen.insert(v).second;
    }
    if (ok) return Status::Ok();
  }
  return Err(path, "'oneOf' branches that can match the same value are not supported (use anyOf)");
}

Result<std::string> SchemaCompiler::Body(const Json& s, const std::string& name,
                                         const std::string& path, int depth) {
  if (depth > kMaxSchemaDepth) return Err(path, "schema nests too deeply");
  if (s.is_boolean()) {
    if (s.get<bool>()) return Prim("value");
    return Err(path, "schema false matches nothing");
  }
  if (!s.is_object()) return Err(path, "a schema must be an object or a boolean");
  OLLA_RETURN_IF_ERROR(CheckKeywords(s, path));
  if (s.contains("$ref")) {
    OLLA_RETURN_IF_ERROR(CheckAlone(s, "$ref", path));
    if (!s["$ref"].is_string()) return Err(path, "'$ref' must be a string");
    return Ref(s["$ref"].get<std::string>(), path, depth);
  }
  for (const char* key : {"anyOf", "oneOf", "allOf"}) {
    if (!s.contains(key)) continue;
    OLLA_RETURN_IF_ERROR(CheckAlone(s, key, path));
    const Json& branches = s[key];
    if (!branches.is_array() || branches.empty())
      return Err(path, StrCat("'", key, "' must be a non-empty array"));
    if (std::string_view(key) == "allOf") {
      if (branches.size() != 1)
        return Err(path, "'allOf' with more than one schema is not supported");
      return Body(branches[0], name, StrCat(path, "/allOf/0"), depth + 1);
    }
    if (std::string_view(key) == "oneOf")
      OLLA_RETURN_IF_ERROR(CheckDisjoint(branches, path, depth));
    std::string out;
    for (size_t k = 0; k < branches.size(); ++k) {
      OLLA_ASSIGN_OR_RETURN(std::string r, Rule(branches[k], StrCat(name, "-", k),
                                                StrCat(path, "/", key, "/", k), depth));
      StrAppend(out, k ? " | " : "", r);
    }
    return out;
  }
  if (s.contains("const") || s.contains("enum")) return EnumBody(s, path);
  return TypedBody(s, name, path, depth);
}

// Literal alternatives; values that fail the schema's other keywords are dropped. Each value is
// checked against the schema without its const/enum (a value of the enum is in the enum): checking
// every value against the whole enum made a 100k-value enum quadratic (issue #17).
Result<std::string> SchemaCompiler::EnumBody(const Json& s, const std::string& path) {
  if (s.contains("enum") && !s["enum"].is_array()) return Err(path, "'enum' must be an array");
  Json others = s;
  others.erase("const");
  others.erase("enum");
  std::string out;
  auto add = [&](const Json& v) {
    if (!ValidateValue(v, others, root_).ok()) return;
    StrAppend(out, out.empty() ? "" : " | ", GbnfLiteral(v.dump()));
  };
  if (s.contains("const")) {
    const Json& c = s["const"];
    if (!s.contains("enum") || std::find(s["enum"].begin(), s["enum"].end(), c) != s["enum"].end())
      add(c);
  } else {
    for (const Json& v : s["enum"]) add(v);
  }
  if (out.empty()) return Err(path, "no 'enum'/'const' value satisfies the schema");
  return StrCat("(", out, ") ", Prim("space"));
}

Result<std::string> SchemaCompiler::TypedBody(const Json& s, const std::string& name,
                                              const std::string& path, int depth) {
  std::vector<std::string> types;
  if (s.contains("type")) {
    const Json& t = s["type"];
    if (t.is_string()) types.push_back(t.get<std::string>());
    for (const Json& n : t.is_array() ? t : Json::array()) {
      if (!n.is_string()) return Err(path, "'type' must be a string or an array of strings");
      types.push_back(n.get<std::string>());
    }
    if (types.empty()) return Err(path, "'type' must name at least one type");
  } else {  // infer from the keywords present; none: any value
    auto has = [&](std::initializer_list<const char*> keys) {
      for (const char* k : keys) {
        if (s.contains(k)) return true;
      }
      return false;
    };
    if (has({"properties", "required", "additionalProperties"})) types.push_back("object");
    if (has({"items", "prefixItems", "minItems", "maxItems"})) types.push_back("array");
    if (has({"minLength", "maxLength", "pattern", "format"})) types.push_back("string");
    if (has({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}))
      types.push_back("number");
    if (types.empty()) return Prim("value");
  }
  std::string out;
  for (const std::string& t : types) {
    std::string body;
    if (t == "null" || t == "boolean") {
      body = Prim(t);
    } else if (t == "integer" || t == "number") {
      OLLA_ASSIGN_OR_RETURN(body, NumberBody(s, t == "integer", path));
    } else if (t == "string") {
      OLLA_ASSIGN_OR_RETURN(body, StringBody(s, path));
    } else if (t == "array") {
      OLLA_ASSIGN_OR_RETURN(body, ArrayBody(s, name, path, depth));
    } else if (t == "object") {
      OLLA_ASSIGN_OR_RETURN(body, ObjectBody(s, name, path, depth));
    } else {
      return Err(path, StrCat("unknown type '", t, "'"));
    }
    StrAppend(out, out.empty() ? "" : " | ", types.size() > 1 ? StrCat("(", body, ")") : body);
  }
  return out;
}

bool IsKnownKeyword(std::string_view key) {
  return In(kAnnotations, key) || In(kKeywords, key) || key.starts_with("x-");
}

}  // namespace internal
}  // namespace olla::grammar
