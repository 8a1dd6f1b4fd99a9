#include "runtime/format.h"

#include <gtest/gtest.h>

#include "grammar/matcher.h"

namespace olla::runtime {
namespace {

// Whether `text` is a whole sentence of `g`.
bool Matches(const std::shared_ptr<const grammar::Grammar>& g, std::string_view text) {
  grammar::Matcher m(g);
  return m.Accept(text) && m.IsComplete();
}

TEST(FormatTest, AbsentNullAndEmptyAreUnconstrained) {
  for (std::string_view text : {"null", "\"\""}) {
    auto g = CompileFormat(text);
    ASSERT_TRUE(g.ok()) << g.status().ToString();
    EXPECT_EQ(*g, nullptr);
  }
  auto g = CompileFormat("");
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(*g, nullptr);
}

TEST(FormatTest, JsonIsAnyObject) {
  auto g = CompileFormat("\"json\"");
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  ASSERT_NE(*g, nullptr);
  EXPECT_TRUE(Matches(*g, R"({"a": [1, 2.5, "x", null, true], "b": {}})"));
  EXPECT_FALSE(Matches(*g, "hello"));
  EXPECT_FALSE(Matches(*g, R"({"a": 1)"));
}

TEST(FormatTest, SchemaKeepsItsPropertyOrder) {
  auto g = CompileFormat(R"({"type":"object","properties":{"zeta":{"type":"integer"},)"
                         R"("alpha":{"type":"boolean"}},"required":["zeta","alpha"]})");
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_TRUE(Matches(*g, R"({"zeta": 3, "alpha": true})"));
  EXPECT_FALSE(Matches(*g, R"({"alpha": true, "zeta": 3})"));
  EXPECT_FALSE(Matches(*g, R"({"zeta": 3})"));  // alpha is required
}

TEST(FormatTest, OtherValuesAreRefusedPrecisely) {
  auto g = CompileFormat("\"xml\"");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(g.status().message(),
            R"(invalid format: "\"xml\""; expected "json" or a valid JSON Schema object)");
  for (std::string_view text : {"42", "true", "[1]"}) {
    auto bad = CompileFormat(text);
    ASSERT_FALSE(bad.ok()) << text;
    EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(bad.status().message().find("invalid format"), std::string::npos)
        << bad.status().message();
  }
}

TEST(FormatTest, UnsupportedSchemaKeywordIsNamed) {
  auto g = CompileFormat(R"({"type":"object","properties":{"a":{"not":{"type":"string"}}}})");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(g.status().message().find("'not'"), std::string::npos) << g.status().message();
  EXPECT_NE(g.status().message().find("#/properties/a"), std::string::npos) << g.status().message();
}

}  // namespace
}  // namespace olla::runtime
