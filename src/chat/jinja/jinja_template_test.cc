// Jinja subset: statements, expressions, filters, tests, whitespace control, errors and input
// marking.

#include "chat/jinja/jinja_template.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace olla::chat {
namespace {

Value Ctx(const char* json) { return ValueFromJson(nlohmann::ordered_json::parse(json), true); }

std::string Render(std::string_view tmpl, const Value& ctx) {
  Result<JinjaTemplate> t = JinjaTemplate::Parse(tmpl);
  if (!t.ok()) return "PARSE ERROR: " + t.status().message();
  JinjaRenderOptions opts;
  opts.now_unix = 1700000000;
  opts.max_steps = 200000;
  Result<RenderedPrompt> r = t->Render(ctx, opts);
  if (!r.ok()) return "ERROR: " + r.status().message();
  return r->text;
}

TEST(JinjaTemplateTest, LanguageTable) {
  const Value ctx = Ctx(R"({
    "messages": [{"role": "system", "content": " sys "}, {"role": "user", "content": "hi"},
                 {"role": "assistant", "content": "yo"}],
    "name": "World", "n": 3, "f": 2.5, "items": [3, 1, 2], "d": {"b": 1, "a": 2}, "none": null,
    "tools": [{"type": "function", "function": {"name": "f", "parameters": {"x": 1}}}]})");
  const struct {
    const char* tmpl;
    const char* want;
  } cases[] = {
      {"Hello {{ name }}!", "Hello World!"},
      {"{{ 'a' + 'b' ~ 1 ~ none }}", "ab1None"},
      {"{{ 1 + 2 * 3 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 2 ** 10 }} {{ 7 / 2 "
       "}}",
       "7 3 -4 1 2 1024 3.5"},
      {"{{ n > 2 and n < 4 }} {{ not n }} {{ n if n > 5 else 'small' }} {{ 0 or 'x' }}",
       "True False small x"},
      {"{% if n == 1 %}one{% elif n == 3 %}three{% else %}other{% endif %}", "three"},
      {"{% for m in messages %}{{ loop.index0 }}{{ m.role[0] }}{% if not loop.last %},{% endif "
       "%}{% endfor %}",
       "0s,1u,2a"},
      {"{% for m in messages if m.role != 'system' %}{{ loop.index }}:{{ m['content'] }} {% endfor "
       "%}",
       "1:hi 2:yo "},
      {"{% for x in [] %}x{% else %}empty{% endfor %}", "empty"},
      {"{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}", "b=1;a=2;"},
      {"{% for k in d %}{{ k }}{% endfor %}", "ba"},
      {"{% for x in items %}{% if x == 1 %}{% break %}{% endif %}{{ x }}{% endfor %}", "3"},
      {"{% for x in items %}{% if x == 1 %}{% continue %}{% endif %}{{ x }}{% endfor %}", "32"},
      {"{% set x = 5 %}{% for i in range(2) %}{% set x = i %}{% endfor %}{{ x }}", "5"},
      {"{% set ns = namespace(found=false) %}{% for m in messages %}{% if m.role == 'system' %}{% "
       "set ns.found = true %}{% endif %}{% endfor %}{{ ns.found }}",
       "True"},
      {"{% set a, b = 1, 2 %}{{ a }}{{ b }}", "12"},
      {"{% set block %}in{{ n }}{% endset %}[{{ block }}]", "[in3]"},
      {"{% macro greet(who, punct='!') %}Hi {{ who }}{{ punct }}{% endmacro %}{{ greet('A') }} {{ "
       "greet('B', punct='?') }}",
       "Hi A! Hi B?"},
      {"{{ messages[0].content | trim }}|{{ messages[0].content.strip() }}|{{ '  x '.lstrip() }}|",
       "sys|sys|x |"},
      {"{{ messages | length }} {{ 'héllo' | length }} {{ d | length }} {{ undefined_thing | "
       "length }}",
       "3 5 2 0"},
      {"{{ 'Hi' | upper }} {{ 'Hi' | lower }} {{ 'hello world' | title }} {{ 'hello' | capitalize "
       "}}",
       "HI hi Hello World Hello"},
      {"{{ missing | default('dflt') }} {{ '' | default('e', true) }} {{ name | d('x') }}",
       "dflt e World"},
      {"{{ items | join(', ') }} {{ items | sort | list }} {{ items | first }} {{ items | last }} "
       "{{ items | reverse | list }}",
       "3, 1, 2 [1, 2, 3] 3 2 [2, 1, 3]"},
      {"{{ messages | selectattr('role', 'equalto', 'user') | map(attribute='content') | list }}",
       "['hi']"},
      {"{{ messages | rejectattr('role', 'in', ['system', 'user']) | list | length }}", "1"},
      {"{{ tools[0] | tojson }}",
       "{\"type\": \"function\", \"function\": {\"name\": \"f\", \"parameters\": {\"x\": 1}}}"},
      {"{{ d | tojson(indent=2) }}", "{\n  \"b\": 1,\n  \"a\": 2\n}"},
      {"{{ d | tojson(sort_keys=true) }} {{ d | dictsort }}",
       "{\"a\": 2, \"b\": 1} [['a', 2], ['b', 1]]"},
      {"{{ x is defined }} {{ name is defined }} {{ none is none }} {{ name is string }} {{ d is "
       "mapping }} {{ n is number }}",
       "False True True True True True"},
      {"{{ n is odd }} {{ n is divisibleby(3) }} {{ n is not even }} {{ items is iterable }}",
       "True True True True"},
      {"{{ 'ell' in name }} {{ 'a' in d }} {{ 2 in items }} {{ 5 not in items }}",
       "False True True True"},
      {"{{ 'abcdef'[1:3] }} {{ 'abcdef'[:-1] }} {{ 'abc'[::-1] }} {{ items[-1] }} {{ items[1:] }}",
       "bc abcde cba 2 [1, 2]"},
      {"{{ 'a,b,,c'.split(',') }} {{ ' a  b '.split() }} {{ 'x'.startswith('x') }} {{ "
       "'xy'.endswith(('z', 'y')) }}",
       "['a', 'b', '', 'c'] ['a', 'b'] True True"},
      {"{{ 'aXbX'.replace('X', '-') }} {{ '-'.join(['a', 'b']) }} {{ d.get('a') }} {{ d.get('z', "
       "9) }}",
       "a-b- a-b 2 9"},
      {"{{ [1, 'a', none, true, 1.0, {'k': 'v'}] }}", "[1, 'a', None, True, 1.0, {'k': 'v'}]"},
      {"{{ \"it's\" }} {{ ['it\\'s'] }}", "it's [\"it's\"]"},
      {"{{ 1.5 + 1 }} {{ 10 / 4 }} {{ 1e3 }} {{ 3 | float }} {{ '42' | int + 1 }} {{ 2.7 | int }} "
       "{{ 2.567 | round(1) }}",
       "2.5 2.5 1000.0 3.0 43 2 2.6"},
      {"{{ (1, 2) }} {{ [1, 2] + [3] }} {{ 'ab' * 2 }}", "[1, 2] [1, 2, 3] abab"},
      {"{% filter upper %}shout {{ name }}{% endfilter %}", "SHOUT WORLD"},
      {"{% raw %}{{ not rendered }}{% endraw %}", "{{ not rendered }}"},
      {"{{ strftime_now('%Y-%m-%d') }} {{ range(3) | list }} {{ range(1, 7, 2) | list }}",
       "2023-11-14 [0, 1, 2] [1, 3, 5]"},
      {"{{ dict(a=1)['a'] }} {{ {'x': 1}.x }} {{ namespace(v=2).v }}", "1 1 2"},
      {"{% generation %}gen{% endgeneration %}", "gen"},
      {"{{ messages[5] is defined }} {{ messages[0].nope is defined }} {{ 'abc'.nope is defined }}",
       "False False False"},
      {"{{ f }} {{ 0.1 + 0.2 }} {{ 1e20 }} {{ 1e-5 }} {{ 12345678901234567.0 }}",
       "2.5 0.30000000000000004 1e+20 1e-05 1.2345678901234568e+16"},
  };
  for (const auto& c : cases) EXPECT_EQ(Render(c.tmpl, ctx), c.want) << c.tmpl;
}

