#include "grammar/json_schema.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>

#include "grammar/json_validator.h"
#include "grammar/matcher.h"

namespace olla::grammar {
namespace {

std::shared_ptr<const Grammar> Compile(const std::string& schema) {
  auto text = JsonSchemaToGbnf(schema);
  EXPECT_TRUE(text.ok()) << schema << ": " << text.status().ToString();
  if (!text.ok()) return nullptr;
  auto g = ParseGbnf(*text);
  EXPECT_TRUE(g.ok()) << schema << ": " << g.status().ToString() << "\n" << *text;
  return g.ok() ? *g : nullptr;
}

bool Matches(const std::shared_ptr<const Grammar>& g, std::string_view text) {
  Matcher m(g);
  return m.Accept(text) && m.IsComplete();
}

TEST(JsonSchemaTest, CompilesSupportedSchemas) {
  const char* schemas[] = {
      "{}",
      "true",
      R"({"type": "object"})",
      R"({"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}, "required": ["b"]})",
      R"({"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": {"type": "number"}})",
      R"({"type": "object", "required": ["x"]})",
      R"({"type": "array", "items": {"type": "boolean"}, "minItems": 1, "maxItems": 3})",
      R"({"type": "array", "prefixItems": [{"type": "string"}, {"type": "null"}], "items": false})",
      R"({"type": ["string", "null"], "maxLength": 5})",
      R"({"enum": ["red", "green", 3, null, {"a": [1]}]})",
      R"({"const": "x\"y\\z\u00e9"})",
      R"({"anyOf": [{"type": "string"}, {"type": "integer"}]})",
      R"({"oneOf": [{"type": "string"}, {"type": "integer"}]})",
      R"({"allOf": [{"type": "string"}]})",
      R"({"$defs": {"node": {"type": "object", "properties": {"next": {"$ref": "#/$defs/node"}}}}, "$ref": "#/$defs/node"})",
      R"({"definitions": {"a": {"type": "integer"}}, "type": "array", "items": {"$ref": "#/definitions/a"}})",
      R"({"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#"}}}})",
      R"({"type": "string", "format": "date-time"})",
      R"({"type": "string", "pattern": "^[A-Z]{2}-\\d{3}$"})",
      R"({"type": "integer", "minimum": -5, "exclusiveMaximum": 100})",
      R"({"type": "number", "minimum": 0, "maximum": 1})",
      R"({"title": "T", "description": "d", "$schema": "https://json-schema.org/draft/2020-12/schema", "x-extra": 1, "type": "boolean"})",
  };
  for (const char* s : schemas) EXPECT_NE(Compile(s), nullptr) << s;
}

