#include "kernels/ref/attention_ref.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "kernels/ops.h"
#include "tensor/blocks.h"
#include "tensor/half.h"

namespace olla::kernels::ref {

using tensor::F16ToF32;
using tensor::F32ToF16;

namespace {

// Elements [off, off + dim) of row j of a cache with rows of `row_elems` elements, as F32.
void LoadRow(const KvView& kv, const uint8_t* base, size_t row_elems, size_t j, size_t off,
             size_t dim, float* out) {
  const uint8_t* row = base + j * KvRowBytes(kv.type, row_elems);
  switch (kv.type) {
    case tensor::DType::kF16: {
      const auto* r = reinterpret_cast<const uint16_t*>(row) + off;
      for (size_t d = 0; d < dim; ++d) out[d] = F16ToF32(r[d]);
      break;
    }
    case tensor::DType::kQ8_0: {
      for (size_t d = 0; d < dim; ++d) {
        const size_t e = off + d;
        const auto* blk = reinterpret_cast<const tensor::BlockQ8_0*>(row) + e / 32;
        out[d] = F16ToF32(blk->d) * static_cast<float>(blk->qs[e % 32]);
      }
      break;
    }
    default: {
      const auto* r = reinterpret_cast<const float*>(row) + off;
      for (size_t d = 0; d < dim; ++d) out[d] = r[d];
    }
  }
}

}  // namespace

void Attention(const float* q, size_t n_tok, const int32_t* pos, const KvView& kv,
               const AttentionParams& p, float* out) {
  const bool f16 = kv.type == tensor::DType::kF16;
  const size_t k_row = p.n_head_kv * p.head_dim, v_row = p.n_head_kv * p.head_dim_v;
  const size_t group = p.n_head / p.n_head_kv;
  std::vector<float> scores(kv.n_kv + 1), qv(p.head_dim), acc(p.head_dim_v),
      row(std::max(p.head_dim, p.head_dim_v));
  for (size_t t = 0; t < n_tok; ++t) {
    for (size_t h = 0; h < p.n_head; ++h) {
      const size_t kvh = h / group;
      const float* qh = q + (t * p.n_head + h) * p.head_dim;
      for (size_t d = 0; d < p.head_dim; ++d) qv[d] = f16 ? F16ToF32(F32ToF16(qh[d])) : qh[d];
      const size_t last = static_cast<size_t>(pos[t]);
      const size_t n = !p.causal ? kv.n_kv : last + 1 < kv.n_kv ? last + 1 : kv.n_kv;
      for (size_t j = 0; j < n; ++j) {
        float s = 0;
        LoadRow(kv, kv.k, k_row, j, kvh * p.head_dim, p.head_dim, row.data());
        for (size_t d = 0; d < p.head_dim; ++d) s += row[d] * qv[d];
        s *= p.scale;
        if (p.softcap > 0) s = p.softcap * std::tanh(s / p.softcap);
        if (p.window > 0 && (j <= last ? last - j : j - last) >= p.window)
          s = -std::numeric_limits<float>::infinity();
        scores[j] = s;
      }
      // A sink is one more score in the softmax, with no value (ggml_soft_max_ext's sinks).
      if (p.sinks) scores[n] = p.sinks[h];
      SoftmaxInPlace(scores.data(), p.sinks ? n + 1 : n);
      std::fill(acc.begin(), acc.end(), 0.0f);
      for (size_t j = 0; j < n; ++j) {
        const float w = f16 ? F16ToF32(F32ToF16(scores[j])) : scores[j];
        if (w == 0.0f) continue;
        LoadRow(kv, kv.v, v_row, j, kvh * p.head_dim_v, p.head_dim_v, row.data());
        for (size_t d = 0; d < p.head_dim_v; ++d) acc[d] += w * row[d];
      }
      float* o = out + (t * p.n_head + h) * p.head_dim_v;
      for (size_t d = 0; d < p.head_dim_v; ++d) o[d] = acc[d];
    }
  }
}

}  // namespace olla::kernels::ref
