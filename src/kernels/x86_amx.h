#pragma once
// Intel AMX kernels for packed matrices (kernels/pack.h), in their own translation unit built
// with target attributes (DESIGN.md C7). Call only when DetectedCpu().amx_int8. Results equal the
// VNNI kernels' and the reference's exactly.

#include "kernels/x86_vnni.h"

namespace olla::kernels::internal {

// The AMX kernel for p.format, or nullptr (other formats; non-x86 builds). It handles tokens in
// tiles of 16: a.n_tok must be a multiple of 16 (MatMul runs the rest on the VNNI kernel).
PackedKernel AmxPackedKernel(PackedFormat format);

}  // namespace olla::kernels::internal
