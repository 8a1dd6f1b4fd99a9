#include "server/request_parse.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace olla::server {
namespace {

using nlohmann::json;

// Issue #17: `context` [2^40] was cut to token 0 without a word.
TEST(RequestParseTest, ContextTokensMustBeTokenIds) {
  auto ok =
      ParseGenerateRequest({{"model", "m"}, {"prompt", "p"}, {"context", {1, 2, 2147483647}}}, "");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->job.context, (std::vector<int32_t>{1, 2, 2147483647}));
  for (const json& bad :
       {json(int64_t{1} << 40), json(-1), json(uint64_t{1} << 63), json(2147483648LL)}) {
    auto r = ParseGenerateRequest({{"model", "m"}, {"prompt", "p"}, {"context", {5, bad}}}, "");
    ASSERT_FALSE(r.ok()) << bad.dump();
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().message(), "context holds " + bad.dump() + ", which is not a token id");
  }
}

TEST(RequestParseTest, ParseOutputRequest) {
  auto ok = ParseOutputRequest(
      json::parse(R"({"logprobs":true,"top_logprobs":20,"think":"low","format":"json"})"),
      "ChatRequest");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_TRUE(ok->logprobs);
  EXPECT_EQ(ok->top_logprobs, 20);
  EXPECT_TRUE(ok->think.is_set && ok->think.enabled);
  EXPECT_EQ(ok->think.ThinkLevel(), "low");
  EXPECT_NE(ok->grammar, nullptr);
  auto none = ParseOutputRequest(json::object(), "ChatRequest");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->think.is_set);
  EXPECT_EQ(none->grammar, nullptr);
  EXPECT_EQ(
      ParseOutputRequest(json::parse(R"({"top_logprobs":21})"), "ChatRequest").status().message(),
      "top_logprobs must be between 0 and 20");
  EXPECT_EQ(ParseOutputRequest(json::parse(R"({"logprobs":"yes"})"), "ChatRequest").status().code(),
            StatusCode::kInvalidArgument);
}

TEST(RequestParseTest, FormatSchemaKeepsTheClientsPropertyOrder) {
  const std::string schema = R"({"type":"object","properties":{"zeta":{"type":"integer"},)"
                             R"("alpha":{"type":"boolean"}},"required":["zeta","alpha"]})";
  const std::string body = R"({"model":"m","format":)" + schema + "}";
  const json request = json::parse(body);
  EXPECT_EQ(FormatJson(&request["format"], body), schema);
  // Without the body the (key-sorted) parsed object is used.
  EXPECT_EQ(FormatJson(&request["format"], ""), request["format"].dump());
  const json json_format = "json";
  EXPECT_EQ(FormatJson(&json_format, body), "\"json\"");
  EXPECT_EQ(FormatJson(nullptr, body), "");
}

TEST(RequestParseTest, FormatNullIsUnconstrainedAndOthersAreRefused) {
  auto null_format = ParseOutputRequest(json::parse(R"({"format":null})"), "GenerateRequest");
  ASSERT_TRUE(null_format.ok());
  EXPECT_EQ(null_format->grammar, nullptr);
  auto xml = ParseOutputRequest(json::parse(R"({"format":"xml"})"), "GenerateRequest");
  ASSERT_FALSE(xml.ok());
  EXPECT_EQ(xml.status().message(),
            R"(invalid format: "\"xml\""; expected "json" or a valid JSON Schema object)");
}

// Issue #17: a chat of 100k messages was re-rendered and tokenized for minutes, and a large
// schema or tools list compiled or rendered for every request; each bound is a 400 naming it.
TEST(RequestParseTest, MessageCountFormatAndToolsAreBounded) {
  json messages = json::array();
  for (size_t i = 0; i < kMaxChatMessages; ++i)
    messages.push_back({{"role", "user"}, {"content", "hi"}});
  auto at_limit = ParseChatRequest({{"model", "m"}, {"messages", messages}}, "");
  ASSERT_TRUE(at_limit.ok()) << at_limit.status().ToString();
  EXPECT_EQ(at_limit->job.messages.size(), kMaxChatMessages);
  messages.push_back({{"role", "user"}, {"content", "hi"}});
  auto over = ParseChatRequest({{"model", "m"}, {"messages", messages}}, "");
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(over.status().message(), "too many messages: 10001, the limit is 10000");

  json big_enum = json::array();
  for (size_t i = 0, bytes = 0; bytes <= kMaxFormatBytes; ++i) {
    big_enum.push_back("value-" + std::to_string(i));
    bytes += big_enum.back().get<std::string>().size() + 3;  // quotes and comma
  }
  auto format = ParseOutputRequest({{"format", {{"enum", big_enum}}}}, "ChatRequest");
  ASSERT_FALSE(format.ok());
  EXPECT_NE(format.status().message().find("format is too large"), std::string::npos);
  EXPECT_NE(format.status().message().find("the limit is 1048576"), std::string::npos);

  json tool = {{"type", "function"},
               {"function", {{"name", "f"}, {"description", std::string(kMaxToolsBytes, 'x')}}}};
  auto tools = ParseChatRequest(
      {{"model", "m"}, {"messages", json::array()}, {"tools", json::array({tool})}}, "");
  ASSERT_FALSE(tools.ok());
  EXPECT_NE(tools.status().message().find("tools are too large"), std::string::npos);
  EXPECT_NE(tools.status().message().find("the limit is 1048576"), std::string::npos);
}

}  // namespace
}  // namespace olla::server
