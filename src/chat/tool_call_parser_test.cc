// Golden tables for tool-call parsing: each format, split at every byte to check streaming, and
// malformed text (returned as content, never a crash).

#include "chat/tool_call_parser.h"

#include <gtest/gtest.h>

#include <chrono>

namespace olla::chat {
namespace {

struct Case {
  const char* name;
  const char* tag;
  const char* output;
  const char* want_content;
  std::vector<std::pair<std::string, std::string>> want_calls;  // name, arguments JSON
};

const std::vector<std::string> kTools = {"get_weather", "get_time"};

std::vector<Case> Cases() {
  return {
      // Llama 3.1+: bare JSON with "parameters".
      {"llama_json",
       "{",
       R"({"name": "get_weather", "parameters": {"city": "Tokyo", "unit": "c"}})",
       "",
       {{"get_weather", R"({"city":"Tokyo","unit":"c"})"}}},
      {"llama_leading_space",
       "{",
       "\n  {\"name\": \"get_time\", \"parameters\": {}}\n",
       "",
       {{"get_time", "{}"}}},
      {"llama_two_calls",
       "{",
       R"({"name": "get_time", "parameters": {"tz": "UTC"}} {"name": "get_weather", "arguments": {"city": "Oslo"}})",
       "",
       {{"get_time", R"({"tz":"UTC"})"}, {"get_weather", R"({"city":"Oslo"})"}}},
      {"llama_plain_text",
       "{",
       "The weather is nice {\"name\": \"get_time\", \"parameters\": {}}",
       "The weather is nice {\"name\": \"get_time\", \"parameters\": {}}",
       {}},
      {"llama_not_a_tool", "{", R"({"answer": 42})", R"({"answer": 42})", {}},
      {"llama_unknown_tool",
       "{",
       R"({"name": "rm_rf", "parameters": {}})",
       R"({"name": "rm_rf", "parameters": {}})",
       {}},
      {"llama_truncated",
       "{",
       R"({"name": "get_time", "parameters": {"tz": )",
       R"({"name": "get_time", "parameters": {"tz": )",
       {}},
      // Hermes / Qwen 2.5 / Qwen 3.
      {"hermes",
       "<tool_call>",
       "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": "
       "\"Paris\"}}\n</tool_call>",
       "",
       {{"get_weather", R"({"city":"Paris"})"}}},
      {"hermes_text_before",
       "<tool_call>",
       "Let me check.\n<tool_call>\n{\"name\": \"get_time\", \"arguments\": {\"tz\": "
       "\"CET\"}}\n</tool_call>",
       "Let me check.\n",
       {{"get_time", R"({"tz":"CET"})"}}},
      {"hermes_two",
       "<tool_call>",
       "<tool_call>{\"name\": \"get_time\", \"arguments\": {}}</tool_call>\n<tool_call>{\"name\": "
       "\"get_weather\", "
       "\"arguments\": {\"city\": \"Rome\"}}</tool_call>",
       "",
       {{"get_time", "{}"}, {"get_weather", R"({"city":"Rome"})"}}},
      {"hermes_string_arguments",
       "<tool_call>",
       R"(<tool_call>{"name": "get_weather", "arguments": "{\"city\": \"Lima\"}"}</tool_call>)",
       "",
       {{"get_weather", R"({"city":"Lima"})"}}},
      {"hermes_braces_in_strings",
       "<tool_call>",
       R"(<tool_call>{"name": "get_weather", "arguments": {"city": "a}b{\"c"}}</tool_call>)",
       "",
       {{"get_weather", R"({"city":"a}b{\"c"})"}}},
      {"hermes_bad_json",
       "<tool_call>",
       "<tool_call>{\"name\": get_weather}</tool_call>",
       "<tool_call>{\"name\": get_weather}</tool_call>",
       {}},
      {"hermes_mismatched",
       "<tool_call>",
       "<tool_call>{\"name\": \"x\"]",
       "<tool_call>{\"name\": \"x\"]",
       {}},
      {"hermes_no_call",
       "<tool_call>",
       "Just text, with <tool and < signs.",
       "Just text, with <tool and < signs.",
       {}},
      {"hermes_unclosed",
       "<tool_call>",
       "<tool_call>{\"name\": \"get_time\"",
       "<tool_call>{\"name\": \"get_time\"",
       {}},
      {"hermes_text_after",
       "<tool_call>",
       "<tool_call>{\"name\": \"get_time\", \"arguments\": {}}</tool_call>\nDone.",
       "Done.",
       {{"get_time", "{}"}}},
      {"hermes_function_wrapper",
       "<tool_call>",
       R"(<tool_call>{"function": {"name": "get_time", "arguments": {"tz": "UTC"}}}</tool_call>)",
       "",
       {{"get_time", R"({"tz":"UTC"})"}}},
      // Mistral.
      {"mistral_array",
       "[TOOL_CALLS]",
       R"([TOOL_CALLS][{"name": "get_weather", "arguments": {"city": "Bern"}}, {"name": "get_time", "arguments": {}}])",
       "",
       {{"get_weather", R"({"city":"Bern"})"}, {"get_time", "{}"}}},
      {"mistral_args_form",
       "[TOOL_CALLS]",
       R"([TOOL_CALLS]get_weather[ARGS]{"city": "Nice"})",
       "",
       {{"get_weather", R"({"city":"Nice"})"}}},
      {"mistral_garbage", "[TOOL_CALLS]", "[TOOL_CALLS] oops", "[TOOL_CALLS] oops", {}},
      {"mistral_empty_array", "[TOOL_CALLS]", "[TOOL_CALLS][]", "[TOOL_CALLS][]", {}},
      {"mistral_unknown_tool",
       "[TOOL_CALLS]",
       R"([TOOL_CALLS]nope[ARGS]{"a": 1})",
       R"([TOOL_CALLS]nope[ARGS]{"a": 1})",
       {}},
  };
}

