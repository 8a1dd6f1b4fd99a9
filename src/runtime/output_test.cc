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

namespace olla::runtime {
namespace {

// gpt-oss: the family's harmony Go template selects the harmony parser (spec §9.4 item 1).
constexpr std::string_view kHarmonyTemplate =
    "<|start|>system<|message|>x<|end|>{{ range .Messages }}<|start|>{{ .Role }}<|message|>"
    "{{ .Content }}<|end|>{{ end }}{{ if .Tools }}tools{{ end }}<|start|>assistant";

gguf::Metadata Arch(const char* arch) {
  gguf::Metadata md;
  md.Set("general.architecture", gguf::Value(std::string(arch)));
  return md;
}

TEST(OutputTest, HarmonySelection) {
  const ModelOutputFormat f = ModelOutputFormatFor(kHarmonyTemplate, Arch("gptoss"));
  EXPECT_TRUE(f.harmony && f.harmony_family_template && f.family_thinking);
  EXPECT_TRUE(f.supports_thinking());
  EXPECT_TRUE(f.supports_tools);  // the template renders .Tools
  // The config's model_family wins over the GGUF's architecture.
  EXPECT_TRUE(ModelOutputFormatFor(kHarmonyTemplate, Arch("llama"), {.family = "gpt-oss"}).harmony);
  EXPECT_FALSE(ModelOutputFormatFor(kHarmonyTemplate, Arch("llama")).harmony);
  // A gpt-oss model whose template is not harmony: thinking capability, no parser.
  const ModelOutputFormat plain = ModelOutputFormatFor("{{ .Prompt }}", Arch("gptoss"));
  EXPECT_FALSE(plain.harmony);
  EXPECT_TRUE(plain.supports_thinking());
  EXPECT_FALSE(plain.supports_tools);
  // PARSER harmony on any model: the parser, with its tool support.
  const ModelOutputFormat parser =
      ModelOutputFormatFor("{{ .Prompt }}", Arch("llama"), {.parser = "harmony"});
  EXPECT_TRUE(parser.harmony && parser.supports_tools && parser.supports_thinking());
  EXPECT_FALSE(parser.harmony_family_template);
  // A request `template` does not change the decision, made on the model's template.
  const std::string model_template(kHarmonyTemplate);
  EXPECT_TRUE(
      ModelOutputFormatFor("{{ .Prompt }}", Arch("gptoss"), {.model_template = &model_template})
          .harmony);
}

TEST(OutputTest, HarmonyThinkLevels) {
  const ModelOutputFormat f = ModelOutputFormatFor(kHarmonyTemplate, Arch("gptoss"));
  chat::ThinkSetting max{true, true, "max"};
  ASSERT_TRUE(ResolveThink(f, "m", max).ok());
  EXPECT_EQ(max.ThinkLevel(), "high");
  chat::ThinkSetting unset;
  ASSERT_TRUE(ResolveThink(f, "m", unset).ok());
  EXPECT_TRUE(unset.is_set && unset.enabled);  // Ollama sets think = true: "Reasoning: medium"
  EXPECT_EQ(unset.ThinkLevel(), "medium");
  chat::ThinkSetting off{true, false, ""};
  EXPECT_TRUE(ResolveThink(f, "m", off).ok());  // accepted; the template drops the line
  EXPECT_FALSE(off.enabled);
  // Only harmony models map "max".
  chat::ThinkSetting other{true, true, "max"};
  ASSERT_TRUE(ResolveThink(ThinkingHermes(), "m", other).ok());
  EXPECT_EQ(other.level, "max");
}

TEST(OutputTest, HarmonyShaperSplitsThinkingContentAndCalls) {
  chat::HarmonyFunctionNames names;
  EXPECT_EQ(chat::RenameHarmonyTools(R"([{"function":{"name":"get-weather"}}])", names),
            R"([{"function":{"name":"get_weather"}}])");
  OutputShaper shaper(std::make_unique<chat::HarmonyParser>(std::move(names), nullptr));
  OutputPart all;
  std::vector<OutputPart> parts;
  for (std::string_view piece :
       {"<|channel|>", "analysis", "<|message|>", "Need", " data.", "<|end|>", "<|start|>",
        "assistant", "<|channel|>", "commentary to=functions.get_weather ", "<|constrain|>", "json",
        "<|message|>", "{\"city\":", "\"Oslo\"}"}) {
    parts.push_back(shaper.Add(Chunk{piece, {}}));
    all.Append(parts.back());
  }
  auto last = shaper.Flush();
  ASSERT_TRUE(last.ok());
  all.Append(*last);
  EXPECT_EQ(parts[3].thinking, "Need");  // streamed as it arrives
  EXPECT_EQ(all.thinking, "Need data.");
  EXPECT_EQ(all.content, "");
  ASSERT_EQ(all.tool_calls.size(), 1u);
  EXPECT_EQ(all.tool_calls[0].name, "get-weather");  // mapped back to the request's name
  EXPECT_EQ(all.tool_calls[0].arguments_json, R"({"city":"Oslo"})");
  EXPECT_EQ(all.tool_calls[0].id.rfind("call_", 0), 0u);

  OutputShaper bad(std::make_unique<chat::HarmonyParser>(chat::HarmonyFunctionNames{}, nullptr));
  bad.Add(Chunk{"<|channel|>commentary to=functions.f<|message|>{oops", {}});
  EXPECT_EQ(bad.Flush().status().message(),
            "error parsing tool call: raw='{oops', err=invalid JSON");
}

}  // namespace
}  // namespace olla::runtime

namespace olla::runtime {
namespace {

TEST(OutputTest, BuiltinCapabilities) {
  std::vector<std::string> caps = {"completion", "tools"};
  AddBuiltinCapabilities({}, "gptoss", caps);  // family -> thinking (spec §9.7 item 6)
  EXPECT_EQ(caps, (std::vector<std::string>{"completion", "tools", "thinking"}));
  caps = {"completion"};
  AddBuiltinCapabilities({.parser = "harmony"}, "llama", caps);
  EXPECT_EQ(caps, (std::vector<std::string>{"completion", "tools", "thinking"}));
  caps = {"completion"};
  AddBuiltinCapabilities({.family = "llama"}, "gptoss", caps);  // the config's family wins
  EXPECT_EQ(caps, (std::vector<std::string>{"completion"}));
}

}  // namespace
}  // namespace olla::runtime
