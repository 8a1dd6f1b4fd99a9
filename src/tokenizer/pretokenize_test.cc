#include "tokenizer/pretokenize.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace olla::tokenizer {
namespace {

std::vector<std::string> SplitWith(std::string_view pre, std::string_view text) {
  auto p = PreTokenizer::Create(pre);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  if (!p.ok()) return {};
  std::vector<std::string> out;
  for (std::string_view piece : p->Split(text)) out.emplace_back(piece);
  return out;
}

using Pieces = std::vector<std::string>;

TEST(PreTokenizerTest, SplitsLikeTheReferenceRegexes) {
  const struct {
    std::string_view pre;
    std::string_view text;
    Pieces want;
  } cases[] = {
      {"gpt-2", "Hello world  !", {"Hello", " world", " ", " !"}},
      {"gpt-2", "I'm  12345\t\tx", {"I", "'m", " ", " 12345", "\t", "\t", "x"}},
      {"gpt-2", "", {}},
      // \s is White_Space: U+0085 is a space, U+180E (a format character today) is not.
      {"gpt-2",
       "a\xC2\x85\xC2\x85"
       "b",
       {"a", "\xC2\x85", "\xC2\x85", "b"}},
      {"gpt-2",
       "a\xE1\xA0\x8E\xE1\xA0\x8E"
       "b",
       {"a", "\xE1\xA0\x8E\xE1\xA0\x8E", "b"}},
      {"llama3", "I'M 12345 ok\n\n", {"I", "'M", " ", "123", "45", " ok", "\n\n"}},
      {"qwen2", "x 2024", {"x", " ", "2", "0", "2", "4"}},
      {"starcoder", "a123 b", {"a", "1", "2", "3", " b"}},
      {"falcon", "1234 x", {"123", "4", " x"}},
      {"deepseek-coder", "ab\ncd 12", {"ab", "\n", "cd", " ", "1", "2"}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(SplitWith(c.pre, c.text), c.want) << c.pre << ": '" << c.text << "'";
  }
}

TEST(PreTokenizerTest, KeepsTheGapsBetweenMatches) {
  const std::string_view patterns[] = {"[0-9]+"};
  auto p = PreTokenizer::FromRegexes(patterns);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  std::vector<std::string_view> got = p->Split("ab12cd3");
  EXPECT_EQ(got, (std::vector<std::string_view>{"ab", "12", "cd", "3"}));
}

TEST(PreTokenizerTest, DollarIsTheEndOfThePiece) {
  const std::string_view patterns[] = {"b$"};
  auto p = PreTokenizer::FromRegexes(patterns);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->Split("ab\n"), (std::vector<std::string_view>{"ab\n"}));
  EXPECT_EQ(p->Split("ab"), (std::vector<std::string_view>{"a", "b"}));
}

TEST(PreTokenizerTest, NamesAndErrors) {
  const PreTokenizerConfig* llama = FindPreTokenizer("llama-bpe");
  ASSERT_NE(llama, nullptr);
  EXPECT_EQ(llama->name, "llama3");
  EXPECT_TRUE(llama->ignore_merges);
  EXPECT_EQ(FindPreTokenizer("no-such-pre"), nullptr);
  auto unknown = PreTokenizer::Create("no-such-pre");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kUnsupported);
  const std::string_view bad[] = {"(unclosed"};
  auto compile = PreTokenizer::FromRegexes(bad);
  ASSERT_FALSE(compile.ok());
  EXPECT_EQ(compile.status().code(), StatusCode::kInvalidArgument);
  // Every configured cascade compiles.
  for (std::string_view name :
       {"default", "llama3", "dbrx", "deepseek-llm", "deepseek-coder", "deepseek-v3", "falcon",
        "gpt-2", "mpt", "starcoder", "refact", "qwen2", "bloom", "viking", "tekken", "gpt-4o",
        "seed-coder", "gpt-neox"}) {
    auto p = PreTokenizer::Create(name);
    EXPECT_TRUE(p.ok()) << name << ": " << p.status().ToString();
  }
}

}  // namespace
}  // namespace olla::tokenizer
