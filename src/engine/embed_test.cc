// Context::Embed against llama.cpp's BERT embeddings (testdata/README.md §2.1), and its contract on
// decoders and at the edges.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "engine/context.h"
#include "support/testdata.h"

namespace olla::engine {
namespace {

struct EmbdReference {
  std::vector<TokenId> tokens;
  std::vector<float> values;
  double l2_norm = 0;
};

EmbdReference LoadEmbd(const std::string& kind, const std::string& model = "tiny-bert-F32") {
  const std::string base = "ref/" + model + ".embd-" + kind;
  auto j = nlohmann::json::parse(testing::ReadFileOrFail(testing::TestdataPath(base + ".json")));
  EmbdReference r;
  r.tokens = j["tokens"].get<std::vector<TokenId>>();
  r.l2_norm = j["l2_norm"].get<double>();
  r.values = testing::ReadF32File(testing::TestdataPath(base + ".bin"));
  return r;
}

// max |Δ| / max |want|.
double RelErr(const std::vector<float>& got, const std::vector<float>& want) {
  double max_diff = 0, max_abs = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    max_diff = std::max(max_diff, std::fabs(double(got[i]) - want[i]));
    max_abs = std::max(max_abs, std::fabs(double(want[i])));
  }
  return max_diff / max_abs;
}

// cos(got, want) over the whole vector (per-token references are compared as one vector, and
// row by row through max |Δ|).
double Cosine(const std::vector<float>& got, const std::vector<float>& want) {
  double dot = 0, n_got = 0, n_want = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    dot += double(got[i]) * want[i];
    n_got += double(got[i]) * got[i];
    n_want += double(want[i]) * want[i];
  }
  return dot / std::sqrt(n_got * n_want);
}

class BertEmbedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto m = Model::Load(testing::TestdataPath("models/tiny-bert-F32.gguf"));
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    model_ = std::move(*m);
    ContextParams params;
    params.n_ctx = 256;
    auto ctx = Context::Create(*model_, params, pool_);
    ASSERT_TRUE(ctx.ok()) << ctx.status().ToString();
    ctx_ = std::move(*ctx);
  }
  ThreadPool pool_{2};
  std::unique_ptr<Model> model_;
  std::unique_ptr<Context> ctx_;
};

TEST_F(BertEmbedTest, PooledAndPerTokenEmbeddingsMatchReference) {
  const struct {
    const char* kind;
    Pooling pooling;
  } cases[] = {{"cls", Pooling::kCls}, {"mean", Pooling::kMean}, {"tokens", Pooling::kNone}};
  for (const auto& c : cases) {
    EmbdReference ref = LoadEmbd(c.kind);
    std::vector<float> got;
    Status s = ctx_->Embed(ref.tokens, c.pooling, false, &got);
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_EQ(got.size(), ref.values.size()) << c.kind;
    const double err = RelErr(got, ref.values);
    std::printf("[fidelity] tiny-bert-F32 embd-%-6s max|d|/max|ref| = %.3g (tol 1e-03)\n", c.kind,
                err);
    EXPECT_LE(err, 1e-3) << c.kind;
    EXPECT_EQ(ctx_->n_past(), 0u);
  }
}

TEST_F(BertEmbedTest, ModelDefaultPoolingIsClsAndNormalizeGivesUnitVectors) {
  EXPECT_EQ(model_->config().pooling, Pooling::kCls);
  EmbdReference ref = LoadEmbd("cls");
  std::vector<float> got;
  ASSERT_TRUE(ctx_->Embed(ref.tokens, model_->config().pooling, true, &got).ok());
  double norm2 = 0;
  for (float v : got) norm2 += double(v) * v;
  EXPECT_NEAR(std::sqrt(norm2), 1.0, 1e-6);
  std::vector<float> want(ref.values);
  for (float& v : want) v = static_cast<float>(v / ref.l2_norm);
  EXPECT_LE(RelErr(got, want), 1e-3);
}

TEST_F(BertEmbedTest, EmbeddingsDoNotDependOnEarlierCalls) {
  EmbdReference ref = LoadEmbd("mean");
  std::vector<float> first, again;
  ASSERT_TRUE(ctx_->Embed(ref.tokens, Pooling::kMean, false, &first).ok());
  const std::vector<TokenId> other = {101, 7592, 102};
  std::vector<float> scratch;
  ASSERT_TRUE(ctx_->Embed(other, Pooling::kMean, false, &scratch).ok());
  ASSERT_TRUE(ctx_->Embed(ref.tokens, Pooling::kMean, false, &again).ok());
  EXPECT_EQ(first, again);
}

TEST_F(BertEmbedTest, RefusesGenerationAndOversizedInputs) {
  std::vector<float> out;
  Status s = ctx_->Decode(std::vector<TokenId>{101, 102}, false, &out);
  EXPECT_EQ(s.code(), StatusCode::kUnsupported) << s.ToString();

  ContextParams small;
  small.n_ctx = 8;
  small.n_batch = 4;
  auto ctx = Context::Create(*model_, small, pool_);
  ASSERT_TRUE(ctx.ok());
  s = (*ctx)->Embed(std::vector<TokenId>{101, 1996, 4248, 2829, 102}, Pooling::kCls, false, &out);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();  // 5 tokens > n_batch 4
  s = (*ctx)->Embed(std::vector<TokenId>{101, 30522}, Pooling::kCls, false, &out);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();  // outside the vocabulary

  ContextParams big;
  big.n_ctx = 1024;
  big.n_batch = 1024;
  auto ctx_big = Context::Create(*model_, big, pool_);
  ASSERT_TRUE(ctx_big.ok());
  std::vector<TokenId> long_input(513, 1996);
  s = (*ctx_big)->Embed(long_input, Pooling::kCls, false, &out);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();  // 512 position embeddings
}