TEST(JsonSchemaTest, UnsupportedKeywordsAreErrorsNamingThem) {
  const struct {
    const char* schema;
    const char* want;
  } cases[] = {
      {R"({"type": "string", "not": {"const": "a"}})", "unsupported keyword 'not' (at #)"},
      {R"({"type": "object", "properties": {"a": {"type": "integer", "multipleOf": 3}}})",
       "unsupported keyword 'multipleOf' (at #/properties/a)"},
      {R"({"type": "object", "patternProperties": {"^x": {}}})", "'patternProperties'"},
      {R"({"type": "object", "minProperties": 1})", "'minProperties'"},
      {R"({"if": {}, "then": {}})", "'if'"},
      {R"({"type": "array", "contains": {"type": "integer"}})", "'contains'"},
      {R"({"type": "array", "uniqueItems": true})", "'uniqueItems'"},
      {R"({"type": "string", "format": "email"})",
       "unsupported string format 'email' (keyword 'format')"},
      {R"({"type": "string", "pattern": "^(?=a)b$"})", "lookaround"},
      {R"({"type": "string", "pattern": "(a)\\1"})", "backreferences"},
      {R"({"type": "string", "pattern": "\\bword"})", "word boundaries"},
      {R"({"type": "string", "pattern": "a^b"})", "anchors"},
      {R"({"type": "string", "pattern": "(a*)*"})", "can be empty"},
      {R"({"type": "string", "pattern": "x", "minLength": 2})", "'pattern' together with"},
      {R"({"type": "number", "minimum": 0.5})", "non-integer 'minimum'"},
      {R"({"type": "integer", "minimum": 1e300})", "outside the supported range"},
      {R"({"type": "integer", "minimum": 5, "maximum": 4})", "holds no number"},
      {R"({"$ref": "https://example.com/s.json"})", "only local references"},
      {R"({"$ref": "#/$defs/missing"})", "does not resolve"},
      {R"({"$ref": "#/$defs/a", "type": "string", "$defs": {"a": {}}})", "sibling keyword 'type'"},
      {R"({"anyOf": [{"type": "string"}], "maxLength": 3})", "sibling keyword 'maxLength'"},
      {R"({"allOf": [{"type": "string"}, {"maxLength": 3}]})", "'allOf' with more than one"},
      {R"({"oneOf": [{"type": "integer"}, {"type": "number"}]})",
       "'oneOf' branches that can match"},
      {R"({"type": "string", "maxLength": 2, "minLength": 3})", "'maxLength' is below 'minLength'"},
      {R"({"type": "string", "maxLength": 1000000000})", "'maxLength' above"},
      {R"({"type": "array", "minItems": -1})", "'minItems' must be a non-negative integer"},
      {R"({"type": "bogus"})", "unknown type 'bogus'"},
      {R"({"enum": [1, 2], "type": "string"})", "no 'enum'/'const' value"},
      {"false", "schema false matches nothing"},
      {"[1, 2]", "must be an object or a boolean"},
      {"{\"type\": ", "not valid JSON"},
      {R"({"type": "object", "properties": {"a": {}}, "required": ["b"], "additionalProperties": false})",
       "required property 'b'"},
  };
  for (const auto& c : cases) {
    auto r = JsonSchemaToGbnf(c.schema);
    ASSERT_FALSE(r.ok()) << c.schema << "\n" << *r;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.want), std::string::npos)
        << c.schema << "\n got: " << r.status().message() << "\nwant: " << c.want;
  }
}

TEST(JsonSchemaTest, OneOfWithDiscriminatorIsAccepted) {
  EXPECT_NE(Compile(R"({"oneOf": [
      {"type": "object", "properties": {"kind": {"const": "cat"}, "lives": {"type": "integer"}}, "required": ["kind"]},
      {"type": "object", "properties": {"kind": {"enum": ["dog", "wolf"]}}, "required": ["kind"]}]})"),
            nullptr);
}

TEST(JsonSchemaTest, FormatField) {
  for (const char* none : {"", "  ", "null", "\"\""}) {
    auto r = FormatToGbnf(none);
    ASSERT_TRUE(r.ok()) << none;
    EXPECT_EQ(*r, "") << none;
    auto g = GrammarForFormat(none);
    ASSERT_TRUE(g.ok());
    EXPECT_EQ(*g, nullptr);
  }
  auto json = GrammarForFormat("\"json\"");
  ASSERT_TRUE(json.ok()) << json.status().ToString();
  EXPECT_TRUE(Matches(*json, R"({"a": [1, 2.5, "x", true, null, {}]})"));
  EXPECT_FALSE(Matches(*json, "[1]"));  // Ollama's format json is an object
  auto schema = GrammarForFormat(
      R"({"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]})");
  ASSERT_TRUE(schema.ok());
  EXPECT_TRUE(Matches(*schema, R"({"n": 42})"));
  EXPECT_FALSE(Matches(*schema, R"({"n": "42"})"));
  auto bad = FormatToGbnf("\"xml\"");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            R"(invalid format: "\"xml\""; expected "json" or a valid JSON Schema object)");
  EXPECT_FALSE(FormatToGbnf("[1]").ok());
  EXPECT_FALSE(FormatToGbnf("{").ok());
}

