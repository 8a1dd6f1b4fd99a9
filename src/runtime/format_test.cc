#include "server/format.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "grammar/matcher.h"

namespace olla::server {
namespace {

using nlohmann::json;

// Whether `text` is a whole sentence of `g`.
bool Matches(const std::shared_ptr<const grammar::Grammar>& g, std::string_view text) {
  grammar::Matcher m(g);
  return m.Accept(text) && m.IsComplete();
}

TEST(FormatTest, AbsentNullAndEmptyAreUnconstrained) {
  for (const json& j : {json(nullptr), json("")}) {
    auto g = ParseFormat(&j);
    ASSERT_TRUE(g.ok()) << g.status().ToString();
    EXPECT_EQ(*g, nullptr);
  }
  auto g = ParseFormat(nullptr);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(*g, nullptr);
}

TEST(FormatTest, JsonIsAnyObject) {
  const json j = "json";
  auto g = ParseFormat(&j);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  ASSERT_NE(*g, nullptr);
  EXPECT_TRUE(Matches(*g, R"({"a": [1, 2.5, "x", null, true], "b": {}})"));
  EXPECT_FALSE(Matches(*g, "hello"));
  EXPECT_FALSE(Matches(*g, R"({"a": 1)"));
}

TEST(FormatTest, SchemaKeepsTheClientsPropertyOrder) {
  const std::string body = R"({"model":"m","format":{"type":"object","properties":{"zeta":{"type":"integer"},)"
                           R"("alpha":{"type":"boolean"}},"required":["zeta","alpha"]}})";
  const json request = json::parse(body);
  auto g = ParseFormat(&request["format"], body);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_TRUE(Matches(*g, R"({"zeta": 3, "alpha": true})"));
  EXPECT_FALSE(Matches(*g, R"({"alpha": true, "zeta": 3})"));
  EXPECT_FALSE(Matches(*g, R"({"zeta": 3})"));  // alpha is required
  // Without the body the (key-sorted) parsed object is used.
  auto sorted = ParseFormat(&request["format"]);
  ASSERT_TRUE(sorted.ok());
  EXPECT_TRUE(Matches(*sorted, R"({"alpha": true, "zeta": 3})"));
}

TEST(FormatTest, OtherValuesAreRefusedPrecisely) {
  const json xml = "xml";
  auto g = ParseFormat(&xml);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(g.status().message(), R"(invalid format: "\"xml\""; expected "json" or a valid JSON Schema object)");
  for (const json& j : {json(42), json(true), json::array({1})}) {
    auto bad = ParseFormat(&j);
    ASSERT_FALSE(bad.ok()) << j.dump();
    EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(bad.status().message().find("invalid format"), std::string::npos) << bad.status().message();
  }
}

TEST(FormatTest, UnsupportedSchemaKeywordIsNamed) {
  const json schema = json::parse(R"({"type":"object","properties":{"a":{"not":{"type":"string"}}}})");
  auto g = ParseFormat(&schema);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(g.status().message().find("'not'"), std::string::npos) << g.status().message();
  EXPECT_NE(g.status().message().find("#/properties/a"), std::string::npos) << g.status().message();
}

}  // namespace
}  // namespace olla::server
