#include "engine/moe.h"

#include <algorithm>
#include <numeric>

#include "kernels/ops.h"

namespace olla::engine {

void MoeScratch::ResizeFor(const ModelConfig& c, size_t n_batch) {
  input.resize(n_batch * c.n_embd);
  logits.resize(n_batch * c.n_expert);
  chosen.resize(n_batch * c.n_expert_used);
  weight.resize(n_batch * c.n_expert_used);
  xs.resize(n_batch * c.n_embd);
  gate.resize(n_batch * c.n_ff_exp);
  up.resize(n_batch * c.n_ff_exp);
  down.resize(n_batch * c.n_embd);
  token.reserve(n_batch * c.n_expert_used);
  token_w.reserve(n_batch * c.n_expert_used);
  first.reserve(c.n_expert + 1);
  next.reserve(c.n_expert);
}

void RouteToken(const ModelConfig& c, float* logits, int32_t* chosen, float* weight) {
  const size_t n_exp = c.n_expert, k = c.n_expert_used;
  // kSoftmax ranks the probabilities, kSoftmaxTopK the logits: the same order either way.
  if (c.expert_gating == ExpertGating::kSoftmax) kernels::SoftmaxInPlace(logits, n_exp);
  int32_t order[kMaxExperts];
  std::iota(order, order + n_exp, 0);
  // Highest first; on ties the lower expert id, so the choice never depends on the sort.
  std::partial_sort(order, order + k, order + n_exp, [&](int32_t a, int32_t b) {
    return logits[a] > logits[b] || (logits[a] == logits[b] && a < b);
  });
  for (size_t i = 0; i < k; ++i) {
    chosen[i] = order[i];
    weight[i] = logits[order[i]];
  }
  if (c.expert_gating == ExpertGating::kSoftmaxTopK) kernels::SoftmaxInPlace(weight, k);
  if (c.expert_weights_norm) {
    float sum = 0;
    for (size_t i = 0; i < k; ++i) sum += weight[i];
    for (size_t i = 0; i < k; ++i) weight[i] /= sum;
  }
}

void MoeFfn(const ModelConfig& c, const LayerWeights& lw, const float* x, size_t n, float* out,
            MoeScratch& s, ThreadPool& pool) {
  const size_t n_embd = c.n_embd, n_ff = c.n_ff_exp, k = c.n_expert_used;
  if (x == out) {
    std::copy_n(x, n * n_embd, s.input.data());
    x = s.input.data();
  }
  kernels::MatMul(lw.ffn_gate_inp, x, n, s.logits.data(), pool);
  for (size_t t = 0; t < n; ++t) {
    float* lt = s.logits.data() + t * c.n_expert;
    if (lw.ffn_gate_inp_b.data) kernels::AddInPlace(lt, lw.ffn_gate_inp_b.data, c.n_expert);
    RouteToken(c, lt, s.chosen.data() + t * k, s.weight.data() + t * k);
  }
  // Every (token, weight) route grouped by expert in one counting pass, tokens in order within
  // an expert: expert e's routes are [first[e], first[e + 1]).
  s.first.assign(c.n_expert + 1, 0);
  for (size_t r = 0; r < n * k; ++r) ++s.first[static_cast<size_t>(s.chosen[r]) + 1];
  for (size_t e = 0; e < c.n_expert; ++e) s.first[e + 1] += s.first[e];
  s.token.resize(n * k);
  s.token_w.resize(n * k);
  s.next.assign(s.first.begin(), s.first.end() - 1);
  for (size_t r = 0; r < n * k; ++r) {
    const size_t slot = s.next[static_cast<size_t>(s.chosen[r])]++;
    s.token[slot] = static_cast<uint32_t>(r / k);
    s.token_w[slot] = s.weight[r];
  }
  std::fill(out, out + n * n_embd, 0.0f);
  for (size_t e = 0; e < c.n_expert; ++e) {
    const size_t begin = s.first[e], m = s.first[e + 1] - begin;
    if (m == 0) continue;  // an expert no token chose is never read
    const uint32_t* token = s.token.data() + begin;
    const float* token_w = s.token_w.data() + begin;
    for (size_t j = 0; j < m; ++j)
      std::copy_n(x + token[j] * n_embd, n_embd, s.xs.data() + j * n_embd);
    kernels::MatMul(lw.gate_exps[e], s.xs.data(), m, s.gate.data(), pool);
    kernels::MatMul(lw.up_exps[e], s.xs.data(), m, s.up.data(), pool);
    if (c.expert_bias) {
      for (size_t j = 0; j < m; ++j) {
        kernels::AddInPlace(s.gate.data() + j * n_ff, lw.gate_exps_b.data + e * n_ff, n_ff);
        kernels::AddInPlace(s.up.data() + j * n_ff, lw.up_exps_b.data + e * n_ff, n_ff);
      }
    }
    if (c.ffn_act == FfnActivation::kSwigluOai) {
      kernels::SwiGluOai(s.gate.data(), s.up.data(), s.up.data(), m * n_ff, c.swiglu_alpha,
                         c.swiglu_limit);
    } else {
      kernels::SwiGlu(s.gate.data(), s.up.data(), s.up.data(), m * n_ff);
    }
    kernels::MatMul(lw.down_exps[e], s.up.data(), m, s.down.data(), pool);
    for (size_t j = 0; j < m; ++j) {
      float* d = s.down.data() + j * n_embd;
      if (c.expert_bias) kernels::AddInPlace(d, lw.down_exps_b.data + e * n_embd, n_embd);
      float* o = out + token[j] * n_embd;
      const float w = token_w[j];
      for (size_t i = 0; i < n_embd; ++i) o[i] += w * d[i];
    }
  }
}

}  // namespace olla::engine