void Check(const Case& c, const ToolCallOutput& got, const std::string& how) {
  EXPECT_EQ(got.content, c.want_content) << c.name << " " << how;
  ASSERT_EQ(got.calls.size(), c.want_calls.size()) << c.name << " " << how;
  for (size_t i = 0; i < got.calls.size(); ++i) {
    EXPECT_EQ(got.calls[i].name, c.want_calls[i].first) << c.name << " " << how;
    EXPECT_EQ(got.calls[i].arguments_json, c.want_calls[i].second) << c.name << " " << how;
    EXPECT_EQ(got.calls[i].index, static_cast<int>(i)) << c.name << " " << how;
  }
}

TEST(ToolCallParserTest, GoldenWhole) {
  for (const Case& c : Cases())
    Check(c, ParseToolCalls(ToolCallFormat::FromTag(c.tag), kTools, c.output), "whole");
}

TEST(ToolCallParserTest, GoldenStreamedInEverySplit) {
  for (const Case& c : Cases()) {
    const std::string text = c.output;
    for (size_t step : {1, 2, 3, 7}) {
      ToolCallParser p(ToolCallFormat::FromTag(c.tag), kTools);
      ToolCallOutput all;
      for (size_t i = 0; i < text.size(); i += step) {
        ToolCallOutput o = p.Add(text.substr(i, step));
        all.content += o.content;
        for (auto& call : o.calls) all.calls.push_back(call);
      }
      ToolCallOutput o = p.Flush();
      all.content += o.content;
      for (auto& call : o.calls) all.calls.push_back(call);
      Check(c, all, "step " + std::to_string(step));
    }
  }
}

TEST(ToolCallParserTest, CallsAreEmittedAsSoonAsComplete) {
  ToolCallParser p(ToolCallFormat::FromTag("<tool_call>"), kTools);
  auto a = p.Add("Sure.<tool_c");
  EXPECT_EQ(a.content, "Sure.");  // the partial tag is held back
  auto b = p.Add("all>{\"name\": \"get_time\", \"arguments\": {}}");
  EXPECT_EQ(b.content, "");
  ASSERT_EQ(b.calls.size(), 1u);
  EXPECT_EQ(b.calls[0].name, "get_time");
}

