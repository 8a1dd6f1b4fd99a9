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

TEST(JsonRequestTest, TypeErrorsUseGoWording) {
  auto j = *ParseRequestBody(R"({"prompt": 5, "stream": "no", "n": 2.5, "stop": ["a", 1], "ok": "x"})", "GenerateRequest");
  Fields f(j, "GenerateRequest");
  EXPECT_EQ(f.String("prompt").status().message(),
            "json: cannot unmarshal number into Go struct field GenerateRequest.prompt of type string");
  EXPECT_EQ(f.Bool("stream").status().message(),
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
