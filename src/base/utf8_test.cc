#include "base/utf8.h"

#include <gtest/gtest.h>

namespace olla::utf8 {
namespace {

TEST(Utf8Test, Validity) {
  const struct {
    std::string s;
    bool valid;
  } cases[] = {
      {"", true},
      {"abc", true},
      {"\xC3\xA9", true},
      {"\xE2\x82\xAC", true},
      {"\xF0\x9F\x98\x80", true},
      {"\xC0\xAF", false},
      {"\xED\xA0\x80", false},
      {"\xF4\x90\x80\x80", false},
      {"\x80", false},
      {"\xE2\x82", false},
      {"\xFF", false},
  };
  for (const auto& c : cases) EXPECT_EQ(IsValid(c.s), c.valid) << c.s;
}

TEST(Utf8Test, CompletePrefixHoldsBackPartialSequences) {
  EXPECT_EQ(CompletePrefixLength("ab\xE2\x82"), 2u);
  EXPECT_EQ(CompletePrefixLength("ab\xE2\x82\xAC"), 5u);
  EXPECT_EQ(CompletePrefixLength("\xF0\x9F"), 0u);
  EXPECT_EQ(CompletePrefixLength("a\xFF"), 2u);  // invalid bytes never complete: emit them
}

TEST(Utf8Test, DecodeAndAppendRoundTrip) {
  std::string s = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";
  std::string back;
  size_t pos = 0;
  std::vector<uint32_t> cps;
  while (pos < s.size()) cps.push_back(DecodeNext(s, &pos));
  EXPECT_EQ(cps, (std::vector<uint32_t>{'a', 0xE9, 0x20AC, 0x1F600}));
  for (uint32_t cp : cps) Append(back, cp);
  EXPECT_EQ(back, s);
  EXPECT_EQ(Sanitize("a\xFF"
                     "b"),
            "a\xEF\xBF\xBD"
            "b");
}

}  // namespace
}  // namespace olla::utf8
