#include "tensor/dequantize.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "tensor/half.h"
#include "tensor/quant_test_util.h"

namespace olla::tensor {
namespace {

using testing::FirstBitMismatch;
using testing::kPureTypes;
using testing::kRefTensors;
using testing::LoadRefTensor;
using testing::PureModel;

// Every pure file's tensors must dequantize to the reference floats bit for bit (README §2.4: the
// references equal ggml's own to_float).
TEST(DequantizeTest, MatchesReferenceBitExact) {
  for (DType type : kPureTypes) {
    for (std::string_view tensor : kRefTensors) {
      SCOPED_TRACE(::testing::Message() << Name(type) << " " << tensor);
      const testing::RefTensor ref = LoadRefTensor(PureModel(type), tensor);
      ASSERT_FALSE(ref.raw.empty());
      std::vector<float> out(ref.values.size());
      ASSERT_TRUE(Dequantize(type, ref.raw.data(), out.size(), out.data()).ok());
      EXPECT_EQ(FirstBitMismatch(out, ref.values), -1);
    }
  }
}

TEST(DequantizeTest, F32IsACopy) {
  for (std::string_view tensor : kRefTensors) {
    const testing::RefTensor ref = LoadRefTensor("tiny-llama-q-F32", tensor);
    std::vector<float> out(ref.values.size());
    ASSERT_TRUE(Dequantize(DType::kF32, ref.raw.data(), out.size(), out.data()).ok());
    EXPECT_EQ(FirstBitMismatch(out, ref.values), -1) << tensor;
  }
}

TEST(DequantizeTest, F16AndBF16WidenExactly) {
  const uint16_t h[] = {0x3c00, 0xc000, 0x7bff, 0x0001};
  float out[4];
  ASSERT_TRUE(Dequantize(DType::kF16, h, 4, out).ok());
  EXPECT_EQ(out[0], 1.0f);
  EXPECT_EQ(out[1], -2.0f);
  EXPECT_EQ(out[2], 65504.0f);
  EXPECT_EQ(out[3], 0x1p-24f);
  const uint16_t b[] = {0x3f80, 0xc040, 0x0000, 0x8000};
  ASSERT_TRUE(Dequantize(DType::kBF16, b, 4, out).ok());
  EXPECT_EQ(out[0], 1.0f);
  EXPECT_EQ(out[1], -3.0f);
  EXPECT_EQ(out[2], 0.0f);
  EXPECT_TRUE(std::signbit(out[3]));
}

// Q8_1 and Q8_K have no reference files (they only hold activations): check hand-built blocks.
TEST(DequantizeTest, Q8_1IsScaledInts) {
  BlockQ8_1 block{};
  block.d = F32ToF16(0.5f);
  block.s = F32ToF16(123.0f);  // ignored by dequantization
  for (int j = 0; j < kQK; ++j) block.qs[j] = static_cast<int8_t>(j - 16);
  float out[kQK];
  ASSERT_TRUE(Dequantize(DType::kQ8_1, &block, kQK, out).ok());
  for (int j = 0; j < kQK; ++j) EXPECT_EQ(out[j], 0.5f * static_cast<float>(j - 16)) << j;
}

TEST(DequantizeTest, Q8_KUsesAFloatScale) {
  BlockQ8_K block{};
  block.d = 0.1f;  // not representable in fp16: proves d is a full float
  for (int j = 0; j < kQK_K; ++j) block.qs[j] = static_cast<int8_t>(j % 255 - 127);
  std::vector<float> out(kQK_K);
  ASSERT_TRUE(Dequantize(DType::kQ8_K, &block, kQK_K, out.data()).ok());
  for (int j = 0; j < kQK_K; ++j) EXPECT_EQ(out[j], 0.1f * static_cast<float>(j % 255 - 127)) << j;
}

// MXFP4 has no reference file: hand-built blocks against the format's definition. Code c is the
// E2M1 value (-1)^(c >> 3) * {0, 0.5, 1, 1.5, 2, 3, 4, 6}[c & 7] times 2^(e - 127); -0 (code 8)
// comes out as +0 (ggml's table holds 0), and values past FLT_MAX become infinity (e >= 254).
TEST(DequantizeTest, MXFP4MatchesTheDefinitionForEveryCodeAndExponent) {
  constexpr double kE2M1[8] = {0, 0.5, 1, 1.5, 2, 3, 4, 6};
  for (int e : {0, 1, 2, 3, 100, 126, 127, 128, 200, 252, 253, 254, 255}) {
    BlockMXFP4 block{};
    block.e = static_cast<uint8_t>(e);
    // Element j < 16 has code j (low nibble), element j + 16 code 15 - j (high nibble).
    for (int j = 0; j < 16; ++j) block.qs[j] = static_cast<uint8_t>(j | ((15 - j) << 4));
    float out[kQK];
    ASSERT_TRUE(Dequantize(DType::kMXFP4, &block, kQK, out).ok());
    for (int i = 0; i < kQK; ++i) {
      const int code = i < 16 ? i : 15 - (i - 16);
      const double mag = std::ldexp(kE2M1[code & 7], e - 127);
      const float want = code == 8 ? 0.0f : static_cast<float>(code & 8 ? -mag : mag);
      EXPECT_EQ(std::memcmp(&out[i], &want, sizeof(float)), 0)
          << "e=" << e << " code=" << code << ": " << out[i] << " != " << want;
    }
  }
  // Spot values: e = 127 is scale 1 (plain E2M1), e = 0 the subnormal 2^-127 per unit.
  BlockMXFP4 b{};
  b.e = 127;
  b.qs[0] = 0x7f;  // element 0: code 15 = -6; element 16: code 7 = 6
  float out[kQK];
  ASSERT_TRUE(Dequantize(DType::kMXFP4, &b, kQK, out).ok());
  EXPECT_EQ(out[0], -6.0f);
  EXPECT_EQ(out[16], 6.0f);
  b.e = 0;
  b.qs[0] = 0x01;  // code 1 = 0.5 * 2^-127 = 2^-128
  ASSERT_TRUE(Dequantize(DType::kMXFP4, &b, kQK, out).ok());
  EXPECT_EQ(out[0], 0x1p-128f);
  EXPECT_EQ(out[16], 0.0f);
}

TEST(DequantizeTest, RejectsUnsupportedTypes) {
  const DType unsupported[] = {DType::kIQ2_XXS, DType::kIQ3_S, DType::kIQ1_M,
                               DType::kI8,      DType::kF64,   DType::kTQ1_0};
  std::vector<uint8_t> src(4096);
  std::vector<float> dst(256);
  for (DType type : unsupported) {
    const Status s = Dequantize(type, src.data(), 256, dst.data());
    EXPECT_EQ(s.code(), StatusCode::kUnsupported) << Name(type);
    EXPECT_NE(s.message().find(Name(type)), std::string::npos) << s.ToString();
    EXPECT_EQ(DequantizeRowFunction(type), nullptr) << Name(type);
  }
}

TEST(DequantizeTest, RejectsPartialBlocks) {
  std::vector<uint8_t> src(4096);
  std::vector<float> dst(512);
  const struct {
    DType type;
    size_t n;
  } cases[] = {{DType::kQ4_0, 33},
               {DType::kQ8_0, 16},
               {DType::kQ4_K, 32},
               {DType::kIQ4_XS, 288},
               {DType::kMXFP4, 40}};
  for (const auto& c : cases) {
    EXPECT_EQ(Dequantize(c.type, src.data(), c.n, dst.data()).code(), StatusCode::kInvalidArgument)
        << Name(c.type) << " " << c.n;
  }
  EXPECT_TRUE(Dequantize(DType::kQ4_0, src.data(), 0, dst.data()).ok());
}

}  // namespace
}  // namespace olla::tensor
