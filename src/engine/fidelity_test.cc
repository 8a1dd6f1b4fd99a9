// Logits of every testdata model against llama.cpp's reference (testdata/README.md §2, §4).

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "engine/context.h"
#include "engine/kv_cache.h"
#include "support/testdata.h"

namespace olla::engine {
namespace {

struct Case {
  const char* model;              // file name without .gguf
  double tol;                     // max |Δ| ≤ tol × max |logit|
  const char* adapter = nullptr;  // a LoRA adapter applied with scale 1 (references "<model>+lora")
};

// Tolerances from the engine issue: F32 1e-3, F16 3e-3, BF16 1e-2, quantized 5e-2.
const Case kCases[] = {
    {"stories260K", 1e-3},
    {"tiny-llama-q-F32", 1e-3},
    {"tiny-llama-q-F16", 3e-3},
    {"tiny-llama-q-BF16", 1e-2},
    {"tiny-llama-q-Q8_0", 5e-2},
    {"tiny-llama-q-Q6_K", 5e-2},
    {"tiny-llama-q-Q5_K_M", 5e-2},
    {"tiny-llama-q-Q5_0", 5e-2},
    {"tiny-llama-q-Q5_1", 5e-2},
    {"tiny-llama-q-Q4_K_M", 5e-2},
    {"tiny-llama-q-Q4_0", 5e-2},
    {"tiny-llama-q-Q4_1", 5e-2},
    {"tiny-llama-q-Q3_K_M", 5e-2},
    {"tiny-llama-q-Q2_K", 5e-2},
    {"tiny-llama-q-IQ4_NL", 5e-2},
    {"tiny-llama-q-IQ4_XS", 5e-2},
    {"tiny-llama-q-pure-Q8_0", 5e-2},
    {"tiny-llama-q-pure-Q6_K", 5e-2},
    {"tiny-llama-q-pure-Q5_K", 5e-2},
    {"tiny-llama-q-pure-Q5_0", 5e-2},
    {"tiny-llama-q-pure-Q5_1", 5e-2},
    {"tiny-llama-q-pure-Q4_K", 5e-2},
    {"tiny-llama-q-pure-Q4_0", 5e-2},
    {"tiny-llama-q-pure-Q4_1", 5e-2},
    {"tiny-llama-q-pure-Q3_K", 5e-2},
    {"tiny-llama-q-pure-Q2_K", 5e-2},
    {"tiny-llama-q-pure-IQ4_NL", 5e-2},
    {"tiny-llama-q-pure-IQ4_XS", 5e-2},
    // One model per architecture (testdata/README.md §1).
    {"tiny-qwen2-F16", 3e-3},
    {"tiny-gemma-F16", 3e-3},
    {"tiny-gemma2-F16", 3e-3},
    {"tiny-gemma3-F16", 3e-3},
    {"tiny-phi3-F16", 3e-3},
    // Second set (testdata/README.md §4b).
    // Measured far below the F16 tolerance, so held to a few times what they measure (AVX2,
    // one batch): granite 1.4e-5 (its logit and residual scales shrink what F16 rounding adds),
    // olmo2 2.9e-4, qwen3-embed 3.1e-4.
    {"tiny-granite-F16", 1e-4},
    {"tiny-olmo2-F16", 1e-3},
    {"tiny-qwen3-embed-F16", 1e-3},
    {"tiny-qwen3moe-F16", 3e-3},
    {"tiny-qwen3moe-Q4_K_M", 5e-2},
    {"tiny-mixtral-Q4_0", 5e-2},
    {"tiny-gptoss-F16", 3e-3},
    {"tiny-gptoss-MXFP4", 5e-2},
    // The LoRA adapter of testdata README §4c on three bases (issue #18).
    {"tiny-llama-q-F32", 1e-3, "tiny-llama-q-lora-F32"},
    {"tiny-llama-q-F16", 3e-3, "tiny-llama-q-lora-F32"},
    {"tiny-llama-q-Q4_0", 5e-2, "tiny-llama-q-lora-F32"},
};

// The reference files' name of a case: "tiny-llama-q-F16+lora" with the adapter.
std::string RefName(const Case& tc) { return std::string(tc.model) + (tc.adapter ? "+lora" : ""); }

Result<std::unique_ptr<Model>> LoadCase(const Case& tc) {
  std::vector<std::string> adapters;
  if (tc.adapter)
    adapters.push_back(testing::TestdataPath(std::string("models/") + tc.adapter + ".gguf"));
  return Model::Load(testing::TestdataPath(std::string("models/") + tc.model + ".gguf"), adapters);
}

struct Reference {
  std::vector<TokenId> tokens;
  std::vector<float> logits;
  std::vector<float> top2_gap;
  double max_abs = 0;
  size_t n_vocab = 0;
};

Reference LoadReference(const std::string& model) {
  Reference r;
  auto j = nlohmann::json::parse(
      testing::ReadFileOrFail(testing::TestdataPath("ref/" + model + ".logits.json")));
  r.tokens = j["tokens"].get<std::vector<TokenId>>();
  r.top2_gap = j["top2_gap"].get<std::vector<float>>();
  r.max_abs = j["max_abs"].get<double>();
  r.n_vocab = j["n_vocab"].get<size_t>();
  r.logits = testing::ReadF32File(testing::TestdataPath("ref/" + model + ".logits.bin"));
  return r;
}

size_t Argmax(const float* x, size_t n) {
  return static_cast<size_t>(std::max_element(x, x + n) - x);
}

struct Comparison {
  double rel_err = 0;          // max |Δ| / max |logit|
  size_t argmax_mismatch = 0;  // at positions whose reference top-2 gap is clear
};

Comparison Compare(const Reference& ref, const std::vector<float>& got, double tol) {
  Comparison c;
  double max_diff = 0;
  for (size_t i = 0; i < got.size(); ++i)
    max_diff = std::max(max_diff, std::fabs(double(got[i]) - ref.logits[i]));
  c.rel_err = max_diff / ref.max_abs;
  for (size_t p = 0; p < ref.tokens.size(); ++p) {
    if (ref.top2_gap[p] <= 2 * tol * ref.max_abs) continue;
    if (Argmax(&got[p * ref.n_vocab], ref.n_vocab) !=
        Argmax(&ref.logits[p * ref.n_vocab], ref.n_vocab))
      ++c.argmax_mismatch;
  }
  return c;
}

class FidelityTest : public ::testing::TestWithParam<Case> {};

TEST_P(FidelityTest, AllPositionLogitsMatchReferenceInOneBatch) {
  const Case& tc = GetParam();
  auto model = LoadCase(tc);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  Reference ref = LoadReference(RefName(tc));
  ASSERT_EQ((*model)->config().n_vocab, ref.n_vocab);
  ThreadPool pool(2);
  ContextParams params;
  params.n_ctx = 256;
  params.kv_type = tensor::DType::kF32;  // as the reference
  auto ctx = Context::Create(**model, params, pool);
  ASSERT_TRUE(ctx.ok()) << ctx.status().ToString();
  std::vector<float> logits;
  ASSERT_TRUE((*ctx)->Decode(ref.tokens, true, &logits).ok());
  ASSERT_EQ(logits.size(), ref.logits.size());
  Comparison c = Compare(ref, logits, tc.tol);
  std::printf(
      "[fidelity] %-28s one batch: max|d|/max|logit| = %.3g (tol %.0e), clear-argmax mismatches "
      "%zu\n",
      RefName(tc).c_str(), c.rel_err, tc.tol, c.argmax_mismatch);
  EXPECT_LE(c.rel_err, tc.tol);
  EXPECT_EQ(c.argmax_mismatch, 0u);
}

TEST_P(FidelityTest, SplitBatchesThroughTheCacheStayWithinTolerance) {
  const Case& tc = GetParam();
  auto model = LoadCase(tc);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  Reference ref = LoadReference(RefName(tc));
  // Batches of 7 tokens go through the KV cache several times; with an F16 cache the keys and
  // values are rounded to F16, so the F16 tolerance applies at least; a Q8_0 cache (8-bit keys
  // and values, where the model's head size allows it) adds up to 3e-2 to the weights' error.
  for (tensor::DType kv_type : {tensor::DType::kF32, tensor::DType::kF16, tensor::DType::kQ8_0}) {
    if (!KvCache::SupportsType((*model)->config(), kv_type)) continue;
    const double tol = kv_type == tensor::DType::kF16    ? std::max(tc.tol, 3e-3)
                       : kv_type == tensor::DType::kQ8_0 ? tc.tol + 3e-2
                                                         : tc.tol;
    ThreadPool pool(kv_type == tensor::DType::kF16 ? 1 : 2);
    ContextParams params;
    params.n_ctx = 256;
    params.n_batch = 7;
    params.kv_type = kv_type;
    auto ctx = Context::Create(**model, params, pool);
    ASSERT_TRUE(ctx.ok());
    std::vector<float> logits;
    ASSERT_TRUE((*ctx)->Decode(ref.tokens, true, &logits).ok());
    Comparison c = Compare(ref, logits, tol);
    std::printf("[fidelity] %-28s batches of 7, %s cache, %zu thread(s): %.3g (tol %.0e)\n",
                RefName(tc).c_str(), std::string(tensor::Name(kv_type)).c_str(), pool.size(),
                c.rel_err, tol);
    EXPECT_LE(c.rel_err, tol) << tensor::Name(kv_type);
  }
}

TEST_P(FidelityTest, GreedyTokenByTokenMatchesReference) {
  const Case& tc = GetParam();
  auto model = LoadCase(tc);
  ASSERT_TRUE(model.ok());
  auto j = nlohmann::json::parse(
      testing::ReadFileOrFail(testing::TestdataPath("ref/" + RefName(tc) + ".greedy.json")));
  auto prompt = j["prompt_tokens"].get<std::vector<TokenId>>();
  auto want = j["generated_tokens"].get<std::vector<TokenId>>();
  ThreadPool pool(2);
  ContextParams params;
  params.n_ctx = 256;
  params.kv_type = tensor::DType::kF32;
  auto ctx = Context::Create(**model, params, pool);
  ASSERT_TRUE(ctx.ok());
  std::vector<float> logits;
  ASSERT_TRUE((*ctx)->Decode(prompt, false, &logits).ok());
  const size_t n_vocab = (*model)->config().n_vocab;
  for (size_t i = 0; i < want.size(); ++i) {
    TokenId next = static_cast<TokenId>(Argmax(logits.data(), n_vocab));
    if (next != want[i]) {
      // Allowed only at a near-tie: the reference's token must be within tolerance of our best.
      std::vector<float> sorted(logits);
      std::sort(sorted.begin(), sorted.end(), std::greater<float>());
      const double gap = logits[next] - logits[want[i]];
      std::printf("[fidelity] %s greedy diverges at step %zu (gap %.3g)\n", RefName(tc).c_str(), i,
                  gap);
      EXPECT_LE(gap, 2 * tc.tol * (std::fabs(sorted[0]) + 1)) << "step " << i;
      return;
    }
    ASSERT_TRUE((*ctx)->Decode(std::span<const TokenId>(&next, 1), false, &logits).ok());
  }
}

INSTANTIATE_TEST_SUITE_P(Models, FidelityTest, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& param_info) {
                           std::string name = RefName(param_info.param);
                           std::replace(name.begin(), name.end(), '+', '_');
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

}  // namespace
}  // namespace olla::engine
