#include "grammar/matcher.h"

#include <gtest/gtest.h>

namespace olla::grammar {
namespace {

std::shared_ptr<const Grammar> MustParse(std::string_view text) {
  auto g = ParseGbnf(text);
  EXPECT_TRUE(g.ok()) << text << ": " << g.status().ToString();
  return g.ok() ? *g : nullptr;
}

enum Want { kReject, kPrefix, kComplete };

TEST(MatcherTest, AcceptsAndRejectsTable) {
  const struct {
    std::string_view grammar;
    std::string_view input;
    Want want;
  } cases[] = {
      {"root ::= \"abc\"", "abc", kComplete},
      {"root ::= \"abc\"", "ab", kPrefix},
      {"root ::= \"abc\"", "", kPrefix},
      {"root ::= \"abc\"", "abd", kReject},
      {"root ::= \"abc\"", "abcd", kReject},
      {"root ::= [a-z]{2,4}", "a", kPrefix},
      {"root ::= [a-z]{2,4}", "ab", kComplete},
      {"root ::= [a-z]{2,4}", "abcd", kComplete},
      {"root ::= [a-z]{2,4}", "abcde", kReject},
      {"root ::= [a-z]{2,4}", "aB", kReject},
      {"root ::= \"ab\"{2} \"c\"?", "abab", kComplete},
      {"root ::= \"ab\"{2} \"c\"?", "ababc", kComplete},
      {"root ::= \"ab\"{2} \"c\"?", "ab", kPrefix},
      {"root ::= \"ab\"{2} \"c\"?", "ababab", kReject},
      {"root ::= \"x\"{3,}", "xx", kPrefix},
      {"root ::= \"x\"{3,}", "xxxxxxx", kComplete},
      {"root ::= \"a\"* \"b\"", "aaab", kComplete},
      {"root ::= \"a\"* \"b\"", "", kPrefix},
      {"root ::= \"a\"+ \"b\"", "b", kReject},
      {"root ::= \"x\" |", "", kComplete},
      {"root ::= \"(\" root \")\" |", "(())", kComplete},
      {"root ::= \"(\" root \")\" |", "(()", kPrefix},
      {"root ::= \"(\" root \")\" |", "())", kReject},
      {"root ::= (\"a\" | \"ab\") \"b\"", "ab", kComplete},
      {"root ::= (\"a\" | \"ab\") \"b\"", "abb", kComplete},
      {"root ::= (\"a\" | \"ab\") \"b\"", "abbb", kReject},
      {"root ::= [^\"]* \"\\\"\"", "h\xC3\xA9llo\"", kComplete},
      {"root ::= [^\"]* \"\\\"\"", "\"x", kReject},
      // Multi-byte characters, also cut in the middle.
      {"root ::= \"é\" | \"€\" | \"😀\"", "\xC3", kPrefix},
      {"root ::= \"é\" | \"€\" | \"😀\"", "\xC3\xA9", kComplete},
      {"root ::= \"é\" | \"€\" | \"😀\"", "\xE2\x82", kPrefix},
      {"root ::= \"é\" | \"€\" | \"😀\"", "\xE2\x82\xAC", kComplete},
      {"root ::= \"é\" | \"€\" | \"😀\"", "\xE2\x82\xAD", kReject},
      {"root ::= \"é\" | \"€\" | \"😀\"", "\xC3\xA8", kReject},
      {"root ::= \"é\" | \"€\" | \"😀\"", "\xF0\x9F\x98", kPrefix},
      {"root ::= \"é\" | \"€\" | \"😀\"", "\xF0\x9F\x98\x80", kComplete},
      {"root ::= \"é\" | \"€\" | \"😀\"", "\xE3", kReject},  // no allowed character starts so
      {"root ::= [α-ω]+", "αβω", kComplete},
      {"root ::= [α-ω]+", "\xCE", kPrefix},
      {"root ::= [α-ω]+", "\xD0", kReject},
      {"root ::= [^a]", "\xE4\xBD\xA0", kComplete},
      // Malformed UTF-8 never matches, not even `.`.
      {"root ::= .*", "\xED\xA0\x80", kReject},      // surrogate
      {"root ::= .*", "\xC0\xAF", kReject},          // overlong
      {"root ::= .*", "\xE0\x80", kReject},          // overlong, caught early
      {"root ::= .*", "\x80", kReject},              // stray continuation
      {"root ::= .*", "\xF4\x90\x80\x80", kReject},  // above U+10FFFF
      {"root ::= .*", "\xC3\x41", kReject},          // truncated sequence
      {"root ::= .*", "\xF0\x9F\x98\x80\xC3", kPrefix},
  };
  for (const auto& c : cases) {
    auto g = MustParse(c.grammar);
    ASSERT_NE(g, nullptr);
    // Whole input at once, and one byte per token: the same verdict.
    for (bool bytewise : {false, true}) {
      Matcher m(g);
      bool ok = true;
      if (bytewise) {
        for (char ch : c.input) ok = ok && m.Accept(std::string_view(&ch, 1));
      } else {
        ok = m.Accept(c.input);
      }
      const Want got = !ok ? kReject : m.IsComplete() ? kComplete : kPrefix;
      EXPECT_EQ(got, c.want) << c.grammar << " on \"" << c.input << "\" bytewise=" << bytewise;
    }
  }
}

TEST(MatcherTest, RefusedInputLeavesPositionUnchanged) {
  Matcher m(MustParse("root ::= \"ab\" \"c\"*"));
  ASSERT_TRUE(m.Accept("a"));
  EXPECT_FALSE(m.Accept("bx"));
  EXPECT_TRUE(m.CanAccept("bcc"));
  EXPECT_FALSE(m.IsComplete());
  ASSERT_TRUE(m.Accept("b"));
  EXPECT_TRUE(m.IsComplete());
  EXPECT_TRUE(m.Accept(""));
  m.Reset();
  EXPECT_FALSE(m.IsComplete());
  EXPECT_TRUE(m.Accept("abccc"));
}

TEST(MatcherTest, MinCompletionBytes) {
  Matcher m(MustParse("root ::= \"abc\" | \"de\" | [x-z] \"é\""));
  EXPECT_EQ(m.MinCompletionBytes(), 2u);
  EXPECT_EQ(m.MinCompletionBytes("a"), 2u);
  EXPECT_EQ(m.MinCompletionBytes("ab"), 1u);
  EXPECT_EQ(m.MinCompletionBytes("x"), 2u);
  EXPECT_EQ(m.MinCompletionBytes("x\xC3"), 1u);
  EXPECT_EQ(m.MinCompletionBytes("q"), Matcher::kNoCompletion);
  ASSERT_TRUE(m.Accept("de"));
  EXPECT_EQ(m.MinCompletionBytes(), 0u);

  Matcher nested(MustParse("root ::= \"[\" item (\",\" item)* \"]\"\nitem ::= \"{\" [a-z]* \"}\""));
  EXPECT_EQ(nested.MinCompletionBytes(), 4u);  // [{}]
  ASSERT_TRUE(nested.Accept("[{abc},{"));
  EXPECT_EQ(nested.MinCompletionBytes(), 2u);  // }]
}

TEST(MatcherTest, RebuildsTablesAtLimitAndKeepsPosition) {
  MatcherLimits limits;
  limits.max_states = 16;
  Matcher m(MustParse("root ::= [a-z]{0,300} \"!\""), limits);
  for (int k = 0; k < 300; ++k)
    ASSERT_TRUE(m.Accept(std::string(1, static_cast<char>('a' + k % 26)))) << k;
  EXPECT_FALSE(m.CanAccept("a"));
  EXPECT_GT(m.stats().rebuilds, 0u);
  EXPECT_LE(m.stats().states, 64u);
  EXPECT_TRUE(m.Accept("!"));
  EXPECT_TRUE(m.IsComplete());
  m.Reset();
  EXPECT_TRUE(m.Accept("abc!"));
}

TEST(MatcherTest, DeepNestingDoesNotRecurse) {
  // 20000 nested brackets: stacks are node chains, expansion is a worklist.
  Matcher m(MustParse("root ::= \"[\" root \"]\" | \"x\""));
  const std::string open(20000, '['), close(20000, ']');
  ASSERT_TRUE(m.Accept(open));
  ASSERT_TRUE(m.Accept("x"));
  EXPECT_EQ(m.MinCompletionBytes(), 20000u);
  ASSERT_TRUE(m.Accept(close));
  EXPECT_TRUE(m.IsComplete());
}

TEST(MatcherTest, CopyContinuesIndependently) {
  Matcher a(MustParse("root ::= \"ab\" | \"ac\""));
  ASSERT_TRUE(a.Accept("a"));
  Matcher b = a;
  ASSERT_TRUE(a.Accept("b"));
  ASSERT_TRUE(b.Accept("c"));
  EXPECT_TRUE(a.IsComplete());
  EXPECT_TRUE(b.IsComplete());
}

}  // namespace
}  // namespace olla::grammar
