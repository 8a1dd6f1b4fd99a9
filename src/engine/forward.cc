// The one forward pass of every decoder architecture (DESIGN.md C5): differences between families
// are ModelConfig fields, never copies of this function.

#include <cmath>

#include "engine/context.h"
#include "kernels/attention.h"
#include "kernels/ops.h"

namespace olla::engine {

void Context::Forward(const TokenId* tokens, size_t n, size_t logits_from, float* logits) {
  const ModelConfig& c = model_.config();
  const ModelWeights& w = model_.weights();
  Activations& a = act_;
  const size_t n_past0 = kv_.n_used();
  for (size_t t = 0; t < n; ++t) a.pos[t] = static_cast<int32_t>(n_past0 + t);

  // Token embeddings: x [n, n_embd].
  for (size_t t = 0; t < n; ++t) {
    kernels::GetRow(w.token_embd, static_cast<size_t>(tokens[t]), a.x.data() + t * c.n_embd);
    if (c.embd_scale != 1.0f)
      for (size_t i = 0; i < c.n_embd; ++i) a.x[t * c.n_embd + i] *= c.embd_scale;
  }

  kernels::AttentionParams ap;
  ap.n_head = c.n_head;
  ap.n_head_kv = c.n_head_kv;
  ap.head_dim = c.head_dim;
  ap.head_dim_v = c.head_dim_v;
  ap.scale = c.attn_scale > 0 ? c.attn_scale : 1.0f / std::sqrt(static_cast<float>(c.head_dim));

  for (size_t il = 0; il < c.n_layer; ++il) {
    const LayerWeights& lw = w.layers[il];
    // Attention block: xb = norm(x); q, k, v = xb W; rope; cache; attend; x += attn Wo.
    kernels::RmsNorm(a.x.data(), lw.attn_norm.data, n, c.n_embd, c.norm_eps, a.xb.data());
    kernels::MatMul(lw.wq, a.xb.data(), n, a.q.data(), pool_);
    kernels::MatMul(lw.wk, a.xb.data(), n, a.k.data(), pool_);
    kernels::MatMul(lw.wv, a.xb.data(), n, a.v.data(), pool_);
    kernels::Rope(a.q.data(), n, c.n_head, c.head_dim, a.pos.data(), c.rope);
    kernels::Rope(a.k.data(), n, c.n_head_kv, c.head_dim, a.pos.data(), c.rope);
    kv_.Store(il, n_past0, n, a.k.data(), a.v.data());
    kernels::Attention(a.q.data(), n, a.pos.data(), kv_.View(il, n_past0 + n), ap, a.attn.data(), pool_);
    kernels::MatMul(lw.wo, a.attn.data(), n, a.xb.data(), pool_);
    kernels::AddInPlace(a.x.data(), a.xb.data(), n * c.n_embd);

    // Feed-forward block: x += act(xb Wgate) * (xb Wup) Wdown.
    kernels::RmsNorm(a.x.data(), lw.ffn_norm.data, n, c.n_embd, c.norm_eps, a.xb.data());
    kernels::MatMul(lw.ffn_gate, a.xb.data(), n, a.gate.data(), pool_);
    kernels::MatMul(lw.ffn_up, a.xb.data(), n, a.up.data(), pool_);
    if (c.ffn_act == FfnActivation::kSilu) {
      kernels::SwiGlu(a.gate.data(), a.up.data(), a.gate.data(), n * c.n_ff);
    } else {
      kernels::GeGlu(a.gate.data(), a.up.data(), a.gate.data(), n * c.n_ff);
    }
    kernels::MatMul(lw.ffn_down, a.gate.data(), n, a.xb.data(), pool_);
    kernels::AddInPlace(a.x.data(), a.xb.data(), n * c.n_embd);
  }
  kv_.SetUsed(n_past0 + n);

  if (logits_from >= n) return;
  const size_t n_out = n - logits_from;
  float* x_out = a.x.data() + logits_from * c.n_embd;
  kernels::RmsNorm(x_out, w.output_norm.data, n_out, c.n_embd, c.norm_eps, a.xb.data());
  kernels::MatMul(w.output, a.xb.data(), n_out, logits, pool_);
}

}  // namespace olla::engine
