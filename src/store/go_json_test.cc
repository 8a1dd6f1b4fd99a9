#include "store/go_json.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace olla::store {
namespace {

TEST(GoJsonTest, EscapesStringsLikeGo) {
  const struct {
    std::string in, want;
  } cases[] = {
      {"plain", "\"plain\""},
      {"", "\"\""},
      {"a\"b\\c", "\"a\\\"b\\\\c\""},
      {"<|eot_id|>", "\"\\u003c|eot_id|\\u003e\""},
      {"a & b", "\"a \\u0026 b\""},
      {"\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\""},
      {std::string("\0\x01\x1f", 3), "\"\\u0000\\u0001\\u001f\""},
      {"\x7f", "\"\x7f\""},
      {"/", "\"/\""},
      {"héllo 你好 👋", "\"héllo 你好 👋\""},
      {"\xE2\x80\xA8\xE2\x80\xA9", "\"\\u2028\\u2029\""},
      {"a\xff"
       "b",
       "\"a\\ufffdb\""},
      {"\xED\xA0\x80", "\"\\ufffd\\ufffd\\ufffd\""},  // an encoded surrogate: 3 invalid bytes
      {"\xEF\xBF\xBD", "\"\xEF\xBF\xBD\""},           // a real U+FFFD is copied
      {"\xC3", "\"\\ufffd\""},                        // truncated sequence
  };
  for (const auto& c : cases) EXPECT_EQ(GoJsonString(c.in), c.want) << c.in;
}

TEST(GoJsonTest, FormatsFloatsLikeGo) {
  const struct {
    double in;
    std::string want;
  } cases64[] = {
      {0.6, "0.6"},
      {0.7, "0.7"},
      {1, "1"},
      {42, "42"},
      {-2.5, "-2.5"},
      {0, "0"},
      {-0.0, "-0"},
      {1e20, "100000000000000000000"},
      {1e21, "1e+21"},
      {1.5e300, "1.5e+300"},
      {0.000001, "0.000001"},
      {1e-7, "1e-7"},
      {1.25e-10, "1.25e-10"},
      {123456789.125, "123456789.125"},
      {0.1 + 0.2, "0.30000000000000004"},
  };
  for (const auto& c : cases64) {
    std::string out;
    AppendGoFloat64(out, c.in);
    EXPECT_EQ(out, c.want) << c.in;
  }
  const struct {
    float in;
    std::string want;
  } cases32[] = {
      {0.6f, "0.6"}, {0.9f, "0.9"}, {1e-7f, "1e-7"}, {3.4e38f, "3.4e+38"}, {100.f, "100"}};
  for (const auto& c : cases32) {
    std::string out;
    AppendGoFloat32(out, c.in);
    EXPECT_EQ(out, c.want) << c.in;
  }
}

TEST(GoJsonTest, MarshalSortsKeysAndIsCompact) {
  nlohmann::json v = nlohmann::json::parse(
      R"({"top_p": 0.7, "stop": ["USER:", "ASSISTANT:"], "temperature": 0.6, "top_k": 10,
          "nested": {"b": [true, false, null], "a": -3, "Z": 18446744073709551615}})");
  EXPECT_EQ(*GoMarshal(v),
            R"({"nested":{"Z":18446744073709551615,"a":-3,"b":[true,false,null]},)"
            R"("stop":["USER:","ASSISTANT:"],"temperature":0.6,"top_k":10,"top_p":0.7})");
  EXPECT_EQ(*GoMarshal(nlohmann::json::array()), "[]");
  EXPECT_EQ(*GoMarshal(nlohmann::json::object()), "{}");
  EXPECT_EQ(*GoMarshal(nlohmann::json("<&>")), "\"\\u003c\\u0026\\u003e\"");
}

TEST(GoJsonTest, MarshalBoundsNesting) {
  nlohmann::json deep = 1;
  for (int i = 0; i < 256; ++i) deep = nlohmann::json::array({deep});
  EXPECT_TRUE(GoMarshal(deep).ok());
  deep = nlohmann::json::array({deep});
  Result<std::string> r = GoMarshal(deep);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace olla::store
