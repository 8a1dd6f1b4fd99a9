#include "chat/harmony_parser.h"

#include <gtest/gtest.h>

namespace olla::chat {
namespace {

struct Parsed {
  std::string content, thinking;
  std::vector<ToolCall> calls;
  std::string error;
};

// Feeds `chunks` and finishes.
Parsed ParseAll(const std::vector<std::string_view>& chunks, HarmonyFunctionNames names = {},
                const Message* last = nullptr) {
  HarmonyParser p(std::move(names), last);
  Parsed out;
  for (std::string_view c : chunks) {
    HarmonyOutput o = p.Add(c);
    out.content += o.content;
    out.thinking += o.thinking;
  }
  auto f = p.Finish();
  if (!f.ok()) {
    out.error = std::string(f.status().message());
    return out;
  }
  out.content += f->content;
  out.thinking += f->thinking;
  out.calls = f->calls;
  return out;
}

struct Case {
  const char* name;
  std::string output;  // what the model generates after the prompt's "<|start|>assistant"
  std::string content, thinking;
  std::string call_name, call_args;  // "" = no call
};

// Outputs of gpt-oss as the tokenizer renders them (the stop tokens <|return|> and <|call|> end
// generation and are not part of the text).
const Case kCases[] = {
    {"final only", "<|channel|>final<|message|>Hello there.", "Hello there.", "", "", ""},
    {"analysis then final",
     "<|channel|>analysis<|message|>User says hi.<|end|><|start|>assistant<|channel|>final"
     "<|message|>Hi!",
     "Hi!", "User says hi.", "", ""},
    {"tool call with constrain",
     "<|channel|>analysis<|message|>Need weather.<|end|><|start|>assistant<|channel|>commentary "
     "to=functions.get_weather <|constrain|>json<|message|>{\"city\":\"Paris\",\"unit\":\"c\"}",
     "", "Need weather.", "get_weather", R"({"city":"Paris","unit":"c"})"},
    {"recipient before the channel, constrain without space",
     "<|channel|>analysis<|message|>x<|end|><|start|>assistant to=functions.get_weather"
     "<|channel|>commentary<|constrain|>json<|message|>{\"city\": \"Oslo\"}",
     "", "x", "get_weather", R"({"city":"Oslo"})"},
    {"commentary without recipient is content",
     "<|channel|>commentary<|message|>Let me check.<|end|>", "Let me check.", "", "", ""},
    {"built-in tool on the analysis channel",
     "<|channel|>analysis to=browser.search <|constrain|>json<|message|>{\"query\":\"q\"}", "", "",
     "browser.search", R"({"query":"q"})"},
    {"null arguments are an empty object",
     "<|channel|>commentary to=functions.f <|constrain|>json<|message|>null", "", "", "f", "{}"},
    {"text between messages is dropped",
     "<|channel|>final<|message|>A<|end|>junk<|start|>assistant<|channel|>final<|message|>B", "AB",
     "", "", ""},
    {"a partial end tag at the end is dropped", "<|channel|>final<|message|>Hi<|en", "Hi", "", "",
     ""},
    {"lookalike of the end tag stays text", "<|channel|>final<|message|>a <|en b", "a <|en b", "",
     "", ""},
    {"unknown channel keeps the target",
     "<|channel|>analysis<|message|>t<|end|><|start|>assistant<|channel|>other<|message|>u", "u",
     "t", "", ""},
};

TEST(HarmonyParserTest, WholeOutputs) {
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    Parsed p = ParseAll({c.output});
    EXPECT_EQ(p.error, "");
    EXPECT_EQ(p.content, c.content);
    EXPECT_EQ(p.thinking, c.thinking);
    if (std::string(c.call_name).empty()) {
      EXPECT_TRUE(p.calls.empty());
    } else {
      ASSERT_EQ(p.calls.size(), 1u);
      EXPECT_EQ(p.calls[0].name, c.call_name);
      EXPECT_EQ(p.calls[0].arguments_json, c.call_args);
    }
  }
}

// Every output split at every byte (and at every pair of bytes for the short ones) gives the same
// result: tags cut across chunks are held back until whole.
TEST(HarmonyParserTest, StreamedAtEveryByte) {
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    const std::string_view s = c.output;
    for (size_t i = 0; i <= s.size(); ++i) {
      Parsed p = ParseAll({s.substr(0, i), s.substr(i)});
      EXPECT_EQ(p.content, c.content) << "split at " << i;
      EXPECT_EQ(p.thinking, c.thinking) << "split at " << i;
      EXPECT_EQ(p.calls.size(), std::string(c.call_name).empty() ? 0u : 1u) << "split at " << i;
    }
    std::vector<std::string_view> bytes;
    for (size_t i = 0; i < s.size(); ++i) bytes.push_back(s.substr(i, 1));
    Parsed p = ParseAll(bytes);
    EXPECT_EQ(p.content, c.content);
    EXPECT_EQ(p.thinking, c.thinking);
  }
}

