#include "server/reply_json.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace olla::server {
namespace {

using nlohmann::json;

TEST(ReplyJsonTest, ChatPartWithThinkingAndToolCalls) {
  runtime::ModelOutputFormat format;
  format.thinking = {"<think>", "</think>"};
  format.tools = chat::ToolCallFormat::FromTag("<tool_call>");
  format.supports_tools = true;
  runtime::OutputShaper shaper(format, /*thinking=*/true, /*start_inside=*/false, {"get_time"});
  OutputPart all;
  for (std::string_view piece :
       {"<think>It is", " late.</think>\n\nOk.", "<tool_c", "all>{\"name\": \"get_time\", ",
        "\"arguments\": {}}</tool_call>"}) {
    runtime::Chunk c{piece, {}};
    all.Append(shaper.Add(c));
  }
  all.Append(*shaper.Flush());

  json chat_response;
  PutChatPart(chat_response, all, true);
  EXPECT_EQ(chat_response["message"]["content"], "Ok.");
  EXPECT_EQ(chat_response["message"]["thinking"], "It is late.");
  EXPECT_EQ(chat_response["message"]["tool_calls"][0]["function"]["arguments"], json::object());
  EXPECT_FALSE(chat_response.contains("logprobs"));  // none were produced
}

TEST(ReplyJsonTest, LogprobsJsonShape) {
  std::vector<runtime::Logprob> lps = {{{"Hi", -0.5f}, {{"Hi", -0.5f}, {"", -2.0f}}},
                                       {{"!", -1.0f}, {}}};
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
