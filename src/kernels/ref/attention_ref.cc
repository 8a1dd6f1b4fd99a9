#include "kernels/ref/attention_ref.h"

#include <cmath>
#include <limits>
#include <vector>

#include "kernels/ops.h"
#include "tensor/half.h"

namespace olla::kernels::ref {

using tensor::F16ToF32;
using tensor::F32ToF16;

void Attention(const float* q, size_t n_tok, const int32_t* pos, const KvView& kv, const AttentionParams& p,
               float* out) {
  const bool f16 = kv.type == tensor::DType::kF16;
  const size_t elem = f16 ? 2 : 4;
  const size_t k_row = p.n_head_kv * p.head_dim, v_row = p.n_head_kv * p.head_dim_v;
  const size_t group = p.n_head / p.n_head_kv;
  std::vector<float> scores(kv.n_kv), qv(p.head_dim), acc(p.head_dim_v);
  for (size_t t = 0; t < n_tok; ++t) {
    for (size_t h = 0; h < p.n_head; ++h) {
      const size_t kvh = h / group;
      const float* qh = q + (t * p.n_head + h) * p.head_dim;
      for (size_t d = 0; d < p.head_dim; ++d) qv[d] = f16 ? F16ToF32(F32ToF16(qh[d])) : qh[d];
      const size_t last = static_cast<size_t>(pos[t]);
      const size_t n = !p.causal ? kv.n_kv : last + 1 < kv.n_kv ? last + 1 : kv.n_kv;
      for (size_t j = 0; j < n; ++j) {
        float s = 0;
        if (f16) {
          const auto* kr = reinterpret_cast<const uint16_t*>(kv.k + (j * k_row + kvh * p.head_dim) * elem);
          for (size_t d = 0; d < p.head_dim; ++d) s += F16ToF32(kr[d]) * qv[d];
        } else {
          const auto* kr = reinterpret_cast<const float*>(kv.k) + j * k_row + kvh * p.head_dim;
          for (size_t d = 0; d < p.head_dim; ++d) s += kr[d] * qv[d];
        }
        s *= p.scale;
        if (p.softcap > 0) s = p.softcap * std::tanh(s / p.softcap);
        if (p.window > 0 && j <= last && last - j >= p.window) s = -std::numeric_limits<float>::infinity();
        scores[j] = s;
      }
      SoftmaxInPlace(scores.data(), n);
      std::fill(acc.begin(), acc.end(), 0.0f);
      for (size_t j = 0; j < n; ++j) {
        const float w = f16 ? F16ToF32(F32ToF16(scores[j])) : scores[j];
        if (w == 0.0f) continue;
        if (f16) {
          const auto* vr = reinterpret_cast<const uint16_t*>(kv.v + (j * v_row + kvh * p.head_dim_v) * elem);
          for (size_t d = 0; d < p.head_dim_v; ++d) acc[d] += w * F16ToF32(vr[d]);
        } else {
          const auto* vr = reinterpret_cast<const float*>(kv.v) + j * v_row + kvh * p.head_dim_v;
          for (size_t d = 0; d < p.head_dim_v; ++d) acc[d] += w * vr[d];
        }
      }
      float* o = out + (t * p.n_head + h) * p.head_dim_v;
      for (size_t d = 0; d < p.head_dim_v; ++d) o[d] = acc[d];
    }
  }
}

}  // namespace olla::kernels::ref
