#include <gtest/gtest.h>

#include "grammar/grammar.h"

namespace olla::grammar {
namespace {

TEST(GbnfParserTest, ParsesLlamaCppJsonGrammar) {
  // llama.cpp's grammars/json.gbnf shape: multi-line rules, comments, nested groups, {m,n}.
  constexpr std::string_view kJson = R"(
root   ::= object
value  ::= object | array | string | number | ("true" | "false" | "null") ws

object ::=
  "{" ws (
            string ":" ws value
    ("," ws string ":" ws value)*
  )? "}" ws

array  ::=
  "[" ws (
            value
    ("," ws value)*
  )? "]" ws

string ::=
  "\"" (
    [^"\\\x7F\x00-\x1F] |
    "\\" (["\\bfnrt] | "u" [0-9a-fA-F]{4}) # escapes
  )* "\"" ws

number ::= ("-"? ([0-9] | [1-9] [0-9]{0,15})) ("." [0-9]+)? ([eE] [-+]? [0-9] [1-9]{0,15})? ws

# Optional space: by convention, applied in this grammar after literal chars when allowed
ws ::= | " " | "\n" [ \t]{0,20}
)";
  auto g = ParseGbnf(kJson);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ((*g)->rule_names[(*g)->root], "root");
  // Printing and parsing again gives the same number of rules and elements.
  auto again = ParseGbnf((*g)->ToGbnf(), (*g)->rule_names[(*g)->root]);
  ASSERT_TRUE(again.ok()) << again.status().ToString() << "\n" << (*g)->ToGbnf();
  EXPECT_EQ((*again)->elems.size(), (*g)->elems.size());
}

TEST(GbnfParserTest, AcceptsSyntaxVariants) {
  const char* cases[] = {
      "root ::= \"a\"",                          // no final newline
      "root ::= \"a\"\r\n",                      // CRLF
      "root ::= [a-z]{2,} \"x\"{,3} [^\\n]?\n",  // bound forms
      "root ::= \"\\x41\\u00e9\\U0001F600\"\n",  // escapes
      "root ::= \"é€😀\" . [α-ω]\n",              // raw UTF-8
      "root ::= a\na ::= \"x\" |\n",             // empty alternative
      "root ::= (\n  \"a\" # comment\n  | \"b\"\n)\n",
      "root ::= [-a] [a-] [\\]\\[]\n",
      "my_rule-2 ::= \"a\"\nroot ::= my_rule-2\n",
  };
  for (const char* text : cases) {
    auto g = ParseGbnf(text);
    EXPECT_TRUE(g.ok()) << text << ": " << g.status().ToString();
  }
}

TEST(GbnfParserTest, ReportsErrorsWithLineAndColumn) {
  const struct {
    std::string_view text;
    std::string_view want;  // substring of the message
  } cases[] = {
      {"root ::= \"abc", "gbnf:1:10: unterminated string literal"},
      {"root ::= [a-z", "gbnf:1:10: unterminated character class"},
      {"root ::= \"a\"\nfoo = \"b\"", "gbnf:2:5: expected '::='"},
      {"root ::= foo\n", "gbnf:1:10: undefined rule 'foo'"},
      {"root ::= \"a\"\nroot ::= \"b\"\n", "gbnf:2:1: rule 'root' defined twice"},
      {"root ::= ( \"a\" \n", "expected ')'"},
      {"root ::= * \"a\"", "gbnf:1:10: '*' without an item before it"},
      {"root ::= \"a\"{3,2}", "repetition maximum below its minimum"},
      {"root ::= \"a\"{}", "gbnf:1:13: expected a number"},
      {"root ::= \"a\"{,}", "empty repetition bounds"},
      {"root ::= \"a\"{1000001}", "repetition bound above"},
      {"root ::= \"\\q\"", "gbnf:1:11: unknown escape '\\q'"},
      {"root ::= \"\\xZZ\"", "expected a hex digit"},
      {"root ::= \"\\uD800\"", "not a Unicode scalar value"},
      {"root ::= [z-a]", "character range out of order"},
      {"root ::= \"a\" )", "gbnf:1:14: unexpected ')'"},
      {"::= \"a\"", "gbnf:1:1: expected a rule name"},
      {"start ::= \"a\"", "no rule named 'root'"},
      {"root ::= root \"a\" | \"b\"", "left recursion in rule 'root'"},
      {"root ::= a \"x\"\na ::= b\nb ::= \"\" | root", "left recursion"},
      {"root ::= (\"a\"?)*", "left recursion"},
      {"root ::= \"a\" root", "can never finish"},
      {"root ::= \"\"*", "repetition of an empty item"},
      {"root ::= \"\xff\"", "invalid UTF-8"},
      {"root ::= <think>", "unexpected '<'"},
  };
  for (const auto& c : cases) {
    auto g = ParseGbnf(c.text);
    ASSERT_FALSE(g.ok()) << c.text;
    EXPECT_EQ(g.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(g.status().message().find(c.want), std::string::npos)
        << c.text << "\n got: " << g.status().message() << "\nwant: " << c.want;
  }
}

TEST(GbnfParserTest, RejectsOversizedExpansion) {
  auto g = ParseGbnf("root ::= \"0123456789012345678\"{100000} \"0123456789012345678\"{100000}");
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.status().message().find("too large"), std::string::npos) << g.status().message();
}

TEST(GbnfParserTest, CharClassNormalization) {
  CharClass cc = CharClass::Make({{'c', 'e'}, {'a', 'b'}, {'x', 'x'}}, false);
  ASSERT_EQ(cc.ranges.size(), 2u);
  EXPECT_EQ(cc.ranges[0], std::make_pair(uint32_t{'a'}, uint32_t{'e'}));
  EXPECT_TRUE(cc.Contains('c'));
  EXPECT_FALSE(cc.Contains('f'));
  CharClass neg = CharClass::Make({{'"', '"'}, {0, 0x1F}}, true);
  EXPECT_FALSE(neg.Contains('"'));
  EXPECT_FALSE(neg.Contains('\n'));
  EXPECT_TRUE(neg.Contains('a'));
  EXPECT_TRUE(neg.Contains(0x10FFFF));
  EXPECT_FALSE(neg.Contains(0xD800));  // surrogates are never characters
  EXPECT_TRUE(neg.Intersects(0xD000, 0xD900));
  EXPECT_FALSE(neg.Intersects(0xD800, 0xDFFF));
  EXPECT_FALSE(neg.Intersects(0, 0x1F));
}

}  // namespace
}  // namespace olla::grammar
