#include "tensor/dtype.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace olla::tensor {
namespace {

TEST(DTypeTest, LookupRejectsUnknownIds) {
  // 4 and 5 were Q4_2/Q4_3, 31-33 and 36-38 are retired or never assigned.
  const uint32_t unknown[] = {4, 5, 31, 32, 33, 36, 37, 38, 40, 99, UINT32_MAX};
  for (uint32_t id : unknown) {
    const Result<const DTypeInfo*> r = LookupDType(id);
    ASSERT_FALSE(r.ok()) << id;
    EXPECT_EQ(r.status().code(), StatusCode::kUnsupported) << id;
    EXPECT_NE(r.status().message().find(std::to_string(id)), std::string::npos)
        << r.status().ToString();
  }
}

TEST(DTypeTest, KnownTypesHaveGgmlSizes) {
  const struct {
    uint32_t id;
    std::string_view name;
    uint32_t block_elems, block_bytes;
    bool quantized;
  } cases[] = {
      {0, "F32", 1, 4, false},        {1, "F16", 1, 2, false},
      {2, "Q4_0", 32, 18, true},      {3, "Q4_1", 32, 20, true},
      {6, "Q5_0", 32, 22, true},      {7, "Q5_1", 32, 24, true},
      {8, "Q8_0", 32, 34, true},      {9, "Q8_1", 32, 36, true},
      {10, "Q2_K", 256, 84, true},    {11, "Q3_K", 256, 110, true},
      {12, "Q4_K", 256, 144, true},   {13, "Q5_K", 256, 176, true},
      {14, "Q6_K", 256, 210, true},   {15, "Q8_K", 256, 292, true},
      {16, "IQ2_XXS", 256, 66, true}, {17, "IQ2_XS", 256, 74, true},
      {18, "IQ3_XXS", 256, 98, true}, {19, "IQ1_S", 256, 50, true},
      {20, "IQ4_NL", 32, 18, true},   {21, "IQ3_S", 256, 110, true},
      {22, "IQ2_S", 256, 82, true},   {23, "IQ4_XS", 256, 136, true},
      {24, "I8", 1, 1, false},        {25, "I16", 1, 2, false},
      {26, "I32", 1, 4, false},       {27, "I64", 1, 8, false},
      {28, "F64", 1, 8, false},       {29, "IQ1_M", 256, 56, true},
      {30, "BF16", 1, 2, false},      {34, "TQ1_0", 256, 54, true},
      {35, "TQ2_0", 256, 66, true},   {39, "MXFP4", 32, 17, true},
  };
  for (const auto& c : cases) {
    const Result<const DTypeInfo*> r = LookupDType(c.id);
    ASSERT_TRUE(r.ok()) << c.id;
    const DTypeInfo& info = **r;
    EXPECT_EQ(static_cast<uint32_t>(info.type), c.id);
    EXPECT_EQ(info.name, c.name);
    EXPECT_EQ(info.block_elems, c.block_elems) << c.name;
    EXPECT_EQ(info.block_bytes, c.block_bytes) << c.name;
    EXPECT_EQ(info.quantized, c.quantized) << c.name;
    EXPECT_EQ(&Info(info.type), &info);
    EXPECT_EQ(Name(info.type), c.name);
  }
}

TEST(DTypeTest, ParseDType) {
  const struct {
    std::string_view in;
    std::optional<DType> want;
  } cases[] = {
      {"F32", DType::kF32},
      {"q4_k", DType::kQ4_K},
      {"Q4_K", DType::kQ4_K},
      {"iq4_xs", DType::kIQ4_XS},
      {"bf16", DType::kBF16},
      {"Q8_0", DType::kQ8_0},
      {"", std::nullopt},
      {"Q4", std::nullopt},
      {"q4_k_m", std::nullopt},
      {"F32 ", std::nullopt},
      {std::string_view("Q4_0\0", 5), std::nullopt},
      {"float", std::nullopt},
  };
  for (const auto& c : cases) EXPECT_EQ(ParseDType(c.in), c.want) << "'" << c.in << "'";
}

TEST(DTypeTest, RowBytes) {
  const struct {
    DType type;
    uint64_t n;
    uint64_t bytes;
  } ok_cases[] = {{DType::kF32, 7, 28},     {DType::kF16, 3, 6},      {DType::kQ4_0, 64, 36},
                  {DType::kQ4_K, 256, 144}, {DType::kQ6_K, 768, 630}, {DType::kIQ4_XS, 512, 272},
                  {DType::kQ8_0, 0, 0},     {DType::kMXFP4, 32, 17}};
  for (const auto& c : ok_cases) {
    const Result<uint64_t> r = RowBytes(c.type, c.n);
    ASSERT_TRUE(r.ok()) << Name(c.type) << " " << c.n;
    EXPECT_EQ(*r, c.bytes) << Name(c.type) << " " << c.n;
  }
}

TEST(DTypeTest, RowBytesRejectsPartialBlocksAndOverflow) {
  const struct {
    DType type;
    uint64_t n;
  } bad[] = {
      {DType::kQ4_0, 33},
      {DType::kQ4_K, 32},
      {DType::kIQ4_NL, 1},
      {DType::kMXFP4, 48},
      {DType::kF32, uint64_t{1} << 63},  // 2^65 bytes
      {DType::kF64, UINT64_MAX},         // overflows by the multiply
      {DType::kQ8_0, UINT64_MAX - 31},   // a whole number of blocks, 34 bytes each
  };
  for (const auto& c : bad) {
    const Result<uint64_t> r = RowBytes(c.type, c.n);
    ASSERT_FALSE(r.ok()) << Name(c.type) << " " << c.n;
    EXPECT_EQ(r.status().code(), StatusCode::kCorrupt);
  }
}

}  // namespace
}  // namespace olla::tensor
