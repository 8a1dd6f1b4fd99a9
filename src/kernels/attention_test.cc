// The fused attention against the two-pass scalar reference (ref/attention_ref.h) on every
// Highway target. Outputs are convex combinations of value rows, so budgets are relative to
// max |v|:
//   F32 cache: 2e-6 (exp is within 1 ulp; only the order of sums differs);
//   F16 cache: 2^-10 (the reference rounds each probability to F16 before weighting the values,
//              as ggml's non-fused path does; the fused kernel keeps them in F32);
//   Q8_0 cache: 2e-6 (both read the same quantized rows; only the order of sums differs).

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "hwy/targets.h"
#include "kernels/attention.h"
#include "kernels/ref/attention_ref.h"
#include "tensor/blocks.h"
#include "tensor/half.h"
#include "tensor/quantize.h"

namespace olla::kernels {
namespace {

using tensor::DType;

std::vector<float> RandomVector(size_t n, std::mt19937& rng, float scale) {
  std::normal_distribution<float> dist(0.0f, scale);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(rng);
  return v;
}

struct Case {
  size_t n_head, n_head_kv, head_dim, n_tok, n_past;
  bool causal;
  size_t window;
  float softcap;
  bool sinks = false;
};

void CheckCase(const Case& c, DType kv_type) {
  std::mt19937 rng(static_cast<uint32_t>(c.n_head * 131 + c.head_dim * 7 + c.n_tok));
  const size_t n_kv = c.n_past + c.n_tok;
  const size_t kv_dim = c.n_head_kv * c.head_dim;
  std::vector<float> q = RandomVector(c.n_tok * c.n_head * c.head_dim, rng, 1.0f);
  std::vector<float> k = RandomVector(n_kv * kv_dim, rng, 1.0f),
                     v = RandomVector(n_kv * kv_dim, rng, 1.0f);
  std::vector<uint16_t> k16(k.size()), v16(v.size());
  std::vector<tensor::BlockQ8_0> k8(k.size() / 32), v8(v.size() / 32);
  const bool q8 = kv_type == DType::kQ8_0;
  if (q8) {
    tensor::QuantizeRowQ8_0(k.data(), k8.data(), k.size());
    tensor::QuantizeRowQ8_0(v.data(), v8.data(), v.size());
  }
  float vmax = 0;
  for (size_t i = 0; i < k.size(); ++i) {
    k16[i] = tensor::F32ToF16(k[i]);
    v16[i] = tensor::F32ToF16(v[i]);
    vmax = std::max(vmax, std::fabs(v[i]));
  }
  const bool f16 = kv_type == DType::kF16;
  auto bytes = [](const auto& vec) { return reinterpret_cast<const uint8_t*>(vec.data()); };
  KvView kv{.type = kv_type,
            .k = f16  ? bytes(k16)
                 : q8 ? bytes(k8)
                      : bytes(k),
            .v = f16  ? bytes(v16)
                 : q8 ? bytes(v8)
                      : bytes(v),
            .n_kv = n_kv};
  AttentionParams p{.n_head = c.n_head,
                    .n_head_kv = c.n_head_kv,
                    .head_dim = c.head_dim,
                    .head_dim_v = c.head_dim,
                    .scale = 1.0f / std::sqrt(static_cast<float>(c.head_dim)),
                    .softcap = c.softcap,
                    .window = c.window,
                    .causal = c.causal};
  // Sinks of either sign and sizes, one per head: some dominate their softmax, some vanish.
  std::vector<float> sinks = RandomVector(c.n_head, rng, 4.0f);
  if (c.sinks) p.sinks = sinks.data();
  std::vector<int32_t> pos(c.n_tok);
  for (size_t t = 0; t < c.n_tok; ++t) pos[t] = static_cast<int32_t>(c.n_past + t);
  std::vector<float> want(c.n_tok * c.n_head * c.head_dim), got(want.size());
  ref::Attention(q.data(), c.n_tok, pos.data(), kv, p, want.data());
  ThreadPool pool(3);
  Attention(q.data(), c.n_tok, pos.data(), kv, p, got.data(), pool);
  const double budget = (f16 ? std::ldexp(1.0, -10) : 2e-6) * vmax;
  size_t bad = 0;
  for (size_t i = 0; i < got.size() && bad < 3; ++i) {
    if (!(std::fabs(got[i] - want[i]) <= budget)) {
      ++bad;
      ADD_FAILURE() << tensor::Name(kv_type) << " heads " << c.n_head << "/" << c.n_head_kv
                    << " dim " << c.head_dim << " n_tok " << c.n_tok << " past " << c.n_past
                    << " causal " << c.causal << " window " << c.window << " softcap " << c.softcap
                    << " sinks " << c.sinks << ": out " << i << " = " << got[i] << ", want "
                    << want[i];
    }
  }
}

TEST(AttentionTest, FusedMatchesReferenceOnEveryHighwayTarget) {
  const Case cases[] = {
      {1, 1, 8, 5, 0, true, 0, 0.0f},
      {4, 1, 64, 7, 3, true, 0, 0.0f},
      {8, 2, 64, 17, 9, true, 0, 0.0f},
      {32, 8, 64, 1, 40, true, 0, 0.0f},
      {32, 8, 64, 33, 0, true, 0, 0.0f},
      {6, 3, 80, 9, 4, true, 0, 0.0f},
      {32, 1, 16, 3, 5, true, 0, 0.0f},
      {4, 4, 32, 12, 0, false, 0, 0.0f},
      {4, 2, 32, 10, 20, true, 6, 0.0f},
      {8, 4, 256, 5, 11, true, 0, 50.0f},
      {2, 1, 64, 4, 2, false, 3, 0.0f},
      // gpt-oss: attention sinks, with and without a sliding window, grouped queries.
      {4, 2, 32, 17, 0, true, 8, 0.0f, true},
      {8, 2, 64, 5, 30, true, 0, 0.0f, true},
      {64, 8, 64, 1, 12, true, 0, 0.0f, true},
      // Non-causal with a symmetric window over several key blocks (gemma-embedding's local
      // layers): blocks wholly before or after a query's window are masked out.
      {4, 2, 32, 40, 0, false, 8, 0.0f},
  };
  for (int64_t target : hwy::SupportedAndGeneratedTargets()) {
    hwy::SetSupportedTargetsForTest(target);
    SCOPED_TRACE(hwy::TargetName(target));
    for (const Case& c : cases) {
      CheckCase(c, DType::kF32);
      CheckCase(c, DType::kF16);
      if (c.head_dim % 32 == 0) CheckCase(c, DType::kQ8_0);
    }
  }
  hwy::SetSupportedTargetsForTest(0);
}

}  // namespace
}  // namespace olla::kernels
