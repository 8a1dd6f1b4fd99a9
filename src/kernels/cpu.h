#pragma once
// The CPU paths beyond Highway's own targets (CONVENTIONS.md C7). Highway picks the best compiled
// target (AVX2, AVX-512, NEON, ...) by itself; what it cannot express in 1.0.3 lives in
// hand-written x86 translation units chosen here at run time: AVX-512 VNNI (vpdpbusd) kernels and
// Intel AMX tiles. Detection runs once per process from CPUID and XGETBV; AMX additionally needs
// the Linux permission request arch_prctl(ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) to succeed.

#include <string_view>

namespace olla::kernels {

// Ordered: each path also allows the ones before it.
enum class CpuPath { kHighway = 0, kAvx512Vnni = 1, kAmx = 2 };

struct CpuFeatures {
  bool avx512 = false;       // F, BW, DQ, VL, with OS support for the ZMM state
  bool avx512_vnni = false;  // and vpdpbusd
  bool amx_int8 = false;     // AMX-TILE and AMX-INT8, with the tile-data permission granted
  CpuPath best = CpuPath::kHighway;
};

// What this CPU (and OS) supports. Thread-safe; computed on first use.
const CpuFeatures& DetectedCpu();

// The path MatMul uses: DetectedCpu().best, capped by the environment variable OLLA_CPU if set
// (for benchmarks and tests; it never raises the path): amx, vnni, highway, or avx2 / emu128 /
// scalar, which also restrict Highway to that target. Read once; call it before any kernel runs
// (Model::Load does, by packing) so that all kernels see the same choice. Thread-safe.
CpuPath ActiveCpuPath();

std::string_view CpuPathName(CpuPath path);  // "highway", "avx512-vnni", "amx"

// The Highway target the dispatcher chose for this CPU, e.g. "AVX3" or "AVX2".
std::string_view HighwayTargetName();

}  // namespace olla::kernels
