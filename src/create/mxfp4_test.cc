// MXFP4 end to end on the gpt-oss test models (testdata README §4b): the reference file's expert
// tensors dequantize to the F16 file's weights within MXFP4's rounding, and `create --quantize
// MXFP4_MOE` of the F16 file chooses llama-quantize's type for every tensor.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "base/str_cat.h"
#include "create/quantize_model.h"
#include "gguf/reader.h"
#include "support/testdata.h"
#include "tensor/blocks.h"
#include "tensor/dequantize.h"

namespace olla::create {
namespace {

using tensor::DType;

gguf::File OpenOrFail(const std::string& model) {
  auto f = gguf::File::Open(testing::TestdataPath("models/" + model + ".gguf"));
  EXPECT_TRUE(f.ok()) << model << ": " << f.status().ToString();
  return std::move(*f);
}

std::vector<float> DequantizeOrFail(const gguf::TensorInfo& t) {
  std::vector<float> out(t.n_elems);
  const Status s = tensor::Dequantize(t.type, t.data.data(), out.size(), out.data());
  EXPECT_TRUE(s.ok()) << t.name << ": " << s.ToString();
  return out;
}

// Worst rounding of MXFP4's nearest-level quantizer for a value u (in units of the half-scale
// 2^(e-128)): half the gap between the levels around it (0..4 step 1, 4..8 step 2, 8..12 step 4),
// or the distance to the largest level, 12, where it saturates.
double MaxRoundingUnits(double u) {
  if (u <= 4) return 0.5;
  if (u <= 8) return 1.0;
  if (u <= 12) return 2.0;
  return u - 12;
}

// The MXFP4 file was quantized from the F32 originals, the F16 file rounded from them: each MXFP4
// value must lie within the rounding bound (evaluated at the F16 value) of the F16 value, plus
// the F16 rounding itself (relative 2^-11, taken twice: once for the value, once for the bound).
TEST(MXFP4ModelTest, ExpertTensorsDequantizeCloseToTheF16File) {
  const gguf::File mx = OpenOrFail("tiny-gptoss-MXFP4");
  const gguf::File f16 = OpenOrFail("tiny-gptoss-F16");
  for (const char* name : {"blk.0.ffn_up_exps.weight", "blk.1.ffn_down_exps.weight"}) {
    SCOPED_TRACE(name);
    const gguf::TensorInfo* tq = mx.FindTensor(name);
    const gguf::TensorInfo* tf = f16.FindTensor(name);
    ASSERT_TRUE(tq && tf);
    ASSERT_EQ(tq->type, DType::kMXFP4);
    EXPECT_EQ(tensor::Name(tq->type), "MXFP4");
    ASSERT_EQ(tf->type, DType::kF16);
    ASSERT_EQ(tq->ne.size(), 3u);  // [in, out, n_expert]
    ASSERT_EQ(tq->ne, tf->ne);
    const std::vector<float> q = DequantizeOrFail(*tq), f = DequantizeOrFail(*tf);
    const auto* blocks = reinterpret_cast<const tensor::BlockMXFP4*>(tq->data.data());
    double worst = 0, sum_q2 = 0, sum_f2 = 0;
    for (size_t i = 0; i < q.size(); ++i) {
      ASSERT_TRUE(std::isfinite(q[i])) << i;
      const double d = tensor::E8M0ToF32Half(blocks[i / 32].e);
      const double fv = f[i], delta = std::fabs(q[i] - fv);
      const double allowed =
          MaxRoundingUnits(std::fabs(fv) / d) * d + std::fabs(fv) * std::ldexp(1.0, -10);
      worst = std::max(worst, delta / allowed);
      sum_q2 += static_cast<double>(q[i]) * q[i];
      sum_f2 += fv * fv;
    }
    std::printf("  %s: worst |Δ| / bound = %.3f, rms ratio %.4f\n", name, worst,
                std::sqrt(sum_q2 / sum_f2));
    EXPECT_LE(worst, 1.0);
    EXPECT_NEAR(std::sqrt(sum_q2 / sum_f2), 1.0, 0.05);  // same scale as the F16 weights
  }
}

Result<std::string> QuantizeToString(const gguf::File& src, std::string_view target) {
  OLLA_ASSIGN_OR_RETURN(QuantizeTarget t, ParseQuantizeTarget(target));
  OLLA_ASSIGN_OR_RETURN(std::unique_ptr<GgufQuantizer> q, GgufQuantizer::Create(src, t, 2));
  std::string out;
  char buf[4096];
  while (true) {
    OLLA_ASSIGN_OR_RETURN(size_t n, q->Read(buf, sizeof(buf)));
    if (n == 0) break;
    out.append(buf, n);
  }
  return out;
}

// llama-quantize made tiny-gptoss-MXFP4 (from the F32 originals) with MXFP4_MOE: quantizing the
// F16 file must give the same tensors with the same types and shapes, in the same order. The
// expert bytes differ slightly (F16 input), so their values are compared within one level.
TEST(MXFP4ModelTest, QuantizeMXFP4MoeMatchesLlamaQuantizeTypes) {
  const gguf::File src = OpenOrFail("tiny-gptoss-F16");
  const gguf::File ref = OpenOrFail("tiny-gptoss-MXFP4");
  auto target = ParseQuantizeTarget("mxfp4_moe");
  ASSERT_TRUE(target.ok()) << target.status().ToString();
  EXPECT_EQ(target->name, "MXFP4_MOE");
  EXPECT_EQ(target->file_type, 38u);
  auto bytes = QuantizeToString(src, "MXFP4_MOE");
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  auto out = gguf::File::Parse({reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size()});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->metadata().GetUint("general.file_type").value(), 38u);
  ASSERT_EQ(out->tensors().size(), ref.tensors().size());
  size_t n_mxfp4 = 0;
  for (size_t i = 0; i < ref.tensors().size(); ++i) {
    const gguf::TensorInfo& got = out->tensors()[i];
    const gguf::TensorInfo& want = ref.tensors()[i];
    EXPECT_EQ(got.name, want.name) << i;
    EXPECT_EQ(tensor::Name(got.type), tensor::Name(want.type)) << want.name;
    EXPECT_EQ(got.ne, want.ne) << want.name;
    if (got.type != DType::kMXFP4 || want.type != DType::kMXFP4) continue;
    ++n_mxfp4;
    // Same rounding from nearly the same input: at most one level apart (<= 4 half-scale units,
    // the widest gap), with the reference's exponent.
    const std::vector<float> a = DequantizeOrFail(got), b = DequantizeOrFail(want);
    const auto* blocks = reinterpret_cast<const tensor::BlockMXFP4*>(want.data.data());
    size_t same_blocks = 0;
    for (size_t blk = 0; blk < a.size() / 32; ++blk) {
      const auto* gb = reinterpret_cast<const tensor::BlockMXFP4*>(got.data.data()) + blk;
      same_blocks += std::memcmp(gb, blocks + blk, sizeof(tensor::BlockMXFP4)) == 0;
      const double d = tensor::E8M0ToF32Half(blocks[blk].e);
      for (size_t j = 0; j < 32; ++j)
        ASSERT_LE(std::fabs(a[32 * blk + j] - b[32 * blk + j]), 4 * d) << want.name << " " << blk;
    }
    std::printf("  %s: %zu of %zu blocks byte-identical to llama-quantize's\n", want.name.c_str(),
                same_blocks, a.size() / 32);
    // Measured 97-98%: only blocks with an element near a rounding boundary differ.
    EXPECT_GE(same_blocks * 100, 95 * (a.size() / 32)) << want.name;
  }
  EXPECT_GT(n_mxfp4, 0u);
}

}  // namespace
}  // namespace olla::create
