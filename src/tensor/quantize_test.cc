#include "tensor/quantize.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "tensor/dequantize.h"
#include "tensor/half.h"
#include "tensor/quant_test_util.h"

namespace olla::tensor {
namespace {

using testing::kRefTensors;
using testing::LoadRefTensor;
using testing::PureModel;
using testing::RmsDiff;

// Every type with a quantizer.
constexpr DType kQuantizable[] = {
    DType::kF32,  DType::kF16,  DType::kBF16, DType::kQ4_0,   DType::kQ4_1,   DType::kQ5_0,
    DType::kQ5_1, DType::kQ8_0, DType::kQ8_1, DType::kQ2_K,   DType::kQ3_K,   DType::kQ4_K,
    DType::kQ5_K, DType::kQ6_K, DType::kQ8_K, DType::kIQ4_NL, DType::kIQ4_XS, DType::kMXFP4};

std::string QuantizeOrFail(DType type, const std::vector<float>& x) {
  const Result<uint64_t> bytes = RowBytes(type, x.size());
  EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
  if (!bytes.ok()) return {};
  std::string out(*bytes, '\0');
  const Status s = Quantize(type, x.data(), x.size(), out.data());
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

std::vector<float> DequantizeOrFail(DType type, const std::string& q, size_t n) {
  std::vector<float> out(n);
  const Status s = Dequantize(type, q.data(), n, out.data());
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

// Number of blocks whose bytes differ.
size_t DifferingBlocks(DType type, const std::string& a, const std::string& b) {
  const size_t bb = Info(type).block_bytes;
  size_t n = 0;
  for (size_t off = 0; off + bb <= std::min(a.size(), b.size()); off += bb)
    n += std::memcmp(a.data() + off, b.data() + off, bb) != 0;
  return n;
}

// The pure-file types whose bytes we reproduce exactly, from the F32 source tensor.
constexpr DType kByteExact[] = {DType::kQ8_0, DType::kQ4_0, DType::kQ4_1,   DType::kQ5_0,
                                DType::kQ5_1, DType::kQ2_K, DType::kQ3_K,   DType::kQ4_K,
                                DType::kQ5_K, DType::kQ6_K, DType::kIQ4_NL, DType::kIQ4_XS};

// Quantizing tiny-llama-q-F32's tensors must give the pure files' bytes (llama-quantize without an
// imatrix runs ggml's reference quantizers). Also logs each type's round-trip RMS error, ours and
// the file's; where bytes differ, ours may be at most 2% worse.
TEST(QuantizeTest, ReproducesLlamaQuantizeBytes) {
  for (std::string_view tensor : kRefTensors) {
    const testing::RefTensor src = LoadRefTensor("tiny-llama-q-F32", tensor);
    ASSERT_FALSE(src.values.empty());
    for (DType type : testing::kPureTypes) {
      SCOPED_TRACE(::testing::Message() << Name(type) << " " << tensor);
      const testing::RefTensor ref = LoadRefTensor(PureModel(type), tensor);
      const std::string ours = QuantizeOrFail(type, src.values);
      ASSERT_EQ(ours.size(), ref.raw.size());
      const size_t diff_blocks = DifferingBlocks(type, ours, ref.raw);
      const double rms_ours = RmsDiff(DequantizeOrFail(type, ours, src.values.size()), src.values);
      const double rms_ref = RmsDiff(ref.values, src.values);
      std::printf("  %-7s %-22s rms ours %.6e  ref %.6e  %s (%zu of %zu blocks differ)\n",
                  std::string(Name(type)).c_str(), std::string(tensor).c_str(), rms_ours, rms_ref,
                  diff_blocks == 0 ? "byte-exact" : "DIFFERENT", diff_blocks,
                  ours.size() / Info(type).block_bytes);
      EXPECT_LE(rms_ours, 1.02 * rms_ref);
      if (std::find(std::begin(kByteExact), std::end(kByteExact), type) != std::end(kByteExact)) {
        EXPECT_EQ(diff_blocks, 0u);
      }
    }
  }
}

// The F16/BF16 files are llama-quantize conversions of the F32 file: our bytes must appear in them.
TEST(QuantizeTest, F16AndBF16ReproduceConvertedFiles) {
  for (DType type : {DType::kF16, DType::kBF16}) {
    const std::string file = olla::testing::ReadFileOrFail(
        olla::testing::TestdataPath("models/tiny-llama-q-" + std::string(Name(type)) + ".gguf"));
    for (std::string_view tensor : kRefTensors) {
      const testing::RefTensor src = LoadRefTensor("tiny-llama-q-F32", tensor);
      const std::string ours = QuantizeOrFail(type, src.values);
      EXPECT_NE(file.find(ours), std::string::npos) << Name(type) << " " << tensor;
    }
  }
}

// Round trip of a unit Gaussian, relative RMS error: a regression budget per type (measured values
// are 0.6-0.9x these).
TEST(QuantizeTest, RoundTripErrorWithinBudget) {
  const struct {
    DType type;
    double max_rel_rms;
  } budgets[] = {
      {DType::kF32, 0.0},   {DType::kF16, 3.5e-4},  {DType::kBF16, 2.8e-3}, {DType::kQ8_0, 1e-2},
      {DType::kQ8_1, 1e-2}, {DType::kQ8_K, 1e-2},   {DType::kQ6_K, 2.5e-2}, {DType::kQ5_0, 6e-2},
      {DType::kQ5_1, 6e-2}, {DType::kQ5_K, 4.5e-2}, {DType::kQ4_0, 0.12},   {DType::kQ4_1, 0.12},
      {DType::kQ4_K, 9e-2}, {DType::kIQ4_NL, 0.12}, {DType::kIQ4_XS, 0.12}, {DType::kQ3_K, 0.2},
      {DType::kQ2_K, 0.4},  {DType::kMXFP4, 0.15},
  };
  std::mt19937 rng(42);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> x(16 * kQK_K);
  for (float& v : x) v = normal(rng);
  const double rms_x = RmsDiff(x, std::vector<float>(x.size(), 0.0f));
  for (const auto& b : budgets) {
    const std::vector<float> y = DequantizeOrFail(b.type, QuantizeOrFail(b.type, x), x.size());
    const double rel = RmsDiff(y, x) / rms_x;
    std::printf("  %-7s relative rms error %.4e (budget %.1e)\n", std::string(Name(b.type)).c_str(),
                rel, b.max_rel_rms);
    EXPECT_LE(rel, b.max_rel_rms) << Name(b.type);
  }
}

TEST(QuantizeTest, ZerosRoundTripToZeros) {
  const std::vector<float> zeros(2 * kQK_K, 0.0f);
  for (DType type : kQuantizable) {
    const std::vector<float> y = DequantizeOrFail(type, QuantizeOrFail(type, zeros), zeros.size());
    EXPECT_EQ(RmsDiff(y, zeros), 0.0) << Name(type);
  }
}

// Activations can hold inf/NaN when a model diverges; quantizing must stay memory-safe and
// deterministic (the values are then meaningless). Run under the sanitizer preset to check UB.
TEST(QuantizeTest, NonFiniteInputsAreSafe) {
  std::vector<float> x(kQK_K, 1.0f);
  x[3] = INFINITY;
  x[40] = -INFINITY;
  x[77] = NAN;
  x[200] = 1e30f;
  for (DType type : kQuantizable) {
    const std::string a = QuantizeOrFail(type, x), b = QuantizeOrFail(type, x);
    EXPECT_EQ(a, b) << Name(type);
    DequantizeOrFail(type, a, x.size());
  }
  BlockQ8_0 q8_0[kQK_K / kQK];
  BlockQ8_1 q8_1[kQK_K / kQK];
  QuantizeActivationsQ8_0(x.data(), q8_0, x.size());
  QuantizeActivationsQ8_1(x.data(), q8_1, x.size());
}

TEST(QuantizeTest, Q8_1MatchesQ8_0AndCarriesTheScaledSum) {
  std::mt19937 rng(7);
  std::normal_distribution<float> normal(0.0f, 3.0f);
  std::vector<float> x(8 * kQK);
  for (float& v : x) v = normal(rng);
  std::vector<BlockQ8_0> q8_0(8);
  std::vector<BlockQ8_1> q8_1(8);
  QuantizeRowQ8_0(x.data(), q8_0.data(), x.size());
  QuantizeRowQ8_1(x.data(), q8_1.data(), x.size());
  for (size_t b = 0; b < q8_1.size(); ++b) {
    EXPECT_EQ(q8_1[b].d, q8_0[b].d);
    EXPECT_EQ(std::memcmp(q8_1[b].qs, q8_0[b].qs, kQK), 0);
    float amax = 0;
    int sum = 0;
    for (int j = 0; j < kQK; ++j) {
      amax = std::max(amax, std::fabs(x[b * kQK + j]));
      sum += q8_1[b].qs[j];
    }
    const float d = amax / 127;  // s uses the float d, not the fp16-rounded one
    EXPECT_EQ(q8_1[b].d, F32ToF16(d));
    EXPECT_EQ(q8_1[b].s, F32ToF16(static_cast<float>(sum) * d));
  }
}

TEST(QuantizeTest, Q8_KMapsTheExtremeToMinus127) {
  std::vector<float> x(kQK_K);
  for (int j = 0; j < kQK_K; ++j) x[j] = static_cast<float>(j % 17) - 5.0f;  // extreme: +11
  BlockQ8_K q[1];
  QuantizeRowQ8_K(x.data(), q, kQK_K);
  EXPECT_EQ(q[0].d, 1.0f / (-127.0f / 11.0f));  // d = 1 / iscale, iscale = -127 / max
  for (int j = 0; j < kQK_K; ++j) {
    if (x[j] == 11.0f) {
      EXPECT_EQ(q[0].qs[j], -127) << j;
    }
  }
  for (int g = 0; g < kQK_K / 16; ++g) {
    int sum = 0;
    for (int j = 0; j < 16; ++j) sum += q[0].qs[16 * g + j];
    EXPECT_EQ(q[0].bsums[g], sum) << g;
  }
  // Rounding is to nearest even: with max = -127 the scale is 1, so x = 2.5 gives 2 and 3.5
  // gives 4.
  std::vector<float> y(kQK_K, 0.0f);
  y[0] = -127.0f;
  y[1] = 2.5f;
  y[2] = 3.5f;
  y[3] = -2.5f;
  QuantizeRowQ8_K(y.data(), q, kQK_K);
  EXPECT_EQ(q[0].d, 1.0f);
  EXPECT_EQ(q[0].qs[0], -127);
  EXPECT_EQ(q[0].qs[1], 2);
  EXPECT_EQ(q[0].qs[2], 4);
  EXPECT_EQ(q[0].qs[3], -2);
}

// The activation variants differ from the _ref ones only in rounding: ties go to even, and
// id = 127/amax. With amax = 127 both ids are exactly 1, which isolates the tie rule.
TEST(QuantizeTest, ActivationQ8RoundsTiesToEven) {
  std::vector<float> x(kQK, 0.0f);
  x[0] = 127.0f;
  x[1] = 2.5f;
  x[2] = -2.5f;
  x[3] = 3.5f;
  x[4] = 0.5f;
  BlockQ8_0 ref[1], act[1];
  QuantizeRowQ8_0(x.data(), ref, kQK);
  QuantizeActivationsQ8_0(x.data(), act, kQK);
  EXPECT_EQ(ref[0].d, act[0].d);
  const int want_ref[] = {127, 3, -3, 4, 1}, want_act[] = {127, 2, -2, 4, 0};
  for (int j = 0; j < 5; ++j) {
    EXPECT_EQ(ref[0].qs[j], want_ref[j]) << j;
    EXPECT_EQ(act[0].qs[j], want_act[j]) << j;
  }
  BlockQ8_1 act1[1];
  QuantizeActivationsQ8_1(x.data(), act1, kQK);
  EXPECT_EQ(std::memcmp(act1[0].qs, act[0].qs, kQK), 0);
  EXPECT_EQ(act1[0].s, F32ToF16(static_cast<float>(127 + 2 - 2 + 4) * (127.0f / 127)));
}

TEST(QuantizeTest, ActivationQ8DiffersFromRefByAtMostOneLevel) {
  std::mt19937 rng(99);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> x(64 * kQK);
  for (float& v : x) v = normal(rng);
  std::vector<BlockQ8_0> ref(64), act(64);
  QuantizeRowQ8_0(x.data(), ref.data(), x.size());
  QuantizeActivationsQ8_0(x.data(), act.data(), x.size());
  int n_diff = 0;
  for (size_t b = 0; b < ref.size(); ++b) {
    EXPECT_EQ(ref[b].d, act[b].d);
    for (int j = 0; j < kQK; ++j) {
      EXPECT_LE(std::abs(ref[b].qs[j] - act[b].qs[j]), 1);
      n_diff += ref[b].qs[j] != act[b].qs[j];
    }
  }
  EXPECT_LT(n_diff, static_cast<int>(x.size()) / 100);
}

// MXFP4 blocks worked out by hand from ggml's quantize_row_mxfp4_ref: e = floor(log2(amax)) - 2 +
// 127, levels kMXFP4Values * 2^(e-128), nearest level with ties to the lower index (toward zero).
TEST(QuantizeTest, MXFP4HandComputedBlocks) {
  std::vector<float> x(5 * kQK, 0.0f);
  // Block 0: a ramp (j - 16) / 4 over [-4, 3.75]. amax 4: e = 2 - 2 + 127, half-scale 0.5, so the
  // grid is 0, ±0.5, ±1, ±1.5, ±2, ±3, ±4, ±6 and every other element is a tie.
  for (int j = 0; j < kQK; ++j) x[j] = static_cast<float>(j - 16) * 0.25f;
  // Block 1: amax 100 (log2 6.64): e = 131, half-scale 8; 100 saturates to 12 * 8, -7 rounds to
  // -8 (code 9), -0 becomes +0 (code 0).
  x[kQK + 5] = 100.0f;
  x[kQK + 20] = -7.0f;
  x[kQK + 0] = -0.0f;
  // Block 2: all zero: e = 0. Block 3: amax = 2^-126 gives e = -1, which wraps to 255 (x86): the
  // block becomes zero. Block 4: amax = 2^-125 gives e = 0, half-scale 2^-128: 2^-125 is code 6.
  x[3 * kQK + 7] = 0x1p-126f;
  x[4 * kQK + 9] = -0x1p-125f;
  BlockMXFP4 q[5];
  QuantizeRowMXFP4(x.data(), q, x.size());

  const int lo[16] = {14, 14, 13, 13, 13, 13, 12, 12, 12, 11, 11, 10, 10, 9, 9, 0};
  const int hi[16] = {0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 4, 5, 5, 5, 5, 6};
  EXPECT_EQ(q[0].e, 127);
  for (int j = 0; j < 16; ++j) EXPECT_EQ(q[0].qs[j], lo[j] | (hi[j] << 4)) << j;

  EXPECT_EQ(q[1].e, 131);
  for (int j = 0; j < 16; ++j) EXPECT_EQ(q[1].qs[j], j == 5 ? 0x07 : j == 4 ? 0x90 : 0x00) << j;

  EXPECT_EQ(q[2].e, 0);
  EXPECT_EQ(q[3].e, 255);
  EXPECT_EQ(q[4].e, 0);
  for (int j = 0; j < 16; ++j) {
    EXPECT_EQ(q[2].qs[j], 0) << j;
    EXPECT_EQ(q[3].qs[j], 0) << j;
    EXPECT_EQ(q[4].qs[j], j == 9 ? 14 : 0) << j;  // code 14 = -8 units of 2^-128
  }
  float y[kQK];
  DequantizeRowMXFP4(&q[4], y, kQK);
  EXPECT_EQ(y[9], -0x1p-125f);
}

// Huge blocks: amax near FLT_MAX has e = 252 and saturates at 12 * 2^124; inf gives e = 0 (x86's
// conversion of inf wraps to 0), the smallest scale, and the block decodes as zeros.
TEST(QuantizeTest, MXFP4ExtremeMagnitudes) {
  std::vector<float> x(2 * kQK, 1.0f);
  x[0] = 3e38f;
  x[kQK + 1] = INFINITY;
  BlockMXFP4 q[2];
  QuantizeRowMXFP4(x.data(), q, x.size());
  EXPECT_EQ(q[0].e, 252);
  EXPECT_EQ(q[0].qs[0] & 0x0f, 7);  // +12 units: 1.5 * 2^127 = 2.55e38, the largest level
  EXPECT_EQ(q[0].qs[1], 0);         // 1.0 is far below half a step (2^124): 0
  EXPECT_EQ(q[1].e, 0);
  EXPECT_EQ(q[1].qs[1] & 0x0f, 0);  // |level - inf| is inf for every level: the first, 0
  // 1.0 is 2^128 steps away from every level: |level - 1.0| rounds to 1.0 for all 16, a tie that
  // goes to code 0.
  EXPECT_EQ(q[1].qs[0] & 0x0f, 0);
}

TEST(QuantizeTest, RejectsUnsupportedTypesAndPartialBlocks) {
  std::vector<float> x(512, 1.0f);
  std::vector<uint8_t> dst(4096);
  for (DType type : {DType::kIQ2_XXS, DType::kIQ1_S, DType::kI32, DType::kTQ2_0}) {
    const Status s = Quantize(type, x.data(), 256, dst.data());
    EXPECT_EQ(s.code(), StatusCode::kUnsupported) << Name(type);
    EXPECT_NE(s.message().find(Name(type)), std::string::npos) << s.ToString();
    EXPECT_EQ(QuantizeRowFunction(type), nullptr);
  }
  EXPECT_EQ(Quantize(DType::kQ4_0, x.data(), 48, dst.data()).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Quantize(DType::kQ6_K, x.data(), 128, dst.data()).code(), StatusCode::kInvalidArgument);
  for (DType type : kQuantizable) EXPECT_NE(QuantizeRowFunction(type), nullptr) << Name(type);
}

}  // namespace
}  // namespace olla::tensor
