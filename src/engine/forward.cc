// The one forward pass of every architecture (CONVENTIONS.md C5): differences between families are
// ModelConfig flags, never copies of this function. One layer is
//   attention block: [norm] -> q, k, v (+bias) -> [q/k norm] -> [rope] -> attend -> Wo (+bias)
//                    -> [post norm] -> [× residual_scale] -> residual add -> [post-residual norm]
//   FFN block:       [norm] -> gate/up (+bias) -> act -> down (+bias) -> [post norm]
//                    (or the mixture of experts of engine/moe.cc in place of gate..down)
//                    -> [× residual_scale] -> residual add -> [post-residual norm]
// where the block's norm comes before it (kPre: llama, qwen, gemma, phi3) or after the residual
// add (kPost: BERT), and the "post norm" is gemma2/3's sandwich norm of the branch output.
// Encoder-only BERT shares this path: its differences are the input embeddings, the norm
// placement, biases and a non-gated FFN, each one `if` here, which reads better than a second
// copy of the whole layer.

#include <cmath>

#include "base/check.h"
#include "engine/context.h"
#include "kernels/attention.h"
#include "kernels/ops.h"

namespace olla::engine {
namespace {

// y = norm(x) with the model's norm kind, scale and bias. x, y: [n_rows, dim]; may alias.
void Norm(const ModelConfig& c, const NormWeights& nw, const float* x, size_t n_rows, size_t dim,
          float* y) {
  if (c.norm == NormKind::kLayer) {
    kernels::LayerNorm(x, nw.weight.data, nw.bias.data, n_rows, dim, c.norm_eps, y);
    return;
  }
  kernels::RmsNorm(x, nw.weight.data, n_rows, dim, c.norm_eps, y);
  if (nw.bias.data)
    for (size_t r = 0; r < n_rows; ++r) kernels::AddInPlace(y + r * dim, nw.bias.data, dim);
}

// x[i] *= s for i < n; nothing when s is 1 (granite's residual and logit multipliers).
void ScaleInPlace(float* x, size_t n, float s) {
  if (s == 1.0f) return;
  for (size_t i = 0; i < n; ++i) x[i] *= s;
}

// y[r, :] += b[:] for r < n_rows; nothing when the bias is absent. y: [n_rows, b.n].
void AddBias(float* y, const Vec& b, size_t n_rows) {
  if (!b.data) return;
  for (size_t r = 0; r < n_rows; ++r) kernels::AddInPlace(y + r * b.n, b.data, b.n);
}

}  // namespace

const float* Context::Forward(const TokenId* tokens, size_t n) {
  const ModelConfig& c = model_.config();
  const ModelWeights& w = model_.weights();
  Activations& a = act_;
  const size_t n_embd = c.n_embd;
  const size_t n_past0 = kv_.n_used();
  for (size_t t = 0; t < n; ++t) a.pos[t] = static_cast<int32_t>(n_past0 + t);

  // Input embeddings: x [n, n_embd].
  for (size_t t = 0; t < n; ++t) {
    float* xt = a.x.data() + t * n_embd;
    kernels::GetRow(w.token_embd, static_cast<size_t>(tokens[t]), xt);
    if (c.embd_scale != 1.0f)
      for (size_t i = 0; i < n_embd; ++i) xt[i] *= c.embd_scale;
    if (c.token_types) {  // segment A for every token
      kernels::GetRow(w.token_types, 0, a.xb.data());
      kernels::AddInPlace(xt, a.xb.data(), n_embd);
    }
    if (c.position_embd) {
      kernels::GetRow(w.position_embd, static_cast<size_t>(a.pos[t]), a.xb.data());
      kernels::AddInPlace(xt, a.xb.data(), n_embd);
    }
  }
  if (c.embd_norm) Norm(c, w.embd_norm, a.x.data(), n, n_embd, a.x.data());

  kernels::AttentionParams ap;
  ap.n_head = c.n_head;
  ap.n_head_kv = c.n_head_kv;
  ap.head_dim = c.head_dim;
  ap.head_dim_v = c.head_dim_v;
  ap.scale = c.attn_scale > 0 ? c.attn_scale : 1.0f / std::sqrt(static_cast<float>(c.head_dim));
  ap.softcap = c.attn_softcap;
  ap.causal = c.causal;
  const bool pre = c.norm_placement == NormPlacement::kPre;
  const bool post = c.norm_placement == NormPlacement::kPost;

  for (size_t il = 0; il < c.n_layer; ++il) {
    const LayerWeights& lw = w.layers[il];
    const LayerConfig& lc = c.layers[il];

    // ---- Attention block ----
    const float* in = a.x.data();
    if (pre) {
      Norm(c, lw.attn_norm, a.x.data(), n, n_embd, a.xb.data());
      in = a.xb.data();
    }
    const LayerLora& ll = model_.lora(il);
    Project(lw.wq, ll.wq, in, n, a.q.data());
    Project(lw.wk, ll.wk, in, n, a.k.data());
    Project(lw.wv, ll.wv, in, n, a.v.data());
    AddBias(a.q.data(), lw.bq, n);
    AddBias(a.k.data(), lw.bk, n);
    AddBias(a.v.data(), lw.bv, n);
    if (c.qk_norm) {  // each head's vector normalized on its own (rows of head_dim), or each
                      // token's whole projection with qk_norm_full
      const size_t q_row = c.qk_norm_full ? c.q_dim() : c.head_dim;
      const size_t k_row = c.qk_norm_full ? c.kv_dim() : c.head_dim;
      kernels::RmsNorm(a.q.data(), lw.attn_q_norm.data, n * c.q_dim() / q_row, q_row, c.norm_eps,
                       a.q.data());
      kernels::RmsNorm(a.k.data(), lw.attn_k_norm.data, n * c.kv_dim() / k_row, k_row, c.norm_eps,
                       a.k.data());
    }
    if (c.use_rope) {
      const kernels::RopeParams& rope = lc.local ? c.rope_local : c.rope;
      kernels::Rope(a.q.data(), n, c.n_head, c.head_dim, a.pos.data(), rope);
      kernels::Rope(a.k.data(), n, c.n_head_kv, c.head_dim, a.pos.data(), rope);
    }
    ap.window = lc.local ? c.sliding_window : 0;
    ap.sinks = lw.attn_sinks.data;
    if (c.causal) {
      kv_.Store(il, n_past0, n, a.k.data(), a.v.data());
      kernels::Attention(a.q.data(), n, a.pos.data(), kv_.View(il, n_past0 + n), ap, a.attn.data(),
                         pool_);
    } else {
      // Non-causal (encoders): the whole input is one batch (Context::Embed), attending to its
      // own keys and values in F32, as llama.cpp's cache-less encoder path.
      OLLA_CHECK(n_past0 == 0);
      kernels::KvView self{.type = tensor::DType::kF32,
                           .k = reinterpret_cast<const uint8_t*>(a.k.data()),
                           .v = reinterpret_cast<const uint8_t*>(a.v.data()),
                           .n_kv = n};
      kernels::Attention(a.q.data(), n, a.pos.data(), self, ap, a.attn.data(), pool_);
    }
    Project(lw.wo, ll.wo, a.attn.data(), n, a.xb.data());
    AddBias(a.xb.data(), lw.bo, n);
    if (c.post_attn_norm) Norm(c, lw.post_attn_norm, a.xb.data(), n, n_embd, a.xb.data());
    ScaleInPlace(a.xb.data(), n * n_embd, c.residual_scale);
    kernels::AddInPlace(a.x.data(), a.xb.data(), n * n_embd);
    if (post) Norm(c, lw.attn_norm, a.x.data(), n, n_embd, a.x.data());

    // ---- Feed-forward block ----
    in = a.x.data();
    if (pre) {
      Norm(c, lw.ffn_norm, a.x.data(), n, n_embd, a.xb.data());
      in = a.xb.data();
    }
    if (c.n_expert > 0) {
      MoeFfn(c, lw, in, n, a.xb.data(), a.moe, pool_);
    } else {
      Project(lw.ffn_up, ll.ffn_up, in, n, a.up.data());
      AddBias(a.up.data(), lw.ffn_up_b, n);
      if (c.ffn_gated) {
        Project(lw.ffn_gate, ll.ffn_gate, in, n, a.gate.data());
        if (c.ffn_act == FfnActivation::kSilu) {
          kernels::SwiGlu(a.gate.data(), a.up.data(), a.up.data(), n * c.n_ff);
        } else {
          kernels::GeGlu(a.gate.data(), a.up.data(), a.up.data(), n * c.n_ff);
        }
      } else {
        kernels::GeluInPlace(a.up.data(), n * c.n_ff);  // non-gated FFNs (BERT) use GELU
      }
      Project(lw.ffn_down, ll.ffn_down, a.up.data(), n, a.xb.data());
      AddBias(a.xb.data(), lw.ffn_down_b, n);
    }
    if (c.post_ffn_norm) Norm(c, lw.post_ffn_norm, a.xb.data(), n, n_embd, a.xb.data());
    ScaleInPlace(a.xb.data(), n * n_embd, c.residual_scale);
    kernels::AddInPlace(a.x.data(), a.xb.data(), n * n_embd);
    if (post) Norm(c, lw.ffn_norm, a.x.data(), n, n_embd, a.x.data());
  }
  if (c.causal) kv_.SetUsed(n_past0 + n);

  if (!c.output_norm) return a.x.data();
  Norm(c, w.output_norm, a.x.data(), n, n_embd, a.xb.data());
  return a.xb.data();
}

void Context::Logits(const float* hidden, size_t n, float* logits) {
  const ModelConfig& c = model_.config();
  kernels::MatMul(model_.weights().output, hidden, n, logits, pool_);
  ScaleInPlace(logits, n * c.n_vocab, 1.0f / c.logit_scale);
  if (c.final_softcap > 0) kernels::SoftcapInPlace(logits, n * c.n_vocab, c.final_softcap);
}

}  // namespace olla::engine
