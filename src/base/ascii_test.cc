#include "base/ascii.h"

#include <gtest/gtest.h>

#include <string>

namespace olla {
namespace {

TEST(AsciiTest, CaseMappingTouchesOnlyAsciiLetters) {
  EXPECT_EQ(AsciiToLower("Hello, WORLD 09 [@`{]"), "hello, world 09 [@`{]");
  EXPECT_EQ(AsciiToUpper("Hello, world 09 [@`{]"), "HELLO, WORLD 09 [@`{]");
  EXPECT_EQ(AsciiToLower("\xC3\x89T\xC3\x89"), "\xC3\x89t\xC3\x89");  // "ÉTÉ": only the T
  EXPECT_EQ(AsciiToLower('Q'), 'q');
  EXPECT_EQ(AsciiToUpper('\xE9'), '\xE9');
  EXPECT_TRUE(EqualsIgnoreAsciiCase("Content-Type", "content-TYPE"));
  EXPECT_FALSE(EqualsIgnoreAsciiCase("Content-Type", "content-type "));
  EXPECT_FALSE(EqualsIgnoreAsciiCase("[", "{"));  // '[' + 32 == '{': not letters
}

TEST(AsciiTest, EscapeForMessage) {
  EXPECT_EQ(EscapeForMessage("plain text"), "plain text");
  EXPECT_EQ(EscapeForMessage("a\nb\x7f\xC3\xA9"), "a\\x0ab\\x7f\\xc3\\xa9");
  EXPECT_EQ(EscapeForMessage("a\\b"), "a\\x5cb");
  EXPECT_EQ(EscapeForMessage("a\\b", 120, /*escape_backslash=*/false), "a\\b");
  EXPECT_EQ(EscapeForMessage(std::string(121, 'x')), std::string(120, 'x') + "...");
  EXPECT_EQ(EscapeForMessage(std::string(120, 'x')), std::string(120, 'x'));
  EXPECT_EQ(EscapeForMessage("abcdef", 3), "abc...");
}

}  // namespace
}  // namespace olla
