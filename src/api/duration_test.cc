#include "api/duration.h"

#include <gtest/gtest.h>

namespace olla::api {
namespace {

using namespace std::chrono_literals;

TEST(DurationTest, ParsesGoDurations) {
  const struct {
    const char* in;
    std::chrono::nanoseconds want;
  } cases[] = {{"5m", 5min},    {"1h30m", 90min}, {"-1s", -1s},   {"0", 0s},
               {"1.5h", 90min}, {"300ms", 300ms}, {"10us", 10us}, {"24h", 24h}};
  for (const auto& c : cases) {
    auto r = ParseGoDuration(c.in);
    ASSERT_TRUE(r.ok()) << c.in << ": " << r.status().ToString();
    EXPECT_EQ(*r, c.want) << c.in;
  }
}

TEST(DurationTest, RejectsAsGoDoes) {
  EXPECT_EQ(ParseGoDuration("300").status().message(), "time: missing unit in duration \"300\"");
  EXPECT_EQ(ParseGoDuration("abc").status().message(), "time: invalid duration \"abc\"");
  EXPECT_EQ(ParseGoDuration("5x").status().message(),
            "time: unknown unit \"x\" in duration \"5x\"");
  EXPECT_FALSE(ParseGoDuration("").ok());
}

TEST(DurationTest, FormatsAsGoDoes) {
  EXPECT_EQ(FormatGoDuration(5min), "5m0s");
  EXPECT_EQ(FormatGoDuration(90min), "1h30m0s");
  EXPECT_EQ(FormatGoDuration(1500ms), "1.5s");
  EXPECT_EQ(FormatGoDuration(0s), "0s");
  EXPECT_EQ(FormatGoDuration(-1s), "-1s");
}

}  // namespace
}  // namespace olla::api
