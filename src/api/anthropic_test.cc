// Golden tests of the Anthropic Messages API conversions (spec §4.8). The tables live in
// tests/testdata/anthropic/*.json: request cases {"in", "want" | "error" | "error_prefix"},
// response cases {"native", "want"}, stream cases {"native": [...], "want": [...]}.

#include "api/anthropic.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace olla::api::anthropic {
namespace {

using nlohmann::json;

json LoadGolden(const std::string& name) {
  std::ifstream in(std::string(OLLA_ANTHROPIC_TESTDATA) + "/" + name);
  EXPECT_TRUE(in) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str());
}

TEST(AnthropicTest, RequestGoldens) {
  const json cases = LoadGolden("requests.json");
  ASSERT_GE(cases.size(), 20u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c["name"].get<std::string>());
    json native;
    bool stream = false;
    Status s = FromMessagesRequest(c["in"], &native, &stream);
    if (c.contains("error") || c.contains("error_prefix")) {
      ASSERT_FALSE(s.ok()) << native.dump();
      EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
      if (c.contains("error")) {
        EXPECT_EQ(s.message(), c["error"].get<std::string>());
      } else {
        EXPECT_EQ(s.message().rfind(c["error_prefix"].get<std::string>(), 0), 0u) << s.message();
      }
      continue;
    }
    ASSERT_TRUE(s.ok()) << s.message();
    EXPECT_EQ(native, c["want"]) << native.dump(1);
    EXPECT_EQ(stream, c.value("stream", false));
  }
}

TEST(AnthropicTest, ResponseGoldens) {
  for (const auto& c : LoadGolden("responses.json")) {
    SCOPED_TRACE(c["name"].get<std::string>());
    json got = ToMessage(c["native"], "msg_0123");
    EXPECT_EQ(got, c["want"]) << got.dump(1);
  }
}

TEST(AnthropicTest, StreamGoldens) {
  for (const auto& c : LoadGolden("streams.json")) {
    SCOPED_TRACE(c["name"].get<std::string>());
    MessagesStream conv("msg_0123", "m", 7);
    EXPECT_TRUE(conv.named_events());
    json got = json::array();
    for (auto& e : conv.Start()) got.push_back(std::move(e));
    for (const auto& n : c["native"])
      for (auto& e : conv.Add(n)) got.push_back(std::move(e));
    for (auto& e : conv.Finish()) got.push_back(std::move(e));
    EXPECT_EQ(got, c["want"]) << got.dump(1);
  }
}

TEST(AnthropicTest, Errors) {
  const struct {
    int status;
    const char* type;
  } cases[] = {{400, "invalid_request_error"},
               {401, "authentication_error"},
               {403, "permission_error"},
               {404, "not_found_error"},
               {429, "rate_limit_error"},
               {503, "overloaded_error"},
               {529, "overloaded_error"},
               {500, "api_error"},
               {502, "api_error"}};
  for (const auto& c : cases) {
    EXPECT_EQ(ErrorObject(c.status, "boom"),
              json({{"type", "error"}, {"error", {{"type", c.type}, {"message", "boom"}}}}))
        << c.status;
  }
  MessagesStream conv("msg_1", "m", 1);
  EXPECT_EQ(
      conv.Error("model crashed"),
      json({{"type", "error"}, {"error", {{"type", "api_error"}, {"message", "model crashed"}}}}));
}

TEST(AnthropicTest, StopReasonAndEstimate) {
  EXPECT_EQ(StopReason("stop", false), "end_turn");
  EXPECT_EQ(StopReason("length", true), "tool_use");
  EXPECT_EQ(StopReason("unload", false), "stop_sequence");
  EXPECT_TRUE(StopReason("", false).is_null());
  // 4 bytes of system + 12 of content + 4 of role = 20 bytes → 5 tokens; at least 1.
  EXPECT_EQ(
      EstimateInputTokens(json::parse(
          R"({"system":"abcd","messages":[{"role":"user","content":[{"type":"text","text":"twelve bytes"}]}]})")),
      5);
  EXPECT_EQ(EstimateInputTokens(json::parse(R"({"messages":[]})")), 1);
}

}  // namespace
}  // namespace olla::api::anthropic