TEST(JsonSchemaTest, ObjectShapes) {
  auto g = Compile(
      R"({"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"},
      "c": {"type": "integer"}}, "required": ["b"]})");
  for (const char* ok : {R"({"b": 1})", R"({"a": 1, "b": 2})", R"({"b": 2, "c": 3})",
                         R"({"a":1,"b":2,"c":3})", "{\n  \"a\": 1,\n  \"b\": 2\n}"}) {
    EXPECT_TRUE(Matches(g, ok)) << ok;
  }
  for (const char* bad : {R"({})", R"({"a": 1})", R"({"b": 1, "a": 2})", R"({"b": 1, "d": 2})",
                          R"({"b": 1,})", R"( {"b": 1})", "{\"b\":                        1}"}) {
    EXPECT_FALSE(Matches(g, bad)) << bad;
  }
  auto opt = Compile(
      R"({"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}}})");
  for (const char* ok : {"{}", R"({"a": 1})", R"({"b": 1})", R"({"a": 1, "b": 2})"})
    EXPECT_TRUE(Matches(opt, ok)) << ok;
  for (const char* bad : {R"({,"b": 1})", R"({"a": 1,})", R"({"b": 1, "a": 2})"})
    EXPECT_FALSE(Matches(opt, bad)) << bad;
  auto extra = Compile(
      R"({"type": "object", "properties": {"ab": {"type": "integer"}}, "additionalProperties": {"type": "string"}})");
  for (const char* ok :
       {"{}", R"({"ab": 1, "x": "y"})", R"({"a": "y"})", R"({"abc": "y", "b": ""})"}) {
    EXPECT_TRUE(Matches(extra, ok)) << ok;
  }
  for (const char* bad : {R"({"ab": "y"})", R"({"x": 1})", R"({"x": "1", "ab": 1})"}) {
    EXPECT_FALSE(Matches(extra, bad)) << bad;
  }
}

TEST(JsonSchemaTest, IntegerRangesAreExact) {
  const struct {
    const char* bounds;
    double lo, hi;  // inclusive, as doubles
  } cases[] = {
      {R"("minimum": 0, "maximum": 0)", 0, 0},
      {R"("minimum": 5)", 5, 1e18},
      {R"("minimum": -7, "maximum": 123)", -7, 123},
      {R"("exclusiveMinimum": -100, "exclusiveMaximum": -9)", -99, -10},
      {R"("maximum": 19)", -1e18, 19},
      {R"("minimum": 1.5, "maximum": 99.9)", 2, 99},
      {R"("minimum": 10, "maximum": 1000)", 10, 1000},
      {R"("minimum": 3, "exclusiveMinimum": true)", 4, 1e18},
  };
  for (const auto& c : cases) {
    auto g = Compile(std::string(R"({"type": "integer", )") + c.bounds + "}");
    ASSERT_NE(g, nullptr);
    for (int v = -1200; v <= 1200; ++v) {
      EXPECT_EQ(Matches(g, std::to_string(v)), v >= c.lo && v <= c.hi) << c.bounds << " v=" << v;
    }
    EXPECT_FALSE(Matches(g, "01"));
    EXPECT_FALSE(Matches(g, "1.0"));
  }
}

TEST(JsonSchemaTest, NumberRangesAreExact) {
  const char* values[] = {"-12.5", "-10",  "-10.0", "-9.99", "-1",    "-0.5",  "-0", "0",     "0.0",
                          "0.001", "0.5",  "1",     "1.0",   "1.000", "1.5",   "2",  "4.999", "5",
                          "5.0",   "5.01", "9",     "10",    "10.5",  "99.25", "100"};
  const struct {
    const char* bounds;
    double lo, hi;
    bool lo_ex, hi_ex;
  } cases[] = {
      {R"("minimum": 0, "maximum": 1)", 0, 1, false, false},
      {R"("exclusiveMinimum": 0, "exclusiveMaximum": 5)", 0, 5, true, true},
      {R"("minimum": -10, "maximum": -1)", -10, -1, false, false},
      {R"("exclusiveMinimum": -10, "maximum": 5)", -10, 5, true, false},
      {R"("minimum": 1)", 1, 1e18, false, false},
      {R"("exclusiveMaximum": 0)", -1e18, 0, false, true},
  };
  for (const auto& c : cases) {
    auto g = Compile(std::string(R"({"type": "number", )") + c.bounds + "}");
    ASSERT_NE(g, nullptr);
    for (const char* v : values) {
      const double d = std::stod(v);
      const bool want = (c.lo_ex ? d > c.lo : d >= c.lo) && (c.hi_ex ? d < c.hi : d <= c.hi);
      EXPECT_EQ(Matches(g, v), want) << c.bounds << " v=" << v;
    }
  }
}

