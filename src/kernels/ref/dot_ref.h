#pragma once
// Scalar reference dot products between one weight row and one activation row that was quantized
// to the weight type's activation format (as ggml does): the oracle for the SIMD kernels and the
// portable fallback. Integer partial sums within a block are exact; floats enter per block.

#include <cstddef>

namespace olla::kernels::ref {

// `n` is the row length in elements; `w` points at the weight row, `a` at the activation row in
// the format given by DotTraits::act_type.
float DotF32(size_t n, const void* w, const void* a);
float DotF16(size_t n, const void* w, const void* a);     // a: F16
float DotBF16(size_t n, const void* w, const void* a);    // a: BF16
float DotQ4_0(size_t n, const void* w, const void* a);    // a: Q8_0
float DotQ4_1(size_t n, const void* w, const void* a);    // a: Q8_1
float DotQ5_0(size_t n, const void* w, const void* a);    // a: Q8_0
float DotQ5_1(size_t n, const void* w, const void* a);    // a: Q8_1
float DotQ8_0(size_t n, const void* w, const void* a);    // a: Q8_0
float DotIQ4_NL(size_t n, const void* w, const void* a);  // a: Q8_0
float DotMXFP4(size_t n, const void* w, const void* a);   // a: Q8_0
float DotQ2_K(size_t n, const void* w, const void* a);    // a: Q8_K
float DotQ3_K(size_t n, const void* w, const void* a);    // a: Q8_K
float DotQ4_K(size_t n, const void* w, const void* a);    // a: Q8_K
float DotQ5_K(size_t n, const void* w, const void* a);    // a: Q8_K
float DotQ6_K(size_t n, const void* w, const void* a);    // a: Q8_K
float DotIQ4_XS(size_t n, const void* w, const void* a);  // a: Q8_K

// ((v0 + v4) + (v2 + v6)) + ((v1 + v5) + (v3 + v7)): the order in which ggml's x86 kernels
// (hsum_float_8) reduce eight float accumulators.
float HorizontalSum8(const float v[8]);

}  // namespace olla::kernels::ref
