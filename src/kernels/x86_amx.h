#pragma once
// Intel AMX kernels for packed matrices (kernels/pack.h), in their own translation unit built
// with target attributes (CONVENTIONS.md C7). Call only when DetectedCpu().amx_int8. Results equal
// the VNNI kernels' and the reference's exactly.

#include "kernels/x86_vnni.h"

namespace olla::kernels::internal {

// As PackedKernel, for a.n_tok a multiple of 16 (MatMul runs the rest on the VNNI kernel), with
// `scratch`: AmxScratchBytes(p) bytes, 64-byte aligned, private to the calling thread.
using AmxKernel = void (*)(const PackedMatrix& p, size_t g_begin, size_t g_end, const Acts& a,
                           float* y, size_t y_stride, uint8_t* scratch);

// The AMX kernel for p.format, or nullptr (other formats; non-x86 builds).
AmxKernel AmxPackedKernel(PackedFormat format);
size_t AmxScratchBytes(const PackedMatrix& p);

}  // namespace olla::kernels::internal