TEST(JsonSchemaTest, PatternsMatchTheirStrings) {
  const struct {
    const char* pattern;
    std::vector<std::string> yes, no;
  } cases[] = {
      {"^[A-Z]{2}-\\d{3}$", {"AB-123"}, {"AB-12", "ab-123", "AB-1234", "xAB-123"}},
      {"^(cat|dog)s?$", {"cat", "dogs"}, {"cats!", "bird", ""}},
      {"ab", {"ab", "xxabyy", "ab\"\\"}, {"a", "ba"}},
      {"^a.c$", {"abc", "a\"c", "a\\c", "aéc"}, {"a\nc", "ac"}},
      {"^[^a-c]+$", {"xyz", "d\"e"}, {"a", "xax"}},
      {"^\\w+@\\w+\\.com$", {"me@site.com"}, {"me@site.org", "@site.com"}},
      {"^x{2,3}?$", {"xx", "xxx"}, {"x", "xxxx"}},
      {"^(?:ab)+$", {"ab", "abab"}, {"aba"}},
      {"^\\s*\\S+$", {"  a", "b"}, {" ", ""}},
      {"^[\\d.]+$", {"1.5", "..."}, {"1,5"}},
      {"^a{2}b\\{c$", {"aab{c"}, {"ab{c"}},
  };
  for (const auto& c : cases) {
    const std::string schema = nlohmann::json{{"type", "string"}, {"pattern", c.pattern}}.dump();
    auto g = Compile(schema);
    ASSERT_NE(g, nullptr) << c.pattern;
    for (const std::string& s : c.yes) {
      const std::string text = nlohmann::json(s).dump();
      EXPECT_TRUE(Matches(g, text)) << c.pattern << " " << text;
      EXPECT_TRUE(ValidateJson(text, schema).ok()) << c.pattern << " " << text;
    }
    for (const std::string& s : c.no) {
      const std::string text = nlohmann::json(s).dump();
      EXPECT_FALSE(Matches(g, text)) << c.pattern << " " << text;
      EXPECT_FALSE(ValidateJson(text, schema).ok()) << c.pattern << " " << text;
    }
  }
}