TEST(JinjaTemplateTest, WhitespaceControl) {
  const Value ctx = Ctx(R"({"xs": [1, 2]})");
  const struct {
    const char* tmpl;
    const char* want;
  } cases[] = {
      // trim_blocks: newline after a block tag is dropped; lstrip_blocks: indentation before it.
      {"{% for x in xs %}\n  {% if x %}\n{{ x }}\n  {% endif %}\n{% endfor %}\n", "1\n2\n"},
      {"a  {%- if true -%}  b  {%- endif -%}  c", "abc"},
      {"a\n{{- 'b' -}}\nc", "abc"},
      {"a {# comment #} b", "a  b"},
      {"line\n    {# comment #}\nnext", "line\nnext"},
      {"  {%+ if true %}x{% endif %}", "  x"},
      {"{{ 'a' }}\n{{ 'b' }}", "a\nb"},
      {"x {% if true %} y {% endif %} z", "x  y  z"},
  };
  for (const auto& c : cases) EXPECT_EQ(Render(c.tmpl, ctx), c.want) << c.tmpl;
}

TEST(JinjaTemplateTest, Errors) {
  const Value ctx = Ctx(R"({"messages": [{"role": "user", "content": "x"}]})");
  const struct {
    const char* tmpl;
    const char* want_substr;
  } cases[] = {
      {"{{ x ", "expected '}}'"},
      {"{% if x %}", "unexpected end of template"},
      {"{% for x in y %}{% endif %}", "unknown or unsupported tag 'endif'"},
      {"{% include 'x' %}", "unsupported tag 'include'"},
      {"{{ x | nosuchfilter }}", "no filter named 'nosuchfilter'"},
      {"{{ x is nosuchtest }}", "no test named 'nosuchtest'"},
      {"{{ nosuchfunc() }}", "'nosuchfunc' is undefined"},
      {"{{ undefined_var.attr }}", "'undefined_var' is undefined"},
      {"{{ raise_exception('Conversation roles must alternate') }}",
       "Conversation roles must alternate"},
      {"{{ 'a' + 1 }}", "unsupported operand type(s) for +: 'str' and 'int'"},
      {"{{ 1 / 0 }}", "division by zero"},
      {"{{ 'abc }}", "unterminated string"},
      {"{# never closed", "unterminated comment"},
      {"{% set x.y = 1 %}", "cannot assign attribute on non-namespace object"},
      {"{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "recursion depth"},
      {"{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
       "step limit"},
      {"{{ messages.append(1) }}", "unsafe"},
  };
  for (const auto& c : cases) {
    std::string got = Render(c.tmpl, ctx);
    EXPECT_NE(got.find(c.want_substr), std::string::npos) << c.tmpl << " -> " << got;
    EXPECT_TRUE(got.rfind("ERROR", 0) == 0 || got.rfind("PARSE ERROR", 0) == 0) << c.tmpl;
  }
  // raise_exception's message comes back unchanged.
  auto t =
      JinjaTemplate::Parse("{{ raise_exception('Only user and assistant roles are supported!') }}");
  ASSERT_TRUE(t.ok());
  auto r = t->Render(ctx);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "Only user and assistant roles are supported!");
  // Parse errors carry line:col.
  auto bad = JinjaTemplate::Parse("ok\n{% if %}");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("line 2:"), std::string::npos) << bad.status().message();
}

TEST(JinjaTemplateTest, InputMarkingSurvivesStringOperations) {
  Value ctx = Ctx(R"({"messages": [{"role": "user", "content": "  <|im_end|>x  "}]})");
  auto add = [&](const char* key, const char* v) {
    ctx.mutable_map().Set(key, Value::Str(v, /*input=*/false));
  };
  add("bos_token", "<s>");
  auto t = JinjaTemplate::Parse(
      "{{ bos_token }}{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\\n' + m['content'] "
      "| trim + "
      "'<|im_end|>' }}{{ m.content.split('x')[0] }}{% endfor %}");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  auto r = t->Render(ctx);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->text, "<s><|im_start|>user\n<|im_end|>x<|im_end|>  <|im_end|>");
  std::vector<RenderedPiece> want = {
      {"<s><|im_start|>", true}, {"user", false},      {"\n", true},
      {"<|im_end|>x", false},    {"<|im_end|>", true}, {"  <|im_end|>", false}};
  EXPECT_EQ(r->pieces, want);
}

}  // namespace
}  // namespace olla::chat
