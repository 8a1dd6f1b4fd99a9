#include "api/json_request.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace olla::api {
namespace {

TEST(JsonRequestTest, EmptyAndMalformedBodies) {
  EXPECT_EQ(ParseRequestBody("", "GenerateRequest").status().message(), "missing request body");
  EXPECT_EQ(ParseRequestBody("  \n", "GenerateRequest").status().message(), "missing request body");
  auto bad = ParseRequestBody("{\"model\":", "GenerateRequest");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseRequestBody("[1]", "GenerateRequest").status().message(),
            "json: cannot unmarshal array into Go value of type api.GenerateRequest");
}

// A 200 KB body nesting `format` 100k deep overflowed the stack when the value was serialized.
TEST(JsonRequestTest, DeepNestingIsRefusedBeforeParsing) {
  const std::string deep =
      "{\"model\":\"m\",\"format\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
  auto r = ParseRequestBody(deep, "ChatRequest");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "invalid JSON: nested deeper than 128 levels");
  // The limit itself is fine, and brackets inside strings (escaped quotes included) do not count.
  const std::string at_limit = std::string(127, '[') + "{}" + std::string(127, ']');
  EXPECT_TRUE(CheckNestingDepth(at_limit, 128).ok());
  EXPECT_FALSE(CheckNestingDepth("[" + at_limit + "]", 128).ok());
  EXPECT_TRUE(ParseRequestBody("{\"prompt\":\"" + std::string(1000, '[') + "\\\"" +
                                   std::string(1000, '{') + "\"}",
                               "GenerateRequest")
                  .ok());
}

TEST(JsonRequestTest, TypeErrorsUseGoWording) {
  auto j = *ParseRequestBody(
      R"({"prompt": 5, "stream": "no", "n": 2.5, "stop": ["a", 1], "ok": "x"})", "GenerateRequest");
  Fields f(j, "GenerateRequest");
  EXPECT_EQ(
      f.String("prompt").status().message(),
      "json: cannot unmarshal number into Go struct field GenerateRequest.prompt of type string");
  EXPECT_EQ(
      f.Bool("stream").status().message(),
      "json: cannot unmarshal string into Go struct field GenerateRequest.stream of type bool");
  EXPECT_FALSE(f.Int("n").ok());
  EXPECT_FALSE(f.Strings("stop").ok());
  EXPECT_EQ(**f.String("ok"), "x");
  EXPECT_FALSE(f.String("missing")->has_value());
}

TEST(JsonRequestTest, DumpEscapesLikeGo) {
  nlohmann::json j = {{"a", "<b>&"}};
  EXPECT_EQ(DumpGo(j), R"({"a":"\u003cb\u003e\u0026"})");
  EXPECT_EQ(ErrorBody("model 'x' not found"), R"({"error":"model 'x' not found"})");
}

}  // namespace
}  // namespace olla::api