TEST(HarmonyParserTest, StreamsThinkingAndContentAsTheyArrive) {
  HarmonyParser p({}, nullptr);
  EXPECT_EQ(p.Add("<|channel|>analysis<|message|>Thinking").thinking, "Thinking");
  HarmonyOutput o = p.Add(" more<|e");
  EXPECT_EQ(o.thinking, " more");  // "<|e" may start <|end|>: held back
  o = p.Add("nd|><|start|>assistant<|channel|>final<|message|>Answer");
  EXPECT_EQ(o.thinking, "");
  EXPECT_EQ(o.content, "Answer");
  EXPECT_EQ(p.Add(" part two").content, " part two");
}

TEST(HarmonyParserTest, BadToolArgumentsAreAnError) {
  Parsed p = ParseAll({"<|channel|>commentary to=functions.f <|constrain|>json<|message|>{\"a\":"});
  EXPECT_EQ(p.error, "error parsing tool call: raw='{\"a\":', err=invalid JSON");
  p = ParseAll({"<|channel|>commentary to=functions.f <|constrain|>json<|message|>"});
  EXPECT_EQ(p.error, "error parsing tool call: raw='', err=unexpected end of JSON input");
  p = ParseAll({"<|channel|>commentary to=functions.f<|message|>[1]"});
  EXPECT_EQ(p.error,
            "error parsing tool call: raw='[1]', err=json: cannot unmarshal array into Go value of "
            "type api.ToolCallFunctionArguments");
}

TEST(HarmonyParserTest, PrefillContinuesTheOpenChannel) {
  Message content{.role = "assistant", .content = "The answer is"};
  Parsed p = ParseAll({" 42.<|end|>"}, {}, &content);
  EXPECT_EQ(p.content, " 42.");
  Message thinking{.role = "assistant", .thinking = "Let me see"};
  p = ParseAll({", yes.<|end|><|start|>assistant<|channel|>final<|message|>Yes."}, {}, &thinking);
  EXPECT_EQ(p.thinking, ", yes.");
  EXPECT_EQ(p.content, "Yes.");
  Message user{.role = "user", .content = "hi"};
  p = ParseAll({"<|channel|>final<|message|>hello"}, {}, &user);
  EXPECT_EQ(p.content, "hello");
}

TEST(HarmonyParserTest, HeaderParsing) {
  EXPECT_EQ(ParseHarmonyHeader("assistant<|channel|>analysis"),
            (HarmonyHeader{"assistant", "analysis", ""}));
  EXPECT_EQ(ParseHarmonyHeader("assistant<|channel|>commentary to=functions.get <|constrain|>json"),
            (HarmonyHeader{"assistant", "commentary", "functions.get"}));
  EXPECT_EQ(ParseHarmonyHeader("assistant to=functions.get<|channel|>commentary<|constrain|>json"),
            (HarmonyHeader{"assistant", "commentary", "functions.get"}));
  EXPECT_EQ(ParseHarmonyHeader("to=functions.get<|channel|>commentary"),
            (HarmonyHeader{"tool", "commentary", "functions.get"}));
  EXPECT_EQ(ParseHarmonyHeader("  "), HarmonyHeader{});
}

TEST(HarmonyParserTest, FunctionNamesAreRenamedAndMappedBack) {
  HarmonyFunctionNames names;
  EXPECT_EQ(names.Add("get-weather"), "get_weather");
  EXPECT_EQ(names.Add("get weather"), "get_weather_2");
  EXPECT_EQ(names.Add("get.weather"), "get_weather_3");
  EXPECT_EQ(names.Add("3d"), "_3d");
  EXPECT_EQ(names.Add("!!"), "unnamed");
  EXPECT_EQ(names.Add("a(b)$c"), "ab$c");
  EXPECT_EQ(names.Add("browser.search"), "browser.search");
  EXPECT_EQ(names.Original("get_weather_2"), "get weather");
  EXPECT_EQ(names.Original("never_seen"), "never_seen");

  Parsed p = ParseAll(
      {"<|channel|>commentary to=functions.get_weather_2 <|constrain|>json<|message|>{}"}, names);
  ASSERT_EQ(p.calls.size(), 1u);
  EXPECT_EQ(p.calls[0].name, "get weather");
}

TEST(HarmonyParserTest, RenameToolsKeepsKeyOrder) {
  HarmonyFunctionNames names;
  EXPECT_EQ(
      RenameHarmonyTools(
          R"([{"type":"function","function":{"name":"get-time","parameters":{"z":1,"a":2}}}])",
          names),
      R"([{"type":"function","function":{"name":"get_time","parameters":{"z":1,"a":2}}}])");
  EXPECT_EQ(names.Original("get_time"), "get-time");
  EXPECT_EQ(RenameHarmonyTools("", names), "");
  EXPECT_EQ(RenameHarmonyTools("not json", names), "not json");
}

}  // namespace
}  // namespace olla::chat
