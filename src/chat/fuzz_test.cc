// Feeds 10k random and mutated templates to both engines (parse, then render with a realistic
// conversation). The property: no crash, no exception, no hang; every failure is a Status.

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "chat/catalog/catalog.h"
#include "chat/go/go_data.h"
#include "chat/prompt.h"

namespace olla::chat {
namespace {

using namespace std::string_literals;

const std::string kTokens[] = {
    "{{"s,
    "}}"s,
    "{{- "s,
    " -}}"s,
    "{%"s,
    "%}"s,
    "{%- "s,
    " -%}"s,
    "{#"s,
    "#}"s,
    "{{/*"s,
    "*/}}"s,
    " if "s,
    " else "s,
    " end "s,
    " range "s,
    " with "s,
    " define \"x\" "s,
    " template \"x\" . "s,
    "$x := "s,
    "$x = "s,
    "$"s,
    ".Messages"s,
    ".Content"s,
    ".Tools"s,
    ".Function.Arguments"s,
    " | "s,
    "("s,
    ")"s,
    "\""s,
    "'"s,
    "`"s,
    " eq "s,
    " slice "s,
    " index "s,
    " printf \"%s%d%v%q\" "s,
    " json "s,
    " for x in "s,
    " endfor "s,
    " endif "s,
    " elif "s,
    "namespace("s,
    "ns.x = "s,
    " set "s,
    "loop.index0"s,
    "messages[0]"s,
    "[1:-1]"s,
    "|tojson(indent=4)"s,
    "|selectattr('role','equalto','user')"s,
    " is defined "s,
    " not in "s,
    "raise_exception('boom')"s,
    " macro m(a, b=1) "s,
    " endmacro "s,
    "{% macro r() %}{{ r() }}{% endmacro %}{{ r() }}"s,
    "range(99999)"s,
    " ** 99 "s,
    " // 0 "s,
    "1e308"s,
    "0x"s,
    "-"s,
    "\\"s,
    "\\u12"s,
    "\xff"s,
    "\xe2\x80\xa8"s,
    "\0"s,
    "\n"s,
    " break "s,
    " continue "s,
    "{% raw %}"s,
    "{% endraw %}"s,
    " recursive "s,
    "{{ x.y.z }}"s,
    "[[[[[[[["s,
    "]]]]"s,
};

std::string Mutate(std::string s, std::mt19937& rng) {
  int n_mut = 1 + static_cast<int>(rng() % 6);
  for (int m = 0; m < n_mut; ++m) {
    size_t pos = s.empty() ? 0 : rng() % (s.size() + 1);
    switch (rng() % 5) {
      case 0:
        if (!s.empty()) s[pos % s.size()] = static_cast<char>(rng());
        break;
      case 1:
        s.insert(pos, kTokens[rng() % std::size(kTokens)]);
        break;
      case 2:
        if (!s.empty()) s.erase(pos % s.size(), 1 + rng() % 16);
        break;
      case 3:
        s.resize(pos);
        break;
      default:
        if (!s.empty()) {
          size_t from = rng() % s.size();
          s.insert(pos, s.substr(from, 1 + rng() % 32));
        }
        break;
    }
  }
  return s;
}

std::vector<Message> Conversation() {
  Message call{.role = "assistant"};
  call.tool_calls.push_back(
      ToolCall{.id = "call1abcd", .name = "get_weather", .arguments_json = R"({"city": "Paris"})"});
  return {
      Message{.role = "system", .content = "sys"},
      Message{.role = "user", .content = "hi <|im_end|>"},
      Message{.role = "assistant", .content = "yo", .thinking = "hm"},
      call,
      Message{
          .role = "tool", .content = "22", .tool_name = "get_weather", .tool_call_id = "call1abcd"},
      Message{.role = "user", .content = "bye"}};
}

const char kTools[] = R"([{"type":"function","function":{"name":"get_weather","description":"d",
  "parameters":{"type":"object","required":["city"],"properties":{"city":{"type":"string"}}}}}])";

