#pragma once
// The op API the engine computes with (CONVENTIONS.md C6): weight formats stay behind QMatrix,
// threads come from an injected ThreadPool, and no op knows about models. Shapes are given in
// brackets, row-major, innermost dimension last.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "base/status.h"
#include "base/thread_pool.h"
#include "tensor/dtype.h"

namespace olla::kernels {

struct PackedMatrix;  // kernels/pack.h

// A weight matrix [n_rows, n_cols] of any supported type; row r starts at data + r * row_bytes.
// `packed`, if set (by WeightPacks, kernels/pack.h), is the same matrix rearranged for this CPU's
// fastest kernels; MatMul then reads it instead of `data`.
struct QMatrix {
  tensor::DType type = tensor::DType::kF32;
  const uint8_t* data = nullptr;
  size_t n_rows = 0;
  size_t n_cols = 0;
  size_t row_bytes = 0;
  const PackedMatrix* packed = nullptr;
};

// How a weight type is multiplied: activations are first converted to `act_type` (Q8_0 for Q4_0,
// Q8_1 for Q4_1, Q8_K for k-quants, F16 for F16, ...) exactly as ggml does, then `dot` runs.
struct DotTraits {
  tensor::DType act_type;
  float (*dot)(size_t n, const void* w_row, const void* act_row);
};
// nullptr for types without a matrix multiplication.
const DotTraits* FindDotTraits(tensor::DType weight_type);
// True if MatMul and GetRow support `type`.
bool SupportsWeightType(tensor::DType type);

// y[t, r] = <w[r, :], x[t, :]> for t < n_tok. x: [n_tok, w.n_cols], y: [n_tok, w.n_rows].
// Rows of w are split across the pool's threads.
void MatMul(const QMatrix& w, const float* x, size_t n_tok, float* y, ThreadPool& pool);

// out[:] = dequantized row `row` of w (an embedding lookup). out: [w.n_cols].
void GetRow(const QMatrix& w, size_t row, float* out);

// y[t, :] = x[t, :] / sqrt(mean(x[t, :]^2) + eps), times weight[:] if weight is non-null.
// x, y: [n_tok, n]; may alias.
void RmsNorm(const float* x, const float* weight, size_t n_tok, size_t n, float eps, float* y);

// y[t, :] = (x[t, :] - mean) / sqrt(var + eps) * weight + bias (weight/bias may be null).
void LayerNorm(const float* x, const float* weight, const float* bias, size_t n_tok, size_t n,
               float eps, float* y);

enum class RopeStyle { kNormal, kNeox };  // adjacent pairs (llama) or halves (gpt-neox, qwen2)
struct RopeParams {
  RopeStyle style = RopeStyle::kNormal;
  size_t n_rot = 0;  // rotated dimensions per head (≤ head_dim)
  float freq_base = 10000.0f;
  float freq_scale = 1.0f;              // 1 / linear scaling factor
  const float* freq_factors = nullptr;  // [n_rot / 2] divisors of each pair's frequency, or null
  // YaRN (ggml's rope_yarn), on when ext_factor != 0: low-frequency pairs are interpolated
  // (freq_scale), high-frequency ones extrapolated, with a linear ramp between the correction
  // dims given by beta_fast/beta_slow and the training context n_ctx_orig; cos and sin are
  // scaled by attn_factor * (1 + 0.1 ln(1 / freq_scale)).
  float ext_factor = 0.0f;
  float attn_factor = 1.0f;
  float beta_fast = 32.0f, beta_slow = 1.0f;
  size_t n_ctx_orig = 0;
};
// Rotates x: [n_tok, n_head, head_dim] in place; token t is at position pos[t].
void Rope(float* x, size_t n_tok, size_t n_head, size_t head_dim, const int32_t* pos,
          const RopeParams& p);

// x[i] = exp(x[i] - max) / sum, in place. -inf entries become 0.
void SoftmaxInPlace(float* x, size_t n);

// out[i] = silu(gate[i]) * up[i].
void SwiGlu(const float* gate, const float* up, float* out, size_t n);
// out[i] = (clamp(up[i], -limit, limit) + 1) * g * sigmoid(alpha * g), g = min(gate[i], limit):
// gpt-oss's clamped SwiGLU (ggml_swiglu_oai).
void SwiGluOai(const float* gate, const float* up, float* out, size_t n, float alpha, float limit);
// out[i] = gelu_tanh(gate[i]) * up[i].
void GeGlu(const float* gate, const float* up, float* out, size_t n);
float Gelu(float x);  // tanh approximation, as ggml_gelu
// x[i] = gelu_tanh(x[i]).
void GeluInPlace(float* x, size_t n);
// x[i] = cap * tanh(x[i] / cap): logit soft-capping (gemma2). cap > 0.
void SoftcapInPlace(float* x, size_t n, float cap);

// y[i] += x[i].
void AddInPlace(float* y, const float* x, size_t n);
// y[i] *= w[i].
void MulInPlace(float* y, const float* w, size_t n);

}  // namespace olla::kernels
