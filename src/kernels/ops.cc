#include "kernels/ops.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "base/check.h"
#include "tensor/dequantize.h"
#include "tensor/half.h"

namespace olla::kernels {

using tensor::DType;

bool SupportsWeightType(DType type) {
  return FindDotTraits(type) != nullptr && tensor::DequantizeRowFunction(type) != nullptr;
}

void GetRow(const QMatrix& w, size_t row, float* out) {
  auto fn = tensor::DequantizeRowFunction(w.type);
  OLLA_CHECK(fn != nullptr && row < w.n_rows);
  fn(w.data + row * w.row_bytes, out, w.n_cols);
}

void RmsNorm(const float* x, const float* weight, size_t n_tok, size_t n, float eps, float* y) {
  for (size_t t = 0; t < n_tok; ++t) {
    const float* xr = x + t * n;
    float* yr = y + t * n;
    double sum = 0;  // ggml accumulates squares in double
    for (size_t i = 0; i < n; ++i) sum += static_cast<double>(xr[i] * xr[i]);
    const float mean = static_cast<float>(sum / static_cast<double>(n));
    const float scale = 1.0f / std::sqrt(mean + eps);
    for (size_t i = 0; i < n; ++i) yr[i] = xr[i] * scale;
    if (weight)
      for (size_t i = 0; i < n; ++i) yr[i] *= weight[i];
  }
}

void LayerNorm(const float* x, const float* weight, const float* bias, size_t n_tok, size_t n,
               float eps, float* y) {
  for (size_t t = 0; t < n_tok; ++t) {
    const float* xr = x + t * n;
    float* yr = y + t * n;
    double sum = 0;
    for (size_t i = 0; i < n; ++i) sum += static_cast<double>(xr[i]);
    const float mean = static_cast<float>(sum / static_cast<double>(n));
    double sum2 = 0;
    for (size_t i = 0; i < n; ++i) {
      float v = xr[i] - mean;
      yr[i] = v;
      sum2 += static_cast<double>(v * v);
    }
    const float variance = static_cast<float>(sum2 / static_cast<double>(n));
    const float scale = 1.0f / std::sqrt(variance + eps);
    for (size_t i = 0; i < n; ++i) yr[i] *= scale;
    if (weight)
      for (size_t i = 0; i < n; ++i) yr[i] *= weight[i];
    if (bias)
      for (size_t i = 0; i < n; ++i) yr[i] += bias[i];
  }
}

namespace {
// YaRN's correction dims (ggml_rope_yarn_corr_dims): the pair indices between which rotation
// goes from extrapolated to interpolated.
struct YarnDims {
  float low = 0, high = 0;
};
YarnDims YarnCorrectionDims(const RopeParams& p) {
  const float n_dims = static_cast<float>(p.n_rot);
  auto dim = [&](float n_rotations) {
    return n_dims *
           std::log(static_cast<float>(p.n_ctx_orig) /
                    (n_rotations * 2.0f * std::numbers::pi_v<float>)) /
           (2.0f * std::log(p.freq_base));
  };
  YarnDims d;
  d.low = std::max(0.0f, std::floor(dim(p.beta_fast)));
  d.high = std::min(n_dims - 1.0f, std::ceil(dim(p.beta_slow)));
  return d;
}
}  // namespace

void Rope(float* x, size_t n_tok, size_t n_head, size_t head_dim, const int32_t* pos,
          const RopeParams& p) {
  // theta_i = pos * base^(-2i/n_rot), built by repeated multiplication in float as ggml does, so
  // that the angles agree to the last bit.
  const float theta_scale = std::pow(p.freq_base, -2.0f / static_cast<float>(p.n_rot));
  const bool yarn = p.ext_factor != 0.0f;
  const YarnDims corr = yarn ? YarnCorrectionDims(p) : YarnDims{};
  float mscale = p.attn_factor;
  if (yarn) mscale *= 1.0f + 0.1f * std::log(1.0f / p.freq_scale);
  std::vector<float> cos_t(p.n_rot / 2), sin_t(p.n_rot / 2);
  for (size_t t = 0; t < n_tok; ++t) {
    float theta_base = static_cast<float>(pos[t]);
    for (size_t i = 0; i < p.n_rot / 2; ++i) {
      float ff = p.freq_factors ? p.freq_factors[i] : 1.0f;
      const float theta_extrap = theta_base / ff;
      float theta = p.freq_scale * theta_extrap;
      if (yarn) {
        const float y = (static_cast<float>(i) - corr.low) / std::max(0.001f, corr.high - corr.low);
        const float ramp_mix = (1.0f - std::min(1.0f, std::max(0.0f, y))) * p.ext_factor;
        theta = theta * (1.0f - ramp_mix) + theta_extrap * ramp_mix;
      }
      cos_t[i] = std::cos(theta) * mscale;
      sin_t[i] = std::sin(theta) * mscale;
      theta_base *= theta_scale;
    }
    for (size_t h = 0; h < n_head; ++h) {
      float* v = x + (t * n_head + h) * head_dim;
      for (size_t i = 0; i < p.n_rot / 2; ++i) {
        size_t a = p.style == RopeStyle::kNormal ? 2 * i : i;
        size_t b = p.style == RopeStyle::kNormal ? 2 * i + 1 : i + p.n_rot / 2;
        float x0 = v[a], x1 = v[b];
        v[a] = x0 * cos_t[i] - x1 * sin_t[i];
        v[b] = x0 * sin_t[i] + x1 * cos_t[i];
      }
    }
  }
}

void SoftmaxInPlace(float* x, size_t n) {
  float max = -std::numeric_limits<float>::infinity();
  for (size_t i = 0; i < n; ++i) max = std::max(max, x[i]);
  if (max == -std::numeric_limits<float>::infinity()) {
    std::fill(x, x + n, 0.0f);
    return;
  }
  double sum = 0;
  for (size_t i = 0; i < n; ++i) {
    float e = x[i] == -std::numeric_limits<float>::infinity() ? 0.0f : std::exp(x[i] - max);
    x[i] = e;
    sum += e;
  }
  const float inv = static_cast<float>(1.0 / sum);
  for (size_t i = 0; i < n; ++i) x[i] *= inv;
}

float Gelu(float x) {
  constexpr float kSqrt2OverPi = 0.79788456080286535587989211986876f;
  constexpr float kCoef = 0.044715f;
  return 0.5f * x * (1.0f + std::tanh(kSqrt2OverPi * x * (1.0f + kCoef * x * x)));
}

// GELU as ggml's CPU backend computes it (GGML_GELU_FP16): outside (-10, 10) it is 0 or x; inside,
// the argument is rounded to F16 and the result read from a table of F16 values of Gelu. Doing
// the same keeps gemma and BERT activations bit-compatible with llama.cpp's references.
float GeluAsGgml(float x) {
  if (x <= -10.0f) return 0.0f;
  if (x >= 10.0f) return x;
  return tensor::F16ToF32(tensor::F32ToF16(Gelu(tensor::F16ToF32(tensor::F32ToF16(x)))));
}

void GeGlu(const float* gate, const float* up, float* out, size_t n) {
  for (size_t i = 0; i < n; ++i) out[i] = GeluAsGgml(gate[i]) * up[i];
}

void SwiGluOai(const float* gate, const float* up, float* out, size_t n, float alpha, float limit) {
  for (size_t i = 0; i < n; ++i) {
    const float g = std::min(gate[i], limit);
    const float u = std::clamp(up[i], -limit, limit);
    out[i] = g / (1.0f + std::exp(alpha * -g)) * (u + 1.0f);
  }
}

void GeluInPlace(float* x, size_t n) {
  for (size_t i = 0; i < n; ++i) x[i] = GeluAsGgml(x[i]);
}

void SoftcapInPlace(float* x, size_t n, float cap) {
  const float inv = 1.0f / cap;  // as ggml: scale by 1/cap, tanh, scale by cap
  for (size_t i = 0; i < n; ++i) x[i] = cap * std::tanh(x[i] * inv);
}

void AddInPlace(float* y, const float* x, size_t n) {
  for (size_t i = 0; i < n; ++i) y[i] += x[i];
}

void MulInPlace(float* y, const float* w, size_t n) {
  for (size_t i = 0; i < n; ++i) y[i] *= w[i];
}

}  // namespace olla::kernels
