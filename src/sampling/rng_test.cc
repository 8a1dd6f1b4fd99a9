#include "sampling/rng.h"

#include <gtest/gtest.h>

#include <vector>

namespace olla::sampling {
namespace {

TEST(Pcg32Test, MatchesReferenceSequence) {
  // pcg32-demo from the PCG reference implementation: pcg32_srandom_r(&rng, 42, 54).
  Pcg32 rng(42, 54);
  const uint32_t want[] = {0xa15c02b7, 0x7b47f409, 0xba1d3330, 0x83d2f293, 0xbfa4784b, 0xcbed606e};
  for (uint32_t w : want) EXPECT_EQ(rng.NextU32(), w);
}

TEST(Pcg32Test, SameSeedSameSequenceDifferentSeedDifferent) {
  Pcg32 a(7), b(7), c(8);
  std::vector<uint32_t> sa, sb, sc;
  for (int i = 0; i < 100; ++i) {
    sa.push_back(a.NextU32());
    sb.push_back(b.NextU32());
    sc.push_back(c.NextU32());
  }
  EXPECT_EQ(sa, sb);
  EXPECT_NE(sa, sc);
}

TEST(Pcg32Test, ReseedRestartsTheSequence) {
  Pcg32 rng(123);
  const uint32_t first = rng.NextU32();
  rng.NextU32();
  rng.Seed(123);
  EXPECT_EQ(rng.NextU32(), first);
}

TEST(Pcg32Test, NextDoubleIsInUnitIntervalAndUniform) {
  Pcg32 rng(99);
  constexpr int kN = 100000;
  int buckets[10] = {};
  double sum = 0.0;
  for (int i = 0; i < kN; ++i) {
    const double u = rng.NextDouble();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
    ++buckets[static_cast<int>(u * 10)];
  }
  EXPECT_NEAR(sum / kN, 0.5, 0.005);
  // Each bucket expects 10000 with sigma ~95; 600 is > 6 sigma.
  for (int b : buckets) EXPECT_NEAR(b, kN / 10, 600);
}

TEST(Pcg32Test, RandomSeedsDiffer) {
  // Two 64-bit draws from the OS colliding would be a broken random_device.
  EXPECT_NE(RandomSeed(), RandomSeed());
}

}  // namespace
}  // namespace olla::sampling
