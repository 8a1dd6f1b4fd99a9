#pragma once
// Pieces shared by the JSON Schema compiler and validator (not part of the API).

#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace olla::grammar::internal {

using Json = nlohmann::ordered_json;

// Keywords that only annotate a schema (accepted and ignored by the compiler and the validator),
// and the keywords both implement; anything else (bar "x-" extensions) is refused, named.
inline constexpr std::string_view kAnnotations[] = {
    "$schema",    "$id",      "$comment",  "title",         "description", "default",    "examples",
    "deprecated", "readOnly", "writeOnly", "discriminator", "$defs",       "definitions"};
inline constexpr std::string_view kKeywords[] = {"type",
                                                 "enum",
                                                 "const",
                                                 "$ref",
                                                 "anyOf",
                                                 "oneOf",
                                                 "allOf",
                                                 "properties",
                                                 "required",
                                                 "additionalProperties",
                                                 "unevaluatedProperties",
                                                 "items",
                                                 "prefixItems",
                                                 "minItems",
                                                 "maxItems",
                                                 "uniqueItems",
                                                 "minLength",
                                                 "maxLength",
                                                 "pattern",
                                                 "format",
                                                 "minimum",
                                                 "maximum",
                                                 "exclusiveMinimum",
                                                 "exclusiveMaximum"};

// Whether the compiler and the validator know `key` (an annotation, a keyword or an "x-"
// extension).
bool IsKnownKeyword(std::string_view key);

// `text` as a GBNF string literal, quotes included.
std::string GbnfLiteral(std::string_view text);
// A GBNF character class of the inclusive code point ranges (escaped, so any code point is safe).
std::string GbnfClass(const std::vector<std::pair<uint32_t, uint32_t>>& ranges);

// GBNF for the content of a JSON string (between the quotes) whose decoded value matches the
// ECMAScript `pattern` (unanchored ends match any text). Uses the rule `char` for "any JSON
// string character". kInvalidArgument naming the unsupported construct.
Result<std::string> PatternToGbnf(std::string_view pattern);

// GBNF for the decimal digits of the integers in [lo, hi] (hi absent: unbounded, at most 16
// digits), without sign; lo >= 0 and lo <= hi.
std::string DigitsInRange(int64_t lo, std::optional<int64_t> hi);

// Bounds of a numeric range; an absent side is unbounded.
struct NumberBounds {
  std::optional<int64_t> lo, hi;
  bool lo_exclusive = false, hi_exclusive = false;
};
// GBNF (without trailing space) for the JSON numbers in the range, no exponent; integers only
// when `integer`. kInvalidArgument if the range holds no number.
Result<std::string> NumberInRange(const NumberBounds& b, bool integer);

// The schema visitor (json_schema.cc for the structure, json_schema_types.cc per type).
class SchemaCompiler {
 public:
  explicit SchemaCompiler(const Json& root);
  // GBNF text with the rule `root` first.
  Result<std::string> Compile();

 private:
  static Status Err(const std::string& path, std::string_view msg);
  std::string Unique(const std::string& hint);
  std::string Prim(std::string_view name);  // adds a fixed rule and what it uses; returns its name
  std::string NewRule(const std::string& hint, std::string body);
  // A rule for `s`; returns its name (a body that is a single rule name is returned as is).
  Result<std::string> Rule(const Json& s, const std::string& hint, const std::string& path,
                           int depth);
  // The rule body for `s`: a GBNF expression for its values, trailing whitespace included.
  Result<std::string> Body(const Json& s, const std::string& name, const std::string& path,
                           int depth);
  Status CheckKeywords(const Json& s, const std::string& path);
  Status CheckAlone(const Json& s, std::string_view keyword, const std::string& path);
  Result<const Json*> Resolve(const std::string& ref, const std::string& path);
  Result<std::string> Ref(const std::string& ref, const std::string& path, int depth);
  Result<uint32_t> TypeSet(const Json& s, int depth);
  std::optional<std::set<std::string>> Discriminator(const Json& s, const std::string& key);
  Status CheckDisjoint(const Json& branches, const std::string& path, int depth);
  Result<std::string> EnumBody(const Json& s, const std::string& path);
  Result<std::string> TypedBody(const Json& s, const std::string& name, const std::string& path,
                                int depth);
  Result<std::string> NumberBody(const Json& s, bool integer, const std::string& path);
  Result<std::string> StringBody(const Json& s, const std::string& path);
  Result<std::string> ArrayBody(const Json& s, const std::string& name, const std::string& path,
                                int depth);
  Result<std::string> ObjectBody(const Json& s, const std::string& name, const std::string& path,
                                 int depth);
  // A JSON object key (quoted, unescaped characters) equal to none of `names`.
  std::string KeyExcluding(const std::vector<std::string>& names, const std::string& name);

  const Json& root_;
  std::vector<std::pair<std::string, std::string>> rules_;  // in definition order
  std::set<std::string> used_;
  std::set<std::string, std::less<>> primitives_;
  std::map<std::string, std::string> refs_;  // "$ref" value -> rule name
};

// Validation of one value, for the compiler (enum filtering) and ValidateJson().
Status ValidateValue(const Json& value, const Json& schema, const Json& root);

// Format checks shared by compiler tests and validator: the RFC 3339 / RFC 4122 spellings.
bool IsDate(std::string_view s);
bool IsTime(std::string_view s);
bool IsDateTime(std::string_view s);
bool IsUuid(std::string_view s);
bool IsIpv4(std::string_view s);

}  // namespace olla::grammar::internal
