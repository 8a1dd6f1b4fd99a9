#pragma once
// Reference quantization from float32, following ggml's reference quantizers without an importance
// matrix — the code path `llama-quantize` takes when given no imatrix:
//   Q4_0 … Q8_1, Q8_K : quantize_row_*_ref (round from the block's absolute max / min-max);
//   Q2_K, Q4_K, Q5_K  : quantize_row_*_ref with make_qkx2_quants (scale+min search per sub-block);
//   Q3_K              : quantize_row_q3_K_ref with make_q3_quants;
//   Q6_K              : quantize_row_q6_K_ref with make_qx_quants;
//   IQ4_NL, IQ4_XS    : quantize_iq4_nl / quantize_iq4_xs (best-scale search over 15 candidates);
//   MXFP4             : quantize_row_mxfp4_ref (exponent from the block's absolute max, nearest
//   level).
// All are deterministic and evaluate floats in ggml's order, so they reproduce ggml's bytes.
// Q8_K is also how ggml-cpu quantizes *activations* for k-quant dot products; for Q8_0/Q8_1
// activations it uses slightly different rounding (QuantizeActivationsQ8_0/Q8_1 below).

#include <cstddef>
#include <cstdint>

#include "base/status.h"
#include "tensor/blocks.h"
#include "tensor/dtype.h"

namespace olla::tensor {

// Quantizes src[0, n_elems) into `type` at dst (RowBytes(type, n_elems) bytes). Returns
// kUnsupported (naming the type) for types without a quantizer and kInvalidArgument if n_elems is
// not a multiple of the type's block size. Rows are independent: quantizing a matrix in one call
// equals quantizing it row by row, as long as each row is a whole number of blocks.
Status Quantize(DType type, const float* src, size_t n_elems, void* dst);

// A type-erased row quantizer; n must be a multiple of the type's block size (unchecked).
using QuantizeRowFn = void (*)(const float* src, void* dst, size_t n);
// The row quantizer of `type`, or nullptr if it has none.
QuantizeRowFn QuantizeRowFunction(DType type);

// Typed per-format functions: `n` elements (a multiple of the block size, unchecked).
void QuantizeRowF32(const float* x, float* y, size_t n);
void QuantizeRowF16(const float* x, uint16_t* y, size_t n);
void QuantizeRowBF16(const float* x, uint16_t* y, size_t n);
void QuantizeRowQ4_0(const float* x, BlockQ4_0* y, size_t n);
void QuantizeRowQ4_1(const float* x, BlockQ4_1* y, size_t n);
void QuantizeRowQ5_0(const float* x, BlockQ5_0* y, size_t n);
void QuantizeRowQ5_1(const float* x, BlockQ5_1* y, size_t n);
void QuantizeRowQ8_0(const float* x, BlockQ8_0* y, size_t n);
// d = amax/127, q = roundf(x/d), s = fp16(d * sum(q)) with d unrounded.
void QuantizeRowQ8_1(const float* x, BlockQ8_1* y, size_t n);
void QuantizeRowQ2_K(const float* x, BlockQ2_K* y, size_t n);
void QuantizeRowQ3_K(const float* x, BlockQ3_K* y, size_t n);
void QuantizeRowQ4_K(const float* x, BlockQ4_K* y, size_t n);
void QuantizeRowQ5_K(const float* x, BlockQ5_K* y, size_t n);
void QuantizeRowQ6_K(const float* x, BlockQ6_K* y, size_t n);
// d = max / -127 where max is the signed value of largest magnitude (so that element is -127);
// q = min(127, nearest(x / d)); bsums over groups of 16. An all-zero block gets d = 0, q = 0.
void QuantizeRowQ8_K(const float* x, BlockQ8_K* y, size_t n);
void QuantizeRowIQ4_NL(const float* x, BlockIQ4_NL* y, size_t n);
void QuantizeRowIQ4_XS(const float* x, BlockIQ4_XS* y, size_t n);
// e = floor(log2(amax)) - 2 + 127 (x86 wrap-around below amax = 2^-125: the block becomes zero);
// each element takes the nearest level at scale 2^(e-128), ties toward zero.
void QuantizeRowMXFP4(const float* x, BlockMXFP4* y, size_t n);

// How ggml-cpu quantizes a matmul's *activations* (its vec_dot_type conversion) on x86 AVX/AVX2 —
// the build that produced testdata/ref — rather than the _ref functions above: Q8_0 and Q8_1
// compute id = 127/amax (one rounding, not 1/(amax/127)) and round ties to even (not away from
// zero), so a few elements per tensor differ by one level. Use these to reproduce llama.cpp's
// quantized matmuls bit for bit. (Its Q8_K activation quantizer is QuantizeRowQ8_K itself.)
void QuantizeActivationsQ8_0(const float* x, BlockQ8_0* y, size_t n);
void QuantizeActivationsQ8_1(const float* x, BlockQ8_1* y, size_t n);

}  // namespace olla::tensor