TEST(ChatFuzzTest, RandomAndMutatedTemplatesNeverCrash) {
  std::vector<std::string> go_seeds, jinja_seeds;
  for (const NamedTemplate& t : NamedTemplates()) go_seeds.emplace_back(t.go_template);
  for (size_t i = 0; i < internal::kNumJinjaVariants; ++i)
    jinja_seeds.emplace_back(internal::kJinjaVariants[i].jinja);
  std::mt19937 rng(20240601);
  GoExecOptions go_opts;
  go_opts.now_unix = 0;
  go_opts.max_steps = 20000;
  JinjaRenderOptions jinja_opts;
  jinja_opts.now_unix = 0;
  jinja_opts.max_steps = 20000;
  const GoChatInput go_in{Conversation(), kTools, ThinkSetting{.is_set = true, .enabled = true}};
  const JinjaChatInput jinja_in{Conversation(), kTools, {}, "<s>", "</s>", true};
  int go_parsed = 0, jinja_parsed = 0, rendered = 0;
  for (int iter = 0; iter < 10000; ++iter) {
    std::string text;
    bool jinja = iter % 2 == 1;
    if (iter % 10 == 0) {
      size_t n = rng() % 200;
      for (size_t i = 0; i < n; ++i) {
        text += rng() % 3 == 0 ? kTokens[rng() % std::size(kTokens)]
                               : std::string(1, static_cast<char>(rng()));
      }
    } else {
      const auto& seeds = jinja ? jinja_seeds : go_seeds;
      text = Mutate(seeds[rng() % seeds.size()], rng);
    }
    if (jinja) {
      auto t = JinjaTemplate::Parse(text);
      if (!t.ok()) continue;
      ++jinja_parsed;
      rendered += RenderJinjaChat(*t, jinja_in, jinja_opts).ok();
    } else {
      auto t = GoTemplate::Parse(text);
      if (!t.ok()) continue;
      ++go_parsed;
      rendered += RenderGoChat(*t, go_in, go_opts).ok();
      GenerateInput fim{.prompt = "p", .suffix = "s"};
      (void)RenderGoGenerate(*t, fim, go_opts).ok();
      (void)t->InferThinkingTags();
      (void)t->ToolCallPrefix();
    }
    if (iter % 10 == 0) (void)DetectNamedTemplate(text.substr(0, 2000)).ok();
  }
  // The mutations keep a fair share of templates valid, so rendering is exercised too.
  EXPECT_GT(go_parsed, 500);
  EXPECT_GT(jinja_parsed, 500);
  EXPECT_GT(rendered, 500);
}

// Inputs built to exhaust the stack or loop forever come back as errors.
TEST(ChatFuzzTest, AdversarialInputsFailCleanly) {
  const std::string deep_parens = std::string(100000, '(') + "1" + std::string(100000, ')');
  EXPECT_FALSE(GoTemplate::Parse("{{ " + deep_parens + " }}").ok());
  EXPECT_FALSE(JinjaTemplate::Parse("{{ " + deep_parens + " }}").ok());
  EXPECT_FALSE(JinjaTemplate::Parse("{{ " + std::string(100000, '[') + " }}").ok());
  std::string nested_ifs;
  for (int i = 0; i < 5000; ++i) nested_ifs += "{{ if 1 }}";
  EXPECT_FALSE(GoTemplate::Parse(nested_ifs).ok());
  std::string nested_for;
  for (int i = 0; i < 5000; ++i) nested_for += "{% if 1 %}";
  EXPECT_FALSE(JinjaTemplate::Parse(nested_for).ok());
  (void)JinjaTemplate::Parse("{{ " + std::string(100000, '-') + "1 }}").ok();  // unary minus chain
  (void)JinjaTemplate::Parse("{{ " + std::string(100000, '~') + " }}").ok();

  auto render = [](const char* tmpl) {
    auto t = JinjaTemplate::Parse(tmpl);
    EXPECT_TRUE(t.ok()) << tmpl;
    return t.ok() ? t->Render(Value::EmptyMap()) : Result<RenderedPrompt>(t.status());
  };
  EXPECT_FALSE(
      render("{% set x = [] %}{% for i in range(1000) %}{% set x = [x] %}{% endfor %}{{ x }}")
          .ok());
  EXPECT_FALSE(render("{% set x = {} %}{% for i in range(1000) %}{% set x = {'a': x} %}{% endfor "
                      "%}{{ x | tojson }}")
                   .ok());
  EXPECT_FALSE(render("{% set ns = namespace(a=1) %}{% set ns.self = ns %}{{ ns }}").ok());
  EXPECT_FALSE(render("{% set ns = namespace(a=1) %}{% set ns.l = [1, [ns]] %}{{ ns }}").ok());
  EXPECT_FALSE(render("{{ 'x' * 100000000000 }}").ok());
  EXPECT_FALSE(render("{{ range(10000000) | length }}").ok());
  EXPECT_TRUE(
      render("{{ 2 ** 100000000000 }} {{ 1 ** 100000000000 }} {{ (-1) ** 100000000001 }}").ok());

  // Tools nested far deeper than any schema: cut, not a crash.
  std::string deep_json =
      "[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":{\"type\":\"object\","
      "\"properties\":{\"p\":{\"items\":" +
      std::string(100000, '[') + std::string(100000, ']') + "}}}}}]";
  auto t = GoTemplate::Parse("{{ json .Tools }}{{ range .Messages }}{{ end }}");
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(
      RenderGoChat(*t, GoChatInput{{Message{.role = "user", .content = "x"}}, deep_json, {}}).ok());
  std::string deep_schema =
      "[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":{\"properties\":";
  for (int i = 0; i < 50000; ++i)
    deep_schema += "{\"p\":{\"anyOf\":[{\"type\":\"string\"}],\"properties\":";
  deep_schema += "{}";
  for (int i = 0; i < 50000; ++i) deep_schema += "}}";
  deep_schema += "}}}]";
  EXPECT_TRUE(
      RenderGoChat(*t, GoChatInput{{Message{.role = "user", .content = "x"}}, deep_schema, {}})
          .ok());
  auto j = JinjaTemplate::Parse("{{ tools | tojson }}{{ tools }}{{ tools == tools }}");
  ASSERT_TRUE(j.ok());
  EXPECT_TRUE(RenderJinjaChat(*j, JinjaChatInput{{}, deep_json, {}, "", "", true}).ok());
}

}  // namespace
}  // namespace olla::chat
