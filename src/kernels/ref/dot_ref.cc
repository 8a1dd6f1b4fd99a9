#include "kernels/ref/dot_ref.h"

#include <cmath>

#include "kernels/ref/unpack.h"
#include "tensor/blocks.h"
#include "tensor/half.h"

namespace olla::kernels::ref {

using tensor::BF16ToF32;
using tensor::F16ToF32;
namespace t = tensor;

float DotF32(size_t n, const void* w, const void* a) {
  const auto* x = static_cast<const float*>(w);
  const auto* y = static_cast<const float*>(a);
  float sum = 0;
  for (size_t i = 0; i < n; ++i) sum += x[i] * y[i];
  return sum;
}

float DotF16(size_t n, const void* w, const void* a) {
  const auto* x = static_cast<const uint16_t*>(w);
  const auto* y = static_cast<const uint16_t*>(a);
  float sum = 0;
  for (size_t i = 0; i < n; ++i) sum += F16ToF32(x[i]) * F16ToF32(y[i]);
  return sum;
}

float DotBF16(size_t n, const void* w, const void* a) {
  const auto* x = static_cast<const uint16_t*>(w);
  const auto* y = static_cast<const uint16_t*>(a);
  float sum = 0;
  for (size_t i = 0; i < n; ++i) sum += BF16ToF32(x[i]) * BF16ToF32(y[i]);
  return sum;
}

namespace {

inline int DotI8(const int8_t* x, const int8_t* y, int n) {
  int s = 0;
  for (int i = 0; i < n; ++i) s += x[i] * y[i];
  return s;
}

// Weights whose blocks are symmetric (x = d * q) against Q8_0: sum of d_w * d_a * <q_w, q_a>.
template <typename Block, void (*Unpack)(const Block&, int8_t*)>
float DotSymmetricQ8_0(size_t n, const void* w, const void* a) {
  const auto* x = static_cast<const Block*>(w);
  const auto* y = static_cast<const t::BlockQ8_0*>(a);
  float sum = 0;
  int8_t q[32];
  for (size_t b = 0; b < n / 32; ++b) {
    Unpack(x[b], q);
    sum += static_cast<float>(DotI8(q, y[b].qs, 32)) * (F16ToF32(x[b].d) * F16ToF32(y[b].d));
  }
  return sum;
}

}  // namespace

float HorizontalSum8(const float v[8]) {
  const float a = (v[0] + v[4]) + (v[2] + v[6]);
  const float b = (v[1] + v[5]) + (v[3] + v[7]);
  return a + b;
}

namespace {

// Weights with a min (x = d * q + m) against Q8_1, whose s = d_a * sum(q_a) supplies the m term.
// The float operations are those of ggml's x86 kernels (ggml_vec_dot_q4_1_q8_1 / q5_1, AVX2),
// which llama.cpp runs for these types, so results agree to the bit: eight accumulators, lane k
// taking fma(d_w * d_a, <q, a> over elements 4k..4k+3 of each block, lane k); then the fixed
// horizontal sum of the eight lanes, plus the m * s terms summed in block order.
template <typename Block, void (*Unpack)(const Block&, int8_t*)>
float DotAffineQ8_1(size_t n, const void* w, const void* a) {
  const auto* x = static_cast<const Block*>(w);
  const auto* y = static_cast<const t::BlockQ8_1*>(a);
  float acc[8] = {};
  float summs = 0;
  int8_t q[32];
  for (size_t b = 0; b < n / 32; ++b) {
    Unpack(x[b], q);
    summs += F16ToF32(x[b].m) * F16ToF32(y[b].s);  // exact: two 11-bit significands
    const float d = F16ToF32(x[b].d) * F16ToF32(y[b].d);
    for (int k = 0; k < 8; ++k)
      acc[k] = std::fma(d, static_cast<float>(DotI8(q + 4 * k, y[b].qs + 4 * k, 4)), acc[k]);
  }
  return HorizontalSum8(acc) + summs;
}

void UnpackQ8_0Block(const t::BlockQ8_0& b, int8_t q[32]) {
  for (int i = 0; i < 32; ++i) q[i] = b.qs[i];
}

// k-quant super-blocks against Q8_K: d_w*d_a * sum_j scale_j <q_j, a_j> - dmin_w*d_a * sum_j min_j
// * bsum_j.
template <typename Block, void (*Unpack)(const Block&, UnpackedK&)>
float DotK(size_t n, const void* w, const void* a) {
  const auto* x = static_cast<const Block*>(w);
  const auto* y = static_cast<const t::BlockQ8_K*>(a);
  float sum = 0;
  UnpackedK u;
  for (size_t b = 0; b < n / 256; ++b) {
    Unpack(x[b], u);
    const int sub_len = 256 / u.n_sub;
    int32_t isum = 0, imin = 0;
    for (int s = 0; s < u.n_sub; ++s) {
      isum += u.scale[s] * DotI8(u.q + s * sub_len, y[b].qs + s * sub_len, sub_len);
      if (u.min[s] != 0) {
        int bsum = 0;
        for (int g = s * sub_len / 16; g < (s + 1) * sub_len / 16; ++g) bsum += y[b].bsums[g];
        imin += u.min[s] * bsum;
      }
    }
    sum += u.d * y[b].d * static_cast<float>(isum) - u.dmin * y[b].d * static_cast<float>(imin);
  }
  return sum;
}

}  // namespace

float DotQ4_0(size_t n, const void* w, const void* a) {
  return DotSymmetricQ8_0<t::BlockQ4_0, UnpackQ4_0>(n, w, a);
}
float DotQ5_0(size_t n, const void* w, const void* a) {
  return DotSymmetricQ8_0<t::BlockQ5_0, UnpackQ5_0>(n, w, a);
}
float DotQ8_0(size_t n, const void* w, const void* a) {
  return DotSymmetricQ8_0<t::BlockQ8_0, UnpackQ8_0Block>(n, w, a);
}
float DotIQ4_NL(size_t n, const void* w, const void* a) {
  return DotSymmetricQ8_0<t::BlockIQ4_NL, UnpackIQ4_NL>(n, w, a);
}
// As ggml_vec_dot_mxfp4_q8_0: d = d_a * 2^(e-128) (which over- or underflows exactly as in ggml
// for extreme exponents), times the block's exact integer sum.
float DotMXFP4(size_t n, const void* w, const void* a) {
  const auto* x = static_cast<const t::BlockMXFP4*>(w);
  const auto* y = static_cast<const t::BlockQ8_0*>(a);
  float sum = 0;
  int8_t q[32];
  for (size_t b = 0; b < n / 32; ++b) {
    UnpackMXFP4(x[b], q);
    const float d = F16ToF32(y[b].d) * t::E8M0ToF32Half(x[b].e);
    sum += d * static_cast<float>(DotI8(q, y[b].qs, 32));
  }
  return sum;
}
float DotQ4_1(size_t n, const void* w, const void* a) {
  return DotAffineQ8_1<t::BlockQ4_1, UnpackQ4_1>(n, w, a);
}
float DotQ5_1(size_t n, const void* w, const void* a) {
  return DotAffineQ8_1<t::BlockQ5_1, UnpackQ5_1>(n, w, a);
}
float DotQ2_K(size_t n, const void* w, const void* a) {
  return DotK<t::BlockQ2_K, UnpackQ2_K>(n, w, a);
}
float DotQ3_K(size_t n, const void* w, const void* a) {
  return DotK<t::BlockQ3_K, UnpackQ3_K>(n, w, a);
}
float DotQ4_K(size_t n, const void* w, const void* a) {
  return DotK<t::BlockQ4_K, UnpackQ4_K>(n, w, a);
}
float DotQ5_K(size_t n, const void* w, const void* a) {
  return DotK<t::BlockQ5_K, UnpackQ5_K>(n, w, a);
}
float DotQ6_K(size_t n, const void* w, const void* a) {
  return DotK<t::BlockQ6_K, UnpackQ6_K>(n, w, a);
}
float DotIQ4_XS(size_t n, const void* w, const void* a) {
  return DotK<t::BlockIQ4_XS, UnpackIQ4_XS>(n, w, a);
}

}  // namespace olla::kernels::ref
