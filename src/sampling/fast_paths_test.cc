// The large-vocabulary shortcuts give exactly the answers of the reference paths:
// GreedyFromLogits() = FillCandidates() + Greedy(), FillCandidatesFromBits() = FillCandidates()
// with the same mask as bytes, and Sample(logits, constraint) = Sample(logits, byte mask).

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "sampling/sampler.h"
#include "sampling/stages.h"

namespace olla::sampling {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kMax = std::numeric_limits<float>::max();

// Logits drawn from few values (many ties), with NaN, -inf, +inf, FLT_MAX and -0.0 sprinkled in.
std::vector<float> RandomLogits(std::mt19937& rng, size_t n, bool specials) {
  const float values[] = {-2.0f, -0.0f, 0.0f, 0.5f, 1.0f, 3.0f, -kInf, std::nanf(""), kInf, kMax};
  std::vector<float> x(n);
  for (float& v : x) v = values[rng() % (specials ? 10 : 6)];
  return x;
}

int32_t Reference(std::span<const float> logits) {
  Candidates c;
  FillCandidates(logits, {}, c);
  return Greedy(c);
}

TEST(GreedyFromLogitsTest, AgreesWithCandidatesOnTiesAndSpecialValues) {
  std::mt19937 rng(3);
  for (size_t n : {0u, 1u, 15u, 16u, 17u, 255u, 256u, 257u, 1000u, 5000u}) {
    for (int rep = 0; rep < 50; ++rep) {
      const std::vector<float> x = RandomLogits(rng, n, rep % 2 == 1);
      ASSERT_EQ(GreedyFromLogits(x), Reference(x)) << n << " " << rep;
    }
  }
}

TEST(GreedyFromLogitsTest, EdgeCases) {
  EXPECT_EQ(GreedyFromLogits(std::vector<float>{-kInf, std::nanf("")}), -1);
  // +inf counts as FLT_MAX: an earlier FLT_MAX (in another block) wins the tie.
  std::vector<float> x(600, 0.0f);
  x[10] = kMax;
  x[500] = kInf;
  EXPECT_EQ(GreedyFromLogits(x), 10);
  EXPECT_EQ(Reference(x), 10);
  // Equal best values in two blocks: the first wins.
  std::vector<float> y(600, 0.0f);
  y[300] = 2.0f;
  y[599] = 2.0f;
  EXPECT_EQ(GreedyFromLogits(y), 300);
}

TEST(FillCandidatesFromBitsTest, AgreesWithTheByteMask) {
  std::mt19937 rng(5);
  for (size_t n : {1u, 63u, 64u, 65u, 1000u}) {
    for (int rep = 0; rep < 20; ++rep) {
      const std::vector<float> x = RandomLogits(rng, n, true);
      std::vector<uint8_t> bytes(n);
      std::vector<uint64_t> bits((n + 63) / 64, 0);
      for (size_t t = 0; t < n; ++t) {
        bytes[t] = (rng() % 4 == 0) ? 1 : 0;  // sparse
        if (bytes[t]) bits[t / 64] |= uint64_t{1} << (t % 64);
      }
      Candidates a, b;
      FillCandidates(x, bytes, a);
      FillCandidatesFromBits(x, bits, b);
      ASSERT_EQ(a.size(), b.size());
      for (size_t k = 0; k < a.size(); ++k) {
        EXPECT_EQ(a.data[k].id, b.data[k].id);
        EXPECT_EQ(a.data[k].logit, b.data[k].logit);
      }
    }
  }
}

// A mask given only as bytes: Sampler reads it through the default FillMaskBits().
class ByteMask : public TokenConstraint {
 public:
  explicit ByteMask(std::vector<uint8_t> mask) : mask_(std::move(mask)) {}
  bool Allows(int32_t token) override { return mask_[static_cast<size_t>(token)] != 0; }
  void FillMask(std::vector<uint8_t>& allowed) override { allowed = mask_; }

 private:
  std::vector<uint8_t> mask_;
};

TEST(SamplerFastPathTest, ConstraintGivesTheSameTokensAsTheByteMask) {
  std::mt19937 rng(11);
  const size_t n = 3000;
  for (float temperature : {0.0f, 0.8f, 1.5f}) {
    for (float repeat : {1.0f, 1.3f}) {
      SamplerOptions o;
      o.temperature = temperature;
      o.repeat_penalty = repeat;
      o.seed = 9;
      const auto n_vocab = static_cast<int32_t>(n);
      Sampler with_constraint(o, n_vocab, 64), with_bytes(o, n_vocab, 64);
      for (int step = 0; step < 100; ++step) {
        std::vector<float> x(n);
        for (float& v : x) v = static_cast<float>(rng() % 1000) / 100.0f;
        std::vector<uint8_t> mask(n);
        for (uint8_t& m : mask) m = rng() % 8 == 0;
        ByteMask c(mask);
        // What Sample(logits, constraint) is defined to do: the free choice if allowed, else
        // the chain again under the mask (two draws from the rng, as before).
        int32_t want = with_bytes.Sample(x);
        if (want == kNoToken || !mask[static_cast<size_t>(want)]) want = with_bytes.Sample(x, mask);
        const int32_t got = with_constraint.Sample(x, c);
        ASSERT_EQ(got, want) << temperature << " " << repeat << " " << step;
        with_bytes.Accept(want);
        with_constraint.Accept(got);
      }
    }
  }
}

}  // namespace
}  // namespace olla::sampling
