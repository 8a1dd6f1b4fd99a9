#include "server/output.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace olla::server {
namespace {

using nlohmann::json;

ModelOutputFormat ThinkingHermes() {
  ModelOutputFormat f;
  f.thinking = {"<think>", "</think>"};
  f.tools = chat::ToolCallFormat::FromTag("<tool_call>");
  f.supports_tools = true;
  return f;
}

TEST(OutputTest, ParseOutputRequest) {
  auto ok = ParseOutputRequest(json::parse(R"({"logprobs":true,"top_logprobs":20,"think":"low","format":"json"})"),
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
  EXPECT_EQ(ParseOutputRequest(json::parse(R"({"top_logprobs":21})"), "ChatRequest").status().message(),
            "top_logprobs must be between 0 and 20");
  EXPECT_EQ(ParseOutputRequest(json::parse(R"({"logprobs":"yes"})"), "ChatRequest").status().code(),
            StatusCode::kInvalidArgument);
}

TEST(OutputTest, ResolveThink) {
  ModelOutputFormat plain;
  chat::ThinkSetting unset;
  ASSERT_TRUE(ResolveThink(ThinkingHermes(), "m", unset).ok());
  EXPECT_TRUE(unset.enabled);  // on by default for thinking models
  chat::ThinkSetting on{true, true, ""};
  EXPECT_EQ(ResolveThink(plain, "m", on).message(), "\"m\" does not support thinking");
  chat::ThinkSetting off{true, false, ""};
  EXPECT_TRUE(ResolveThink(plain, "m", off).ok());
}

TEST(OutputTest, ShaperSplitsThinkingContentAndToolCalls) {
  OutputShaper shaper(ThinkingHermes(), /*thinking=*/true, /*start_inside=*/false, {"get_time"});
  OutputPart all;
  for (std::string_view piece : {"<think>It is", " late.</think>\n\nOk.", "<tool_c", "all>{\"name\": \"get_time\", ",
                                 "\"arguments\": {}}</tool_call>"}) {
    runtime::Chunk c{piece, {}};
    all.Append(shaper.Add(c));
  }
  all.Append(shaper.Flush());
  EXPECT_EQ(all.thinking, "It is late.");
  EXPECT_EQ(all.content, "Ok.");
  ASSERT_EQ(all.tool_calls.size(), 1u);
  EXPECT_EQ(all.tool_calls[0].name, "get_time");
  EXPECT_EQ(all.tool_calls[0].id.rfind("call_", 0), 0u);

  json chat_response;
  PutChatPart(chat_response, all, true);
  EXPECT_EQ(chat_response["message"]["thinking"], "It is late.");
  EXPECT_EQ(chat_response["message"]["tool_calls"][0]["function"]["arguments"], json::object());
  EXPECT_FALSE(chat_response.contains("logprobs"));  // none were produced
}

TEST(OutputTest, ThinkingOffPassesTextThrough) {
  OutputShaper shaper(ThinkingHermes(), /*thinking=*/false, false, {});
  runtime::Chunk c{"<think>x</think>y", {}};
  OutputPart p = shaper.Add(c);
  EXPECT_EQ(p.content, "<think>x</think>y");
  EXPECT_EQ(p.thinking, "");
}

TEST(OutputTest, LogprobsJsonShape) {
  std::vector<runtime::Logprob> lps = {{{"Hi", -0.5f}, {{"Hi", -0.5f}, {"", -2.0f}}}, {{"!", -1.0f}, {}}};
  json j = LogprobsJson(lps);
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["token"], "Hi");
  EXPECT_EQ(j[0]["bytes"], json::array({72, 105}));
  EXPECT_FLOAT_EQ(j[0]["logprob"].get<float>(), -0.5f);
  ASSERT_EQ(j[0]["top_logprobs"].size(), 2u);
  EXPECT_FALSE(j[0]["top_logprobs"][1].contains("bytes"));  // omitempty
  EXPECT_FALSE(j[1].contains("top_logprobs"));
  OutputPart part;
  part.content = "Hi!";
  part.logprobs = lps;
  json g;
  PutGeneratePart(g, part, true);
  EXPECT_EQ(g["response"], "Hi!");
  EXPECT_EQ(g["logprobs"].size(), 2u);
  json g2;
  PutGeneratePart(g2, part, false);
  EXPECT_FALSE(g2.contains("logprobs"));
}

}  // namespace
}  // namespace olla::server
