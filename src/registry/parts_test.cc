#include "registry/parts.h"

#include <gtest/gtest.h>

namespace olla::registry {
namespace {

TEST(PartsTest, PlansOllamaPartSizes) {
  const PartSizing sizing;  // total/16 clamped to [100 MB, 1000 MB]
  EXPECT_TRUE(PlanParts(0, sizing).empty());
  auto small = PlanParts(5, sizing);
  ASSERT_EQ(small.size(), 1u);
  EXPECT_EQ(small[0], (Part{0, 0, 5, 0}));
  auto mid = PlanParts(250'000'000, sizing);
  ASSERT_EQ(mid.size(), 3u);
  EXPECT_EQ(mid[2], (Part{2, 200'000'000, 50'000'000, 0}));
  auto big = PlanParts(int64_t{4} << 40, sizing);  // 4 TiB: parts capped at kMaxParts
  EXPECT_LE(static_cast<int64_t>(big.size()), kMaxParts);
  EXPECT_TRUE(CheckTiling(big, int64_t{4} << 40).ok());
  auto tuned = PlanParts(10, PartSizing{4, 3, 3});
  ASSERT_EQ(tuned.size(), 4u);
  EXPECT_TRUE(CheckTiling(tuned, 10).ok());
}

TEST(PartsTest, PartStateRoundTripsAndRejectsNonsense) {
  Part p{3, 300, 100, 42};
  EXPECT_EQ(EncodePartState(p), R"({"N":3,"Offset":300,"Size":100,"Completed":42})");
  EXPECT_EQ(*ParsePartState(EncodePartState(p)), p);
  for (const char* bad : {"", "{}", R"({"N":0,"Offset":0,"Size":10,"Completed":11})",
                          R"({"N":-1,"Offset":0,"Size":10,"Completed":1})",
                          R"({"N":0,"Offset":0,"Size":1e3,"Completed":1})",
                          R"({"N":0,"Offset":0,"Size":18446744073709551615,"Completed":1})",
                          R"({"N":0,"Offset":0,"Size":10,"Completed":1)"}) {
    EXPECT_FALSE(ParsePartState(bad).ok()) << bad;
  }
}

TEST(PartsTest, TilingMustCoverTheBlobExactly) {
  std::vector<Part> ok = {{0, 0, 10, 10}, {1, 10, 5, 0}};
  EXPECT_TRUE(CheckTiling(ok, 15).ok());
  EXPECT_FALSE(CheckTiling(ok, 16).ok());
  std::vector<Part> gap = {{0, 0, 10, 0}, {1, 11, 4, 0}};
  EXPECT_FALSE(CheckTiling(gap, 15).ok());
  std::vector<Part> order = {{1, 0, 10, 0}, {0, 10, 5, 0}};
  EXPECT_FALSE(CheckTiling(order, 15).ok());
  std::vector<Part> empty_part = {{0, 0, 0, 0}, {1, 0, 15, 0}};
  EXPECT_FALSE(CheckTiling(empty_part, 15).ok());
  std::vector<Part> overflow = {{0, 0, INT64_MAX, 0}, {1, INT64_MAX, 5, 0}};
  EXPECT_FALSE(CheckTiling(overflow, 15).ok());
}

TEST(PartsTest, ParsesContentRange) {
  auto cr = ParseContentRange("bytes 10-19/100");
  ASSERT_TRUE(cr.ok());
  EXPECT_EQ(cr->first, 10);
  EXPECT_EQ(cr->last, 19);
  EXPECT_EQ(cr->total, 100);
  EXPECT_EQ(ParseContentRange("bytes 0-0/*")->total, -1);
  for (const char* bad : {"", "bytes */100", "bytes 10-9/100", "bytes 0-100/100", "items 0-1/2",
                          "bytes -1-5/10", "bytes 0-5", "bytes 0-99999999999999999999/1"}) {
    EXPECT_FALSE(ParseContentRange(bad).ok()) << bad;
  }
  EXPECT_EQ(RangeHeader(5, 9), "bytes=5-9");
}

TEST(PartsTest, BodyOffsetChecksTheAnswerToARangeRequest) {
  const std::optional<std::string> none;
  const struct {
    long status;
    std::optional<std::string> content_range;
    int64_t first, last, total;
    bool ok;
    int64_t want;
  } cases[] = {
      {206, "bytes 100-199/1000", 100, 199, 1000, true, 100},
      {206, "bytes 100-150/1000", 100, 199, 1000, true, 100},  // shorter: resumed later
      {206, "bytes 0-199/1000", 100, 199, 1000, true, 0},      // earlier start: skip bytes
      {206, "bytes 100-199/*", 100, 199, 1000, true, 100},
      {200, none, 100, 199, 1000, true, 0},  // Range ignored: whole blob
      {206, none, 100, 199, 1000, false, 0},
      {206, "bytes 101-199/1000", 100, 199, 1000, false, 0},  // would leave a hole
      {206, "bytes 100-199/2000", 100, 199, 1000, false, 0},  // not the manifest's blob
      {206, "bytes 0-50/1000", 100, 199, 1000, false, 0},     // ends before what we need
      {416, none, 100, 199, 1000, false, 0},
  };
  for (const auto& c : cases) {
    auto r = BodyOffset(c.status, c.content_range, c.first, c.last, c.total);
    EXPECT_EQ(r.ok(), c.ok) << c.status << " " << c.content_range.value_or("-");
    if (r.ok() && c.ok) {
      EXPECT_EQ(*r, c.want);
    }
  }
}

}  // namespace
}  // namespace olla::registry
