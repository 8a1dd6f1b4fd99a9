#include "cli/human.h"

#include <gtest/gtest.h>

namespace olla::cli {
namespace {

TEST(HumanTest, NumbersAsOllamaPrintsThem) {
  EXPECT_EQ(HumanNumber(8030261248ULL), "8.0B");
  EXPECT_EQ(HumanNumber(7000000000ULL), "7B");
  EXPECT_EQ(HumanNumber(137000000ULL), "137M");
  EXPECT_EQ(HumanNumber(1234567ULL), "1.23M");
  EXPECT_EQ(HumanNumber(260000ULL), "260K");
  EXPECT_EQ(HumanNumber(999ULL), "999");
}

TEST(HumanTest, BytesAsOllamaPrintsThem) {
  EXPECT_EQ(HumanBytes(1024), "1.0 KB");
  EXPECT_EQ(HumanBytes(4683075271LL), "4.6 GB");
  EXPECT_EQ(HumanBytes(2019393189LL), "2.0 GB");
  EXPECT_EQ(HumanBytes(2000000000LL), "2 GB");
  EXPECT_EQ(HumanBytes(15000000LL), "15 MB");
  EXPECT_EQ(HumanBytes(512), "512 B");
}

}  // namespace
}  // namespace olla::cli