TEST(ToolCallParserTest, FormatDetection) {
  auto go = GoTemplate::Parse(
      "{{ range .Messages }}{{ if .ToolCalls }}<tool_call>\n{{ range .ToolCalls }}{\"name\": \"{{ "
      ".Function.Name }}\"}"
      "{{ end }}</tool_call>{{ end }}{{ end }}");
  ASSERT_TRUE(go.ok()) << go.status().ToString();
  EXPECT_EQ(ToolCallFormatForGo(*go).tag, "<tool_call>");
  EXPECT_EQ(ToolCallFormatForGo(*go).end_tag, "</tool_call>");
  auto llama = GoTemplate::Parse(
      "{{ range .Messages }}{{ if .ToolCalls }}{{ range .ToolCalls }}{\"name\": \"{{ "
      ".Function.Name }}\", \"parameters\": "
      "{{ .Function.Arguments }}}{{ end }}{{ end }}{{ end }}");
  ASSERT_TRUE(llama.ok());
  EXPECT_EQ(ToolCallFormatForGo(*llama).tag, "{");
  EXPECT_TRUE(ToolCallFormatForGo(*llama).bare());
  EXPECT_EQ(ToolCallFormatForJinja(
                "{% if tool_calls %}<tool_call>{{ tc | tojson }}</tool_call>{% endif %}")
                .tag,
            "<tool_call>");
  EXPECT_EQ(ToolCallFormatForJinja("{{ '[TOOL_CALLS]' + tool_calls | tojson }}").tag,
            "[TOOL_CALLS]");
  EXPECT_EQ(ToolCallFormatForJinja("{{- '<|python_tag|>' if builtin_tools }}{\"name\": ...}").tag,
            "{");
}

TEST(ToolCallParserTest, ToolNamesAndIds) {
  EXPECT_EQ(
      ToolNames(
          R"([{"type":"function","function":{"name":"a"}},{"function":{"name":"b"}},{"x":1}])"),
      (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(ToolNames("not json").empty());
  EXPECT_TRUE(ToolNames("").empty());
  const std::string id = NewToolCallId();
  ASSERT_EQ(id.size(), 13u);
  EXPECT_EQ(id.rfind("call_", 0), 0u);
  for (char c : id.substr(5)) EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) << id;
  EXPECT_NE(NewToolCallId(), NewToolCallId());
}

// Found while fuzzing (fuzz/tool_call_fuzz.cc): arguments nested 200000 deep overflowed the stack
// in nlohmann's dump(). JSON nested over 128 deep is now content; and a long call streamed in
// small chunks is scanned once, not once per chunk (quadratic before).
TEST(ToolCallParserTest, HostileOutputStaysCheap) {
  auto nested = [](size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  const std::string deep = R"({"name":"get_time","arguments":{"a":)" + nested(200000) + "}}";
  const std::string deep_string =
      R"({"name":"get_time","arguments":"{\"a\":)" + nested(200000) + "}\"}";
  for (const char* tag : {"{", "<tool_call>"}) {
    const ToolCallFormat format = ToolCallFormat::FromTag(tag);
    for (const std::string& call : {deep, deep_string}) {
      const std::string text = format.bare() ? call : format.tag + call;
      ToolCallOutput out = ParseToolCalls(format, kTools, text);
      EXPECT_TRUE(out.calls.empty());
      EXPECT_EQ(out.content, text);
    }
    const std::string ok = R"({"name":"get_time","arguments":{"a":)" + nested(120) + "}}";
    ToolCallOutput out = ParseToolCalls(format, kTools, format.bare() ? ok : format.tag + ok);
    ASSERT_EQ(out.calls.size(), 1u);
    EXPECT_EQ(out.calls[0].arguments_json, R"({"a":)" + nested(120) + "}");
  }
  std::string big =
      R"(<tool_call>{"name":"get_time","arguments":{"s":")" + std::string(4 << 20, 'x') + "\"}}";
  ToolCallParser p(ToolCallFormat::FromTag("<tool_call>"), kTools);
  const auto start = std::chrono::steady_clock::now();
  size_t calls = 0;
  for (size_t i = 0; i < big.size(); i += 16)
    calls += p.Add(std::string_view(big).substr(i, 16)).calls.size();
  calls += p.Flush().calls.size();
  EXPECT_EQ(calls, 1u);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

}  // namespace
}  // namespace olla::chat