TEST(JsonSchemaTest, FormatsAndLengths) {
  auto date = Compile(R"({"type": "string", "format": "date"})");
  EXPECT_TRUE(Matches(date, R"("2024-02-28")"));
  EXPECT_FALSE(Matches(date, R"("2024-02-30")"));
  EXPECT_FALSE(Matches(date, R"("2024-13-01")"));
  auto dt = Compile(R"({"type": "string", "format": "date-time"})");
  EXPECT_TRUE(Matches(dt, R"("2024-06-30T23:59:59.123+02:00")"));
  EXPECT_TRUE(Matches(dt, R"("1999-12-31T00:00:00Z")"));
  EXPECT_FALSE(Matches(dt, R"("1999-12-31 00:00:00Z")"));
  auto uuid = Compile(R"({"type": "string", "format": "uuid"})");
  EXPECT_TRUE(Matches(uuid, R"("123e4567-e89b-12d3-a456-426614174000")"));
  EXPECT_FALSE(Matches(uuid, R"("123e4567e89b12d3a456426614174000")"));
  auto ip = Compile(R"({"type": "string", "format": "ipv4"})");
  EXPECT_TRUE(Matches(ip, R"("192.168.0.255")"));
  EXPECT_FALSE(Matches(ip, R"("192.168.0.256")"));
  auto len = Compile(R"({"type": "string", "minLength": 2, "maxLength": 3})");
  EXPECT_TRUE(Matches(len, R"("ab")"));
  EXPECT_TRUE(Matches(len, R"("a\"é")"));  // lengths count characters, an escape is one
  EXPECT_FALSE(Matches(len, R"("a")"));
  EXPECT_FALSE(Matches(len, R"("abcd")"));
  EXPECT_FALSE(Matches(len, R"("\ud83d\ude00")"));  // escaped surrogates are left out
}

TEST(JsonValidatorTest, Table) {
  const struct {
    const char* schema;
    const char* instance;
    bool valid;
  } cases[] = {
      {R"({"type": "integer"})", "3", true},
      {R"({"type": "integer"})", "3.0", true},
      {R"({"type": "integer"})", "3.5", false},
      {R"({"type": ["string", "null"]})", "null", true},
      {R"({"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]})",
       R"({"a": "x", "b": 1})", true},
      {R"({"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]})",
       R"({"b": 1})", false},
      {R"({"type": "object", "additionalProperties": false, "properties": {"a": {}}})",
       R"({"a": 1, "b": 1})", false},
      {R"({"type": "object", "additionalProperties": {"type": "integer"}})", R"({"a": "1"})",
       false},
      {R"({"type": "array", "items": {"type": "integer"}, "minItems": 2})", "[1, 2]", true},
      {R"({"type": "array", "items": {"type": "integer"}, "minItems": 2})", "[1]", false},
      {R"({"type": "array", "prefixItems": [{"type": "string"}], "items": {"type": "integer"}})",
       R"(["a", 1, 2])", true},
      {R"({"type": "array", "prefixItems": [{"type": "string"}], "items": {"type": "integer"}})",
       R"([1, 1])", false},
      {R"({"type": "array", "uniqueItems": true})", "[1, 2, 1]", false},
      {R"({"enum": ["a", 1]})", "1.0", true},
      {R"({"const": {"a": [1]}})", R"({"a": [1]})", true},
      {R"({"oneOf": [{"type": "integer"}, {"type": "number"}]})", "1", false},
      {R"({"oneOf": [{"type": "integer"}, {"type": "string"}]})", "1", true},
      {R"({"anyOf": [{"type": "integer"}, {"type": "string"}]})", "true", false},
      {R"({"type": "string", "minLength": 2})", R"("é")", false},
      {R"({"type": "string", "maxLength": 2})", R"("éé")", true},
      {R"({"type": "string", "pattern": "^a+$"})", R"("aaa")", true},
      {R"({"type": "string", "format": "date"})", R"("2024-02-29")", true},
      {R"({"type": "string", "format": "date"})", R"("2023-02-29")", false},
      {R"({"type": "string", "format": "time"})", R"("23:59:60Z")", true},
      {R"({"type": "string", "format": "date-time"})", R"("2023-01-01T25:00:00Z")", false},
      {R"({"type": "number", "exclusiveMaximum": 5})", "5", false},
      {R"({"type": "number", "maximum": 5, "exclusiveMaximum": true})", "5", false},
      {R"({"$defs": {"n": {"type": "integer"}}, "items": {"$ref": "#/$defs/n"}})", "[1, \"x\"]",
       false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(ValidateJson(c.instance, c.schema).ok(), c.valid)
        << c.schema << " " << c.instance << ": " << ValidateJson(c.instance, c.schema).ToString();
  }
  EXPECT_FALSE(ValidateJson("{", "{}").ok());
  const Status unsupported = ValidateJson("1", R"({"not": {}})");
  EXPECT_NE(unsupported.message().find("'not'"), std::string::npos);
}

}  // namespace
}  // namespace olla::grammar

namespace olla::grammar {
namespace {

// A 100k-value enum compiled in quadratic time (each value was checked against the whole enum):
// 45 s of CPU for one request (issue #17). Now linear; the budget leaves room for slow CI.
TEST(JsonSchemaTest, LargeEnumCompilesQuickly) {
  nlohmann::json values = nlohmann::json::array();
  for (int i = 0; i < 100000; ++i) values.push_back("v" + std::to_string(i));
  const std::string schema = nlohmann::json({{"enum", values}}).dump();
  const auto start = std::chrono::steady_clock::now();
  auto g = GrammarForFormat(schema);
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_LT(took, std::chrono::seconds(3));
  Matcher m(*g);
  EXPECT_TRUE(m.Accept("\"v99999\"") && m.IsComplete());
  Matcher bad(*g);
  EXPECT_FALSE(bad.Accept("\"v100000\"") && bad.IsComplete());
}

// const and enum together: only the const value, and only if the enum lists it.
TEST(JsonSchemaTest, ConstWithEnum) {
  auto g = Compile(R"({"const": "b", "enum": ["a", "b"]})");
  ASSERT_NE(g, nullptr);
  EXPECT_TRUE(Matches(g, "\"b\""));
  EXPECT_FALSE(Matches(g, "\"a\""));
  EXPECT_FALSE(JsonSchemaToGbnf(R"({"const": "c", "enum": ["a", "b"]})").ok());
}

}  // namespace
}  // namespace olla::grammar
