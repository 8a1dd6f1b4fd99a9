// Quantization during create (spec §8.6): target parsing, the per-tensor type table, and
// byte-for-byte agreement with llama-quantize on the shared quantization suite.

#include "create/quantize_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <map>

#include "base/str_cat.h"
#include "support/testdata.h"
#include "tensor/dequantize.h"

namespace olla::create {
namespace {

using tensor::DType;

gguf::TensorInfo T(std::string name, std::vector<uint64_t> ne, DType type = DType::kF32) {
  gguf::TensorInfo t;
  t.name = std::move(name);
  t.ne = std::move(ne);
  t.type = type;
  return t;
}

// The tensors of a llama model with `n_layer` layers, n_embd, n_ff as given.
std::vector<gguf::TensorInfo> Llama(int n_layer, uint64_t n_embd, uint64_t n_ff, uint64_t n_kv,
                                    bool tied = false) {
  std::vector<gguf::TensorInfo> ts = {T("token_embd.weight", {n_embd, 512}),
                                      T("output_norm.weight", {n_embd})};
  if (!tied) ts.push_back(T("output.weight", {n_embd, 512}));
  for (int l = 0; l < n_layer; ++l) {
    const std::string p = "blk." + std::to_string(l) + ".";
    for (auto& t :
         {T(p + "attn_norm.weight", {n_embd}), T(p + "attn_q.weight", {n_embd, n_embd}),
          T(p + "attn_k.weight", {n_embd, n_kv}), T(p + "attn_v.weight", {n_embd, n_kv}),
          T(p + "attn_output.weight", {n_embd, n_embd}), T(p + "ffn_norm.weight", {n_embd}),
          T(p + "ffn_gate.weight", {n_embd, n_ff}), T(p + "ffn_up.weight", {n_embd, n_ff}),
          T(p + "ffn_down.weight", {n_ff, n_embd})}) {
      ts.push_back(t);
    }
  }
  return ts;
}

std::map<std::string, DType> Choose(const std::vector<gguf::TensorInfo>& ts,
                                    const QuantizeHparams& hp, std::string_view target) {
  auto t = ParseQuantizeTarget(target);
  EXPECT_TRUE(t.ok()) << target;
  auto types = ChooseTensorTypes(hp, ts, *t);
  EXPECT_TRUE(types.ok()) << types.status().ToString();
  std::map<std::string, DType> out;
  for (size_t i = 0; i < ts.size(); ++i) out[ts[i].name] = (*types)[i];
  return out;
}

TEST(QuantizeTargetTest, ParsesNamesCaseInsensitivelyWithAliases) {
  const struct {
    std::string_view in, name;
    uint32_t file_type;
  } cases[] = {
      {"q4_K_M", "Q4_K_M", 15},      {"Q4_K", "Q4_K_M", 15},   {"q4_k_s", "Q4_K_S", 14},
      {"q8_0", "Q8_0", 7},           {"f16", "F16", 1},        {"F32", "F32", 0},
      {"bf16", "BF16", 32},          {"q5_k", "Q5_K_M", 17},   {"q3_K_M", "Q3_K_M", 12},
      {"q2_K", "Q2_K", 10},          {"q6_K", "Q6_K", 18},     {"Q4_0", "Q4_0", 2},
      {"q5_1", "Q5_1", 9},           {"iq4_xs", "IQ4_XS", 30}, {"mxfp4_moe", "MXFP4_MOE", 38},
      {"MXFP4_MoE", "MXFP4_MOE", 38}};
  for (const auto& c : cases) {
    auto t = ParseQuantizeTarget(c.in);
    ASSERT_TRUE(t.ok()) << c.in;
    EXPECT_EQ(t->name, c.name) << c.in;
    EXPECT_EQ(t->file_type, c.file_type) << c.in;
  }
  auto bad = ParseQuantizeTarget("q9_z");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message().rfind(
                "unsupported quantization type Q9_Z - supported types are F32, F16, BF16, Q4_0", 0),
            0u)
      << bad.status().message();
}

// The default mixes of the shared test suite's README (tiny-llama-q: 2 layers, GQA 2).
TEST(ChooseTensorTypesTest, MatchesLlamaQuantizeMixes) {
  const auto ts = Llama(2, 256, 768, 128);
  const QuantizeHparams hp{"llama", 2, 4, 2, 0};
  const struct {
    std::string_view target;
    std::map<std::string, DType> want;  // tensors not listed: `rest`
    DType rest;
  } cases[] = {
      {"q8_0", {}, DType::kQ8_0},
      {"q6_K", {}, DType::kQ6_K},
      {"q4_0", {{"output.weight", DType::kQ6_K}}, DType::kQ4_0},
      {"q5_1", {{"output.weight", DType::kQ6_K}}, DType::kQ5_1},
      {"q4_K_M",
       {{"output.weight", DType::kQ6_K},
        {"blk.1.attn_v.weight", DType::kQ6_K},
        {"blk.1.ffn_down.weight", DType::kQ6_K}},
       DType::kQ4_K},
      {"q5_K_M",
       {{"output.weight", DType::kQ6_K},
        {"blk.1.attn_v.weight", DType::kQ6_K},
        {"blk.1.ffn_down.weight", DType::kQ6_K}},
       DType::kQ5_K},
      {"q3_K_M",
       {{"output.weight", DType::kQ6_K},
        {"blk.0.attn_v.weight", DType::kQ5_K},
        {"blk.1.attn_v.weight", DType::kQ5_K},
        {"blk.0.attn_output.weight", DType::kQ4_K},
        {"blk.1.attn_output.weight", DType::kQ4_K},
        {"blk.0.ffn_down.weight", DType::kQ4_K},
        {"blk.1.ffn_down.weight", DType::kQ4_K}},
       DType::kQ3_K},
      {"q2_K",
       {{"output.weight", DType::kQ6_K},
        {"blk.0.attn_v.weight", DType::kQ3_K},
        {"blk.1.attn_v.weight", DType::kQ3_K},
        {"blk.0.attn_output.weight", DType::kQ3_K},
        {"blk.1.attn_output.weight", DType::kQ3_K},
        {"blk.0.ffn_down.weight", DType::kQ3_K},
        {"blk.1.ffn_down.weight", DType::kQ3_K}},
       DType::kQ2_K},
      {"q4_K_S",
       {{"output.weight", DType::kQ6_K},
        {"blk.0.attn_v.weight", DType::kQ5_K},
        {"blk.1.attn_v.weight", DType::kQ5_K}},
       DType::kQ4_K},
      {"f16", {}, DType::kF16},
  };
  for (const auto& c : cases) {
    const auto got = Choose(ts, hp, c.target);
    for (const auto& t : ts) {
      DType want = t.ne.size() < 2 ? DType::kF32 : c.rest;
      if (auto it = c.want.find(t.name); it != c.want.end()) want = it->second;
      EXPECT_EQ(tensor::Name(got.at(t.name)), tensor::Name(want)) << c.target << " " << t.name;
    }
  }
}

TEST(ChooseTensorTypesTest, MoreBitsLayersTiedOutputAndGqa) {
  // 32 layers: use_more_bits picks layers 0-3, 28-31 and every third from 6.
  const auto ts = Llama(32, 256, 768, 64, /*tied=*/true);
  const QuantizeHparams hp{"llama", 32, 32, 8, 0};
  const auto q4km = Choose(ts, hp, "Q4_K_M");
  for (int l = 0; l < 32; ++l) {
    const bool more = l < 4 || l >= 28 || (l - 4) % 3 == 2;
    const std::string p = "blk." + std::to_string(l) + ".";
    EXPECT_EQ(q4km.at(p + "attn_v.weight"), more ? DType::kQ6_K : DType::kQ4_K) << l;
    EXPECT_EQ(q4km.at(p + "ffn_down.weight"), more ? DType::kQ6_K : DType::kQ4_K) << l;
    EXPECT_EQ(q4km.at(p + "attn_q.weight"), DType::kQ4_K) << l;
  }
  EXPECT_EQ(q4km.at("token_embd.weight"), DType::kQ6_K);  // tied: gets the output type
  // GQA 4: Q2_K keeps attn_v at Q4_K.
  EXPECT_EQ(Choose(ts, hp, "Q2_K").at("blk.5.attn_v.weight"), DType::kQ4_K);
  // Q3_K_M: attn_v Q5_K for the first two, Q4_K after; ffn_down Q5_K in the first sixteenth.
  const auto q3km = Choose(ts, hp, "Q3_K_M");
  EXPECT_EQ(q3km.at("blk.1.attn_v.weight"), DType::kQ5_K);
  EXPECT_EQ(q3km.at("blk.2.attn_v.weight"), DType::kQ4_K);
  EXPECT_EQ(q3km.at("blk.1.ffn_down.weight"), DType::kQ5_K);
  EXPECT_EQ(q3km.at("blk.2.ffn_down.weight"), DType::kQ4_K);
}

TEST(ChooseTensorTypesTest, FallbacksForRowsThatDoNotFitTheBlock) {
  // stories260K: rows of 64 (no k-quant fits) and 172 (nothing but F16 fits).
  const auto ts = Llama(2, 64, 172, 32);
  const QuantizeHparams hp{"llama", 2, 8, 4, 0};
  const auto q4km = Choose(ts, hp, "q4_K_M");
  EXPECT_EQ(q4km.at("output.weight"), DType::kQ8_0);          // Q6_K → Q8_0
  EXPECT_EQ(q4km.at("blk.0.attn_q.weight"), DType::kQ5_0);    // Q4_K → Q5_0
  EXPECT_EQ(q4km.at("blk.0.ffn_down.weight"), DType::kF16);   // 172: only F16
  EXPECT_EQ(q4km.at("blk.0.ffn_gate.weight"), DType::kQ5_0);  // rows of 64
  const auto q8 = Choose(ts, hp, "q8_0");
  EXPECT_EQ(q8.at("blk.0.attn_q.weight"), DType::kQ8_0);
  EXPECT_EQ(q8.at("blk.0.ffn_down.weight"), DType::kF16);  // llama-quantize gives up here
  EXPECT_EQ(Choose(ts, hp, "q4_0").at("blk.0.ffn_down.weight"), DType::kF16);
}

TEST(ChooseTensorTypesTest, ArchitectureOverrides) {
  std::vector<gguf::TensorInfo> ts = {T("token_embd.weight", {256, 512}),
                                      T("output.weight", {256, 512}),
                                      T("blk.0.attn_q.weight", {256, 256})};
  const auto glm = Choose(ts, {"glm4", 1, 4, 4, 0}, "q4_K_M");
  EXPECT_EQ(glm.at("token_embd.weight"), DType::kF16);
  EXPECT_EQ(glm.at("output.weight"), DType::kF16);
  EXPECT_EQ(Choose(ts, {"glm4", 1, 4, 4, 0}, "q4_0").at("output.weight"),
            DType::kQ6_K);  // K-quants only
  ts.push_back(T("blk.0.attn_k_b.weight", {256, 256}));
  EXPECT_EQ(Choose(ts, {"deepseek2", 1, 4, 4, 0}, "q4_K_M").at("blk.0.attn_k_b.weight"),
            DType::kQ8_0);
  ts.push_back(T("per_layer_token_embd.weight", {256, 512}));
  EXPECT_EQ(Choose(ts, {"gemma3n", 1, 4, 4, 0}, "q4_K_M").at("per_layer_token_embd.weight"),
            DType::kF16);
}

// llama.cpp's MXFP4_MOE: 3-D tensors with more than one expert become MXFP4, every other
// quantized tensor Q8_0 (output, token_embd and attention included); rows that are not a
// multiple of 32 fall back to F16; norms, router and biases are copied.
TEST(ChooseTensorTypesTest, Mxfp4MoeExpertsOnly) {
  const std::vector<gguf::TensorInfo> ts = {
      T("token_embd.weight", {64, 512}, DType::kF16),
      T("output.weight", {64, 512}, DType::kF16),
      T("blk.0.attn_q.weight", {64, 64}, DType::kF16),
      T("blk.0.attn_norm.weight", {64}),
      T("blk.0.ffn_gate_inp.weight", {64, 4}),
      T("blk.0.ffn_up_exps.weight", {64, 32, 4}, DType::kF16),
      T("blk.0.ffn_up_exps.bias", {32, 4}),
      T("blk.0.ffn_down_exps.weight", {48, 64, 4}, DType::kF16),  // rows of 48: F16
      T("blk.0.ffn_gate_exps.weight", {64, 32, 1}, DType::kF16),  // one expert: Q8_0
  };
  const auto got = Choose(ts, {"gpt-oss", 1, 4, 4, 4}, "MXFP4_MOE");
  const std::map<std::string, DType> want = {
      {"token_embd.weight", DType::kQ8_0},          {"output.weight", DType::kQ8_0},
      {"blk.0.attn_q.weight", DType::kQ8_0},        {"blk.0.attn_norm.weight", DType::kF32},
      {"blk.0.ffn_gate_inp.weight", DType::kF32},   {"blk.0.ffn_up_exps.weight", DType::kMXFP4},
      {"blk.0.ffn_up_exps.bias", DType::kF32},      {"blk.0.ffn_down_exps.weight", DType::kF16},
      {"blk.0.ffn_gate_exps.weight", DType::kQ8_0},
  };
  for (const auto& [name, type] : want)
    EXPECT_EQ(tensor::Name(got.at(name)), tensor::Name(type)) << name;
}

TEST(QuantizeOrderTest, NonLayerTensorsThenLayersByNumber) {
  std::vector<gguf::TensorInfo> ts = {T("blk.10.b", {1}), T("token_embd.weight", {1}),
                                      T("blk.2.a", {1}), T("blk.2.Z", {1}),
                                      T("output.weight", {1})};
  std::vector<std::string> names;
  for (size_t i : QuantizeOrder(ts)) names.push_back(ts[i].name);
  EXPECT_EQ(names, (std::vector<std::string>{"output.weight", "token_embd.weight", "blk.2.Z",
                                             "blk.2.a", "blk.10.b"}));
}

TEST(QuantizableFileTypeTest, OnlyFloatModels) {
  for (const auto& [file, want] :
       std::vector<std::pair<std::string, int>>{{"tiny-llama-q-F32.gguf", 0},
                                                {"tiny-llama-q-F16.gguf", 1},
                                                {"tiny-llama-q-BF16.gguf", 32},
                                                {"stories260K.gguf", 0},
                                                {"tiny-llama-q-Q8_0.gguf", -1},
                                                {"tiny-llama-q-Q4_K_M.gguf", -1}}) {
    auto f = gguf::File::Open(testing::TestdataPath("models/" + file));
    ASSERT_TRUE(f.ok()) << file;
    auto ft = QuantizableFileType(*f);
    if (want < 0) {
      ASSERT_FALSE(ft.ok()) << file;
      EXPECT_EQ(ft.status().message(),
                "quantization is only supported for F16, BF16 and F32 models");
    } else {
      ASSERT_TRUE(ft.ok()) << file << ": " << ft.status().ToString();
      EXPECT_EQ(*ft, static_cast<uint32_t>(want)) << file;
    }
  }
}

Result<std::string> QuantizeToString(const gguf::File& src, std::string_view target) {
  OLLA_ASSIGN_OR_RETURN(QuantizeTarget t, ParseQuantizeTarget(target));
  OLLA_ASSIGN_OR_RETURN(std::unique_ptr<GgufQuantizer> q, GgufQuantizer::Create(src, t, 2));
  std::string out;
  char buf[1000];  // an odd size, so reads straddle chunk and tensor boundaries
  while (true) {
    OLLA_ASSIGN_OR_RETURN(size_t n, q->Read(buf, sizeof(buf)));
    if (n == 0) break;
    out.append(buf, n);
  }
  if (out.size() != q->output_size())
    return Status::Internal("output_size differs from the output");
  if (q->source_bytes_done() != q->source_bytes())
    return Status::Internal("progress did not reach the end");
  return out;
}

// llama-quantize made every tiny-llama-q-<TYPE>.gguf from tiny-llama-q-F32.gguf: our output must be
// the same file, byte for byte (same metadata order, tensor order, types and quantized blocks).
TEST(GgufQuantizerTest, ReproducesLlamaQuantizeByteForByte) {
  auto src = gguf::File::Open(testing::TestdataPath("models/tiny-llama-q-F32.gguf"));
  ASSERT_TRUE(src.ok());
  for (std::string_view type : {"F16", "BF16", "Q8_0", "Q6_K", "Q5_K_M", "Q5_0", "Q5_1", "Q4_K_M",
                                "Q4_0", "Q4_1", "Q3_K_M", "Q2_K", "IQ4_NL", "IQ4_XS"}) {
    auto got = QuantizeToString(*src, type);
    ASSERT_TRUE(got.ok()) << type << ": " << got.status().ToString();
    const std::string want = testing::ReadFileOrFail(
        testing::TestdataPath(StrCat("models/tiny-llama-q-", type, ".gguf")));
    ASSERT_EQ(got->size(), want.size()) << type;
    size_t first_diff = 0;
    while (first_diff < want.size() && (*got)[first_diff] == want[first_diff]) ++first_diff;
    EXPECT_EQ(first_diff, want.size()) << type << ": first difference at byte " << first_diff;
  }
}

TEST(GgufQuantizerTest, RoundTripsThroughTheReaderAndDequantizesClose) {
  auto src = gguf::File::Open(testing::TestdataPath("models/tiny-llama-q-F32.gguf"));
  ASSERT_TRUE(src.ok());
  auto bytes = QuantizeToString(*src, "q8_0");
  ASSERT_TRUE(bytes.ok());
  auto out = gguf::File::Parse({reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size()});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->metadata().GetUint("general.file_type").value(), 7u);
  EXPECT_EQ(out->metadata().GetUint("general.quantization_version").value(), 2u);
  const gguf::TensorInfo* q = out->FindTensor("blk.0.attn_q.weight");
  const gguf::TensorInfo* f = src->FindTensor("blk.0.attn_q.weight");
  ASSERT_TRUE(q && f);
  EXPECT_EQ(q->type, DType::kQ8_0);
  std::vector<float> deq(q->n_elems);
  ASSERT_TRUE(tensor::Dequantize(q->type, q->data.data(), deq.size(), deq.data()).ok());
  const float* orig = reinterpret_cast<const float*>(f->data.data());
  double err = 0, norm = 0;
  for (size_t i = 0; i < deq.size(); ++i) {
    err += (deq[i] - orig[i]) * (deq[i] - orig[i]);
    norm += orig[i] * orig[i];
  }
  EXPECT_LT(std::sqrt(err / norm), 0.01);
  EXPECT_EQ(out->FindTensor("blk.0.attn_norm.weight")->type, DType::kF32);  // norms stay F32
}

}  // namespace
}  // namespace olla::create
