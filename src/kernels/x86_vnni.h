#pragma once
// Kernels for packed matrices (kernels/pack.h) with AVX-512 VNNI (vpdpbusd), in their own
// translation unit compiled for that ISA (CONVENTIONS.md C7: Highway 1.0.3 has no int8 dot
// products). Call only when DetectedCpu().avx512_vnni. Each output lane is one row, and each lane
// evaluates the reference's integer sums and float expressions in the reference's order, so the
// results equal ref::Dot* exactly.

#include <cstddef>

#include "kernels/internal.h"
#include "kernels/pack.h"

namespace olla::kernels::internal {

// y[t * y_stride + r] for the rows of groups [g_begin, g_end) (rows past p.n_rows are not
// written) and every token of `a` (in the act format of p.type).
using PackedKernel = void (*)(const PackedMatrix& p, size_t g_begin, size_t g_end, const Acts& a,
                              float* y, size_t y_stride);

// The VNNI kernel for p.format; nullptr if this build has none (non-x86).
PackedKernel VnniPackedKernel(PackedFormat format);

}  // namespace olla::kernels::internal
