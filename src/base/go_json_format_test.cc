#include "base/go_json_format.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace olla {
namespace {

TEST(GoJsonFormatTest, StringsEscapeAsGoDoes) {
  const struct {
    std::string in, want;
  } cases[] = {
      {"plain", R"("plain")"},
      {"q\"b\\", R"("q\"b\\")"},
      {"\b\f\n\r\t", R"("\b\f\n\r\t")"},
      {std::string("\x00\x01\x1f", 3), R"("\u0000\u0001\u001f")"},
      {"<a href='x'>&</a>", R"("\u003ca href='x'\u003e\u0026\u003c/a\u003e")"},
      {"\x7f", "\"\x7f\""},                                  // DEL raw
      {"\xC3\xA9\xE2\x82\xAC", "\"\xC3\xA9\xE2\x82\xAC\""},  // valid UTF-8 raw
      {"\xE2\x80\xA8\xE2\x80\xA9", R"("\u2028\u2029")"},     // line/paragraph separators
      {"a\xFF"
       "b\xE2\x82",
       R"("a\ufffdb\ufffd\ufffd")"},         // one \ufffd per invalid byte
      {"\xEF\xBF\xBD", "\"\xEF\xBF\xBD\""},  // a literal U+FFFD stays raw
  };
  for (const auto& c : cases) EXPECT_EQ(GoJsonString(c.in), c.want) << c.in;
}

TEST(GoJsonFormatTest, Floats) {
  const struct {
    double in;
    const char* want;
  } cases[] = {
      {0, "0"},           {1, "1"},          {-2.5, "-2.5"},       {0.1, "0.1"},
      {1e-6, "0.000001"}, {1e-7, "1e-7"},    {1.5e-10, "1.5e-10"}, {1e20, "100000000000000000000"},
      {1e21, "1e+21"},    {1e100, "1e+100"}, {1e-100, "1e-100"},
  };
  for (const auto& c : cases) {
    std::string out;
    AppendGoFloat64(out, c.in);
    EXPECT_EQ(out, c.want) << c.in;
  }
  std::string out;
  AppendGoFloat64(out, std::nan(""));
  EXPECT_EQ(out, "null");
  out.clear();
  AppendGoFloat32(out, 0.1f);
  EXPECT_EQ(out, "0.1");
}

TEST(GoJsonFormatTest, EscapeHtmlOnlyInsideStrings) {
  EXPECT_EQ(GoEscapeHtml(R"({"a<b":"x&y>z","n":1})"), R"({"a\u003cb":"x\u0026y\u003ez","n":1})");
  EXPECT_EQ(GoEscapeHtml(R"(["q\"<",">"])"), R"(["q\"\u003c","\u003e"])");
  EXPECT_EQ(GoEscapeHtml("[1,2]"), "[1,2]");
}

}  // namespace
}  // namespace olla