// On a decoder, Embed's last-token embedding is the final-normed hidden state: the output matrix
// applied to it gives Decode's last logits.
TEST(DecoderEmbedTest, LastPoolingTimesOutputMatrixIsTheLastLogits) {
  auto model = Model::Load(testing::TestdataPath("models/tiny-gemma2-F16.gguf"));
  ASSERT_TRUE(model.ok());
  ThreadPool pool(1);
  ContextParams params;
  params.n_ctx = 64;
  params.kv_type = tensor::DType::kF32;
  auto ctx = Context::Create(**model, params, pool);
  ASSERT_TRUE(ctx.ok());
  const std::vector<TokenId> tokens = {1, 450, 4996, 17354, 1701, 29916, 432, 17204, 975, 278};
  std::vector<float> embd, logits;
  ASSERT_TRUE((*ctx)->Embed(tokens, Pooling::kLast, false, &embd).ok());
  ASSERT_EQ(embd.size(), (*model)->config().n_embd);
  EXPECT_EQ((*ctx)->n_past(), 0u);
  ASSERT_TRUE((*ctx)->Decode(tokens, false, &logits).ok());
  const ModelConfig& c = (*model)->config();
  std::vector<float> from_embd(c.n_vocab);
  kernels::MatMul((*model)->weights().output, embd.data(), 1, from_embd.data(), pool);
  kernels::SoftcapInPlace(from_embd.data(), from_embd.size(), c.final_softcap);
  EXPECT_EQ(from_embd, logits);
}

// The embedding models of testdata/README.md §4b against llama.cpp: pooled and per-token outputs
// within the F16 tolerance (cosine >= 0.999, max |Δ| <= tol × max |ref|), with the model's own
// pooling type being the reference's.
struct EmbedCase {
  const char* model;
  const char* kind;  // reference file: ref/<model>.embd-<kind>
  Pooling pooling;
  bool model_default;  // the file's pooling_type is `pooling`
  double tol;
};

class ReferenceEmbedTest : public ::testing::TestWithParam<EmbedCase> {};

TEST_P(ReferenceEmbedTest, MatchesLlamaCpp) {
  const EmbedCase& tc = GetParam();
  auto model = Model::Load(testing::TestdataPath(std::string("models/") + tc.model + ".gguf"));
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  if (tc.model_default) {
    EXPECT_EQ((*model)->config().pooling, tc.pooling);
  }
  EmbdReference ref = LoadEmbd(tc.kind, tc.model);
  ThreadPool pool(2);
  ContextParams params;
  params.n_ctx = 256;
  params.kv_type = tensor::DType::kF32;  // as the reference (decoders embed through the cache)
  auto ctx = Context::Create(**model, params, pool);
  ASSERT_TRUE(ctx.ok()) << ctx.status().ToString();
  std::vector<float> got;
  Status s = (*ctx)->Embed(ref.tokens, tc.pooling, false, &got);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(got.size(), ref.values.size());
  const double err = RelErr(got, ref.values), cosine = Cosine(got, ref.values);
  std::printf("[fidelity] %s embd-%s max|d|/max|ref| = %.3g (tol %.0e), cosine 1 - %.3g\n",
              tc.model, tc.kind, err, tc.tol, 1.0 - cosine);
  EXPECT_LE(err, tc.tol);
  EXPECT_GE(cosine, 0.999);
  EXPECT_EQ((*ctx)->n_past(), 0u);
}

// The F16 tolerance is 3e-3; each is held to a few times what it measures (AVX2): nomic-bert
// mean 4.1e-5 and per token 2.3e-4, gemma-embedding 4.0e-4, qwen3-embed 1.3e-5. Cosines are all
// above 1 - 1e-7. (A window of |p - k| < 8 instead of llama.cpp's <= 4 on gemma-embedding's local
// layer gives cosine 0.906.)
const EmbedCase kEmbedCases[] = {
    {"tiny-nomic-bert-F16", "mean", Pooling::kMean, true, 3e-4},
    {"tiny-nomic-bert-F16", "none", Pooling::kNone, false, 1e-3},
    {"tiny-gemma-embedding-F16", "mean", Pooling::kMean, true, 1.5e-3},
    {"tiny-qwen3-embed-F16", "last", Pooling::kLast, true, 1e-4},
};

INSTANTIATE_TEST_SUITE_P(Models, ReferenceEmbedTest, ::testing::ValuesIn(kEmbedCases),
                         [](const ::testing::TestParamInfo<EmbedCase>& param_info) {
                           std::string name =
                               std::string(param_info.param.model) + "_" + param_info.param.kind;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

}  // namespace
}  // namespace olla::engine
