#include "runtime/output.h"

#include <gtest/gtest.h>

namespace olla::runtime {
namespace {

ModelOutputFormat ThinkingHermes() {
  ModelOutputFormat f;
  f.thinking = {"<think>", "</think>"};
  f.tools = chat::ToolCallFormat::FromTag("<tool_call>");
  f.supports_tools = true;
  return f;
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
  for (std::string_view piece :
       {"<think>It is", " late.</think>\n\nOk.", "<tool_c", "all>{\"name\": \"get_time\", ",
        "\"arguments\": {}}</tool_call>"}) {
    Chunk c{piece, {}};
    all.Append(shaper.Add(c));
  }
  all.Append(*shaper.Flush());
  EXPECT_EQ(all.thinking, "It is late.");
  EXPECT_EQ(all.content, "Ok.");
  ASSERT_EQ(all.tool_calls.size(), 1u);
  EXPECT_EQ(all.tool_calls[0].name, "get_time");
  EXPECT_EQ(all.tool_calls[0].id.rfind("call_", 0), 0u);
  EXPECT_TRUE(all.logprobs.empty());  // none were produced
}

TEST(OutputTest, ThinkingOffPassesTextThrough) {
  OutputShaper shaper(ThinkingHermes(), /*thinking=*/false, false, {});
  Chunk c{"<think>x</think>y", {}};
  OutputPart p = shaper.Add(c);
  EXPECT_EQ(p.content, "<think>x</think>y");
  EXPECT_EQ(p.thinking, "");
}

}  // namespace
}  // namespace olla::runtime
