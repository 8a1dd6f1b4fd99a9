// Fused attention (flash-attention style): one pass over the keys in blocks, with an online
// softmax, so no [n_query, n_kv] score matrix exists. Vector lanes are queries: a job holds up to
// Lanes(float) (token, head) pairs that read the same KV head, so scores, the running max and sum
// and the output accumulators are all lane-wise, and each key and value element is broadcast
// once to all of them. With an F16 cache, queries are rounded to F16 first (as ggml rounds them
// for its F16 x F16 products); everything else is F32. A Q8_0 cache is widened block by block.

#if defined(OLLA_KERNELS_ATTENTION_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef OLLA_KERNELS_ATTENTION_INL_H_
#undef OLLA_KERNELS_ATTENTION_INL_H_
#else
#define OLLA_KERNELS_ATTENTION_INL_H_
#endif

#include <cmath>
#include <limits>

#include "hwy/contrib/math/math-inl.h"
#include "hwy/highway.h"
#include "kernels/attention.h"
#include "tensor/blocks.h"
#include "tensor/half.h"

HWY_BEFORE_NAMESPACE();
namespace olla {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Keys per block of the online softmax. The same on every target, so that every target rounds
// alike and a model's logits do not depend on the CPU (AVX2's 16 registers then spill some).
constexpr size_t kKeyBlock = 16;  // score vectors held in registers

// Rows [j0, j0 + n) of one KV head (`base`: its first element in row 0; rows `row_bytes` apart)
// widened to F32: out[n][dim].
template <class DF>
HWY_INLINE void WidenRows(DF df, const KvView& kv, const uint8_t* base, size_t row_bytes, size_t j0,
                          size_t n, size_t dim, float* out) {
  const size_t lanes = hn::Lanes(df);
  for (size_t j = 0; j < n; ++j) {
    float* o = out + j * dim;
    const uint8_t* row = base + (j0 + j) * row_bytes;
    if (kv.type == tensor::DType::kF16) {
      const auto* src = reinterpret_cast<const uint16_t*>(row);
      size_t d = 0;
      for (; d + lanes <= dim; d += lanes)
        hn::StoreU(hn::PromoteTo(df, hn::LoadU(hn::Rebind<hwy::float16_t, DF>(),
                                               reinterpret_cast<const hwy::float16_t*>(src + d))),
                   df, o + d);
      for (; d < dim; ++d) o[d] = tensor::F16ToF32(src[d]);
    } else if (kv.type == tensor::DType::kQ8_0) {
      // dim is a multiple of 32: whole blocks of x = d * q.
      const hn::Rebind<int8_t, DF> d8;
      const hn::Rebind<int32_t, DF> d32;
      const auto* blocks = reinterpret_cast<const tensor::BlockQ8_0*>(row);
      for (size_t b = 0; b < dim / 32; ++b) {
        const auto scale = hn::Set(df, tensor::F16ToF32(blocks[b].d));
        // lanes (1 to 16 on the targets we compile) divides the block's 32.
        for (size_t i = 0; i < 32; i += lanes)
          hn::StoreU(hn::Mul(scale, hn::ConvertTo(
                                        df, hn::PromoteTo(d32, hn::LoadU(d8, blocks[b].qs + i)))),
                     df, o + 32 * b + i);
      }
    } else {
      const auto* src = reinterpret_cast<const float*>(row);
      for (size_t d = 0; d < dim; ++d) o[d] = src[d];
    }
  }
}

// Queries per job (lanes), and the floats of scratch a job needs.
HWY_NOINLINE size_t AttnLanes() { return hn::Lanes(hn::ScalableTag<float>()); }
HWY_NOINLINE size_t AttnScratchFloats(size_t head_dim, size_t head_dim_v) {
  const size_t n = hn::Lanes(hn::ScalableTag<float>());
  return n * (head_dim + head_dim_v + kKeyBlock) + kKeyBlock * (head_dim + head_dim_v);
}

// y[i] = x[i] rounded to F16 and widened back (round to nearest even, as tensor::F32ToF16).
template <class DF>
HWY_INLINE void RoundToF16(DF df, const float* x, size_t n, float* y) {
  size_t i = 0;
#if HWY_TARGET == HWY_AVX2 || HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_NEON
  const hn::Rebind<hwy::float16_t, DF> dh;
  for (; i + hn::Lanes(df) <= n; i += hn::Lanes(df))
    hn::StoreU(hn::PromoteTo(df, hn::DemoteTo(dh, hn::LoadU(df, x + i))), df, y + i);
#else
  (void)df;
#endif
  for (; i < n; ++i) y[i] = tensor::F16ToF32(tensor::F32ToF16(x[i]));
}

// Queries: tokens [t0, t0 + nt) x heads [h0, h0 + nh) of KV head kvh; lane = (t - t0) * nh + (h -
// h0).
HWY_NOINLINE void AttendJob(const float* q, const int32_t* pos, const KvView& kv,
                            const AttentionParams& p, size_t kvh, size_t t0, size_t nt, size_t h0,
                            size_t nh, float* out, float* scratch) {
  const hn::ScalableTag<float> df;
  using V = hn::Vec<decltype(df)>;
  const size_t n_lanes = hn::Lanes(df), nq = nt * nh;
  const size_t hd = p.head_dim, hdv = p.head_dim_v;
  const bool f16 = kv.type == tensor::DType::kF16;
  const size_t k_row_bytes = KvRowBytes(kv.type, p.n_head_kv * hd),
               v_row_bytes = KvRowBytes(kv.type, p.n_head_kv * hdv);
  const uint8_t* k_base = kv.k + KvRowBytes(kv.type, kvh * hd);
  const uint8_t* v_base = kv.v + KvRowBytes(kv.type, kvh * hdv);
  float* qt = scratch;                   // [hd][lanes]
  float* ot = qt + hd * n_lanes;         // [hdv][lanes]
  float* st = ot + hdv * n_lanes;        // [kKeyBlock][lanes]
  float* kb = st + kKeyBlock * n_lanes;  // [kKeyBlock][hd]
  float* vb = kb + kKeyBlock * hd;       // [kKeyBlock][hdv]

  // Transposed queries; unused lanes repeat query 0 and are never stored.
  int32_t last[64];  // per lane: the query's position
  size_t k_end = 0, k_begin = kv.n_kv;
  for (size_t lane = 0; lane < n_lanes; ++lane) {
    const size_t l = lane < nq ? lane : 0;
    const size_t t = t0 + l / nh, h = h0 + l % nh + kvh * (p.n_head / p.n_head_kv);
    const float* qh = q + (t * p.n_head + h) * hd;
    if (f16) {
      RoundToF16(df, qh, hd, kb);  // kb is free until the key loop
      for (size_t d = 0; d < hd; ++d) qt[d * n_lanes + lane] = kb[d];
    } else {
      for (size_t d = 0; d < hd; ++d) qt[d * n_lanes + lane] = qh[d];
    }
    last[lane] = pos[t];
    size_t end = !p.causal ? kv.n_kv : std::min<size_t>(kv.n_kv, static_cast<size_t>(pos[t]) + 1);
    if (p.window > 0) end = std::min<size_t>(end, static_cast<size_t>(pos[t]) + p.window);
    k_end = std::max(k_end, end);
    size_t begin = 0;
    if (p.window > 0 && static_cast<size_t>(pos[t]) + 1 > p.window)
      begin = static_cast<size_t>(pos[t]) + 1 - p.window;
    k_begin = std::min(k_begin, begin);
  }
  const auto last_v = hn::ConvertTo(df, hn::LoadU(hn::RebindToSigned<decltype(df)>(), last));
  for (size_t d = 0; d < hdv; ++d) hn::Store(hn::Zero(df), df, ot + d * n_lanes);
  const V neg_inf = hn::Set(df, -std::numeric_limits<float>::infinity());
  V m = neg_inf, l = hn::Zero(df);

  for (size_t j0 = k_begin; j0 < k_end; j0 += kKeyBlock) {
    const size_t nk = std::min(kKeyBlock, k_end - j0);
    WidenRows(df, kv, k_base, k_row_bytes, j0, nk, hd, kb);
    WidenRows(df, kv, v_base, v_row_bytes, j0, nk, hdv, vb);
    // Scores s[j] = scale * <q, k_j>, capped and masked; four keys share each query load.
    V blk_max = neg_inf;
    auto finish = [&](size_t j, V s) {
      s = hn::Mul(s, hn::Set(df, p.scale));
      if (p.softcap > 0)
        s = hn::Mul(hn::Set(df, p.softcap), hn::Tanh(df, hn::Div(s, hn::Set(df, p.softcap))));
      const auto key = hn::Set(df, static_cast<float>(j0 + j));
      auto masked = hn::FirstN(df, 0);
      if (p.causal) masked = hn::Or(masked, hn::Gt(key, last_v));
      if (p.window > 0)  // |p - k| >= window (keys after p are only there without causality)
        masked = hn::Or(masked, hn::Ge(hn::Abs(hn::Sub(last_v, key)),
                                       hn::Set(df, static_cast<float>(p.window))));
      s = hn::IfThenElse(masked, neg_inf, s);
      hn::Store(s, df, st + j * n_lanes);
      blk_max = hn::Max(blk_max, s);
    };
    size_t j = 0;
    for (; j + 4 <= nk; j += 4) {
      const float* k0 = kb + j * hd;
      V s0 = hn::Zero(df), s1 = hn::Zero(df), s2 = hn::Zero(df), s3 = hn::Zero(df);
      for (size_t d = 0; d < hd; ++d) {
        const V qv = hn::Load(df, qt + d * n_lanes);
        s0 = hn::MulAdd(qv, hn::Set(df, k0[d]), s0);
        s1 = hn::MulAdd(qv, hn::Set(df, k0[hd + d]), s1);
        s2 = hn::MulAdd(qv, hn::Set(df, k0[2 * hd + d]), s2);
        s3 = hn::MulAdd(qv, hn::Set(df, k0[3 * hd + d]), s3);
      }
      finish(j, s0);
      finish(j + 1, s1);
      finish(j + 2, s2);
      finish(j + 3, s3);
    }
    for (; j < nk; ++j) {
      V s0 = hn::Zero(df);
      for (size_t d = 0; d < hd; ++d)
        s0 = hn::MulAdd(hn::Load(df, qt + d * n_lanes), hn::Set(df, kb[j * hd + d]), s0);
      finish(j, s0);
    }
    // Online softmax: rescale what was accumulated to the new running max.
    const V m_new = hn::Max(m, blk_max);
    const V c = hn::Exp(df, hn::Sub(m, m_new));  // 0 while nothing was visible (NaN -> 0)
    m = m_new;
    l = hn::Mul(l, c);
    V pj[kKeyBlock];
    for (size_t jj = 0; jj < nk; ++jj) {
      pj[jj] = hn::Exp(df, hn::Sub(hn::Load(df, st + jj * n_lanes), m_new));
      l = hn::Add(l, pj[jj]);
    }
    if (nk == kKeyBlock) {  // the common case, unrolled so that pj stays in registers
      for (size_t d = 0; d < hdv; ++d) {
        V o = hn::Mul(hn::Load(df, ot + d * n_lanes), c);
#pragma GCC unroll 16
        for (size_t jj = 0; jj < kKeyBlock; ++jj)
          o = hn::MulAdd(pj[jj], hn::Set(df, vb[jj * hdv + d]), o);
        hn::Store(o, df, ot + d * n_lanes);
      }
    } else {
      for (size_t d = 0; d < hdv; ++d) {
        V o = hn::Mul(hn::Load(df, ot + d * n_lanes), c);
        for (size_t jj = 0; jj < nk; ++jj) o = hn::MulAdd(pj[jj], hn::Set(df, vb[jj * hdv + d]), o);
        hn::Store(o, df, ot + d * n_lanes);
      }
    }
  }
  if (p.sinks) {  // one more softmax term per lane's head, exp(sink - max), with no value
    float sink[64];
    for (size_t lane = 0; lane < n_lanes; ++lane) {
      const size_t ql = lane < nq ? lane : 0;
      sink[lane] = p.sinks[h0 + ql % nh + kvh * (p.n_head / p.n_head_kv)];
    }
    const V s = hn::LoadU(df, sink);
    const V m_new = hn::Max(m, s);
    const V c = hn::Exp(df, hn::Sub(m, m_new));
    l = hn::Add(hn::Mul(l, c), hn::Exp(df, hn::Sub(s, m_new)));
    for (size_t d = 0; d < hdv; ++d)
      hn::Store(hn::Mul(hn::Load(df, ot + d * n_lanes), c), df, ot + d * n_lanes);
  }
  hn::Store(hn::Div(hn::Set(df, 1.0f), l), df, st);
  for (size_t lane = 0; lane < nq; ++lane) {
    const size_t t = t0 + lane / nh, h = h0 + lane % nh + kvh * (p.n_head / p.n_head_kv);
    float* o = out + (t * p.n_head + h) * hdv;
    for (size_t d = 0; d < hdv; ++d) o[d] = ot[d * n_lanes + lane] * st[lane];
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace olla
HWY_AFTER_NAMESPACE();

#endif  // include guard
