#pragma once
// Contracts between MatMul (matmul.cc) and the kernel translation units; not part of the op API.
// A matrix multiplication converts its activations once into the weight type's activation format
// (Acts), then kernels compute blocks of rows against all tokens.

#include <cstddef>
#include <cstdint>

#include "base/thread_pool.h"
#include "kernels/cpu.h"
#include "kernels/ops.h"
#include "tensor/dtype.h"

namespace olla::kernels::internal {

// The rows of a weight matrix as stored in the model file (see QMatrix).
struct WeightRows {
  const uint8_t* data = nullptr;  // row r starts at data + r * row_bytes
  size_t row_bytes = 0;
  size_t n_cols = 0;
};

// The activations of one call, [n_tok, n_cols], in "split" form: the quantized values of every
// token contiguous, the block scales beside them. The values are exactly those of the reference
// quantizers (tensor::QuantizeRowQ8_0/Q8_1/Q8_K), with the F16 fields widened to float.
struct Acts {
  size_t n_tok = 0, n_cols = 0;
  const int8_t* qs = nullptr;      // Q8_0/Q8_1/Q8_K: [n_tok, n_cols]
  const float* d = nullptr;        // Q8_0/Q8_1: [n_tok, n_cols / 32]; Q8_K: [n_tok, n_cols / 256]
  const float* s = nullptr;        // Q8_1: [n_tok, n_cols / 32], the block's d * sum(q) in F16
  const int32_t* qsum = nullptr;   // Q8_0/Q8_1: [n_tok, n_cols / 32], the sum of the block's q
  const int16_t* bsums = nullptr;  // Q8_K: [n_tok, n_cols / 16], sums of 16 q
  const float* f = nullptr;        // F32/F16/BF16 weights: [n_tok, n_cols], rounded to the act type
  // A/B hook for kernel changes: 0, except in bench/matmul_bench with MATMUL_AB=1, which passes 0
  // and 1 on alternate passes (MatMulOnPath's `variant`) and reports each one's median: that stays
  // comparable on a noisy host where separate runs do not. A kernel under change may branch on it
  // while it is measured; committed kernels do not read it.
  int variant = 0;

  const int8_t* qs_row(size_t t) const { return qs + t * n_cols; }
};

// y[t * y_stride + r] = <row r of w, activation row t> for r in [r_begin, r_end), all tokens.
using RowsKernel = void (*)(const WeightRows& w, size_t r_begin, size_t r_end, const Acts& a,
                            float* y, size_t y_stride);

// The portable kernels, dispatched by Highway to the best compiled target at each call; nullptr
// for types of another family.
RowsKernel HighwayFloatRowsKernel(tensor::DType type);   // F32, F16, BF16
RowsKernel HighwayLegacyRowsKernel(tensor::DType type);  // Q4_0 ... Q8_0, IQ4_NL, MXFP4
RowsKernel HighwayKRowsKernel(tensor::DType type);       // Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_XS

// Float-weight GEMM for batches (gemm_float.cc, gemm_float-inl.h): F32, F16 and BF16 weights
// widened to F32 panels once per block of tokens, outer-product micro-kernels. MatMul uses it
// from kFloatGemmMinTokens tokens on every CPU path; fewer take the dot-product kernels.
constexpr size_t kFloatGemmMinTokens = 16;
// Blocking per thread: rows x columns of weights widened at once (in L2), tokens per block.
constexpr size_t kGemmRowBlock = 480;  // a multiple of every target's micro-kernel rows
constexpr size_t kGemmKBlock = 128;    // a multiple of kGemmKInner
constexpr size_t kGemmKInner = 128;  // columns per micro-kernel call (a multiple of kGemmColGroup)
constexpr size_t kGemmTokenBlock = 256;
constexpr size_t kGemmColGroup = 16;
constexpr size_t kGemmMaxTileTokens = 64;  // tokens of the widest target's micro-kernel tile
bool IsFloatGemmType(tensor::DType type);
// Bytes of the shared buffer FloatGemm packs the activations into.
size_t FloatGemmActsBytes(size_t n_tok, size_t n_cols);
// y[t * n_rows + r] = <row r of w, activation row t of a> for all rows and tokens, split across
// the pool's threads in units of 16 rows like MatMul. acts_buf: FloatGemmActsBytes(a.n_tok,
// w.n_cols) bytes, 64-byte aligned. Uses the pool's per-thread scratch slots.
void FloatGemm(tensor::DType type, const WeightRows& w, size_t n_rows, const Acts& a,
               uint8_t* acts_buf, float* y, ThreadPool& pool);

// MatMul on a given CPU path (capped at DetectedCpu().best): w.packed is used if the path has a
// kernel for it, else the Highway kernel of w.type on the file layout. Tests run every path.
// `variant` reaches the kernels as Acts::variant (the A/B hook of bench/matmul_bench).
void MatMulOnPath(CpuPath path, const QMatrix& w, const float* x, size_t n_tok, float* y,
                  ThreadPool& pool, int variant = 0);

// Highway-dispatched row converters, bit-identical to the tensor/ reference quantizers. `n` is a
// multiple of the block size. Outputs follow the layout of Acts for one token.
void QuantizeRowQ8_0(const float* x, size_t n, int8_t* qs, float* d, int32_t* qsum);
void QuantizeRowQ8_1(const float* x, size_t n, int8_t* qs, float* d, float* s, int32_t* qsum);
void QuantizeRowQ8_K(const float* x, size_t n, int8_t* qs, float* d, int16_t* bsums);
// y[i] = x[i] rounded to F16 (or BF16) and widened back, as tensor::F32ToF16 / F32ToBF16 round.
void RoundRowF16(const float* x, size_t n, float* y);
void RoundRowBF16(const float* x, size_t n, float* y);

}  // namespace olla::kernels::internal
