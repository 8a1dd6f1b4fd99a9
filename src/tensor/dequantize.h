#pragma once
// Reference dequantization: every supported tensor format to float32, scalar and readable. These
// are the oracle for the SIMD kernels and must equal ggml's to_float (dequantize_row_*) to the last
// bit, so each one evaluates its float expressions in ggml's order (e.g. Q4_K: (d*scale)*q -
// dmin*min). Block layouts are documented in blocks.h.

#include <cstddef>
#include <cstdint>

#include "base/status.h"
#include "tensor/blocks.h"
#include "tensor/dtype.h"

namespace olla::tensor {

// Converts `n_elems` elements of `type` at `src` (n_elems / block_elems blocks, packed) into
// dst[0, n_elems). Returns kUnsupported (naming the type) for types without a dequantizer and
// kInvalidArgument if n_elems is not a multiple of the type's block size. src must hold
// RowBytes(type, n_elems) bytes; no alignment is required beyond the block struct's.
Status Dequantize(DType type, const void* src, size_t n_elems, float* dst);

// A type-erased row dequantizer; n must be a multiple of the type's block size (unchecked).
using DequantizeRowFn = void (*)(const void* src, float* dst, size_t n);
// The row dequantizer of `type`, or nullptr if it has none.
DequantizeRowFn DequantizeRowFunction(DType type);

// Typed per-format functions: `n` elements (a multiple of the block size, unchecked).
void DequantizeRowF32(const float* x, float* y, size_t n);
void DequantizeRowF16(const uint16_t* x, float* y, size_t n);
void DequantizeRowBF16(const uint16_t* x, float* y, size_t n);
void DequantizeRowQ4_0(const BlockQ4_0* x, float* y, size_t n);
void DequantizeRowQ4_1(const BlockQ4_1* x, float* y, size_t n);
void DequantizeRowQ5_0(const BlockQ5_0* x, float* y, size_t n);
void DequantizeRowQ5_1(const BlockQ5_1* x, float* y, size_t n);
void DequantizeRowQ8_0(const BlockQ8_0* x, float* y, size_t n);
void DequantizeRowQ8_1(const BlockQ8_1* x, float* y, size_t n);
void DequantizeRowIQ4_NL(const BlockIQ4_NL* x, float* y, size_t n);
void DequantizeRowMXFP4(const BlockMXFP4* x, float* y, size_t n);
void DequantizeRowQ2_K(const BlockQ2_K* x, float* y, size_t n);
void DequantizeRowQ3_K(const BlockQ3_K* x, float* y, size_t n);
void DequantizeRowQ4_K(const BlockQ4_K* x, float* y, size_t n);
void DequantizeRowQ5_K(const BlockQ5_K* x, float* y, size_t n);
void DequantizeRowQ6_K(const BlockQ6_K* x, float* y, size_t n);
void DequantizeRowQ8_K(const BlockQ8_K* x, float* y, size_t n);
void DequantizeRowIQ4_XS(const BlockIQ4_XS* x, float* y, size_t n);

}  // namespace olla::tensor
