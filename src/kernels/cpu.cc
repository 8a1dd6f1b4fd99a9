#include "kernels/cpu.h"

#include <cstdlib>
#include <string>

#include "hwy/targets.h"

#if defined(__x86_64__)
#include <cpuid.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace olla::kernels {
namespace {

#if defined(__x86_64__)
uint64_t ReadXcr0() {
  uint32_t eax = 0, edx = 0;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (static_cast<uint64_t>(edx) << 32) | eax;
}

// Linux (5.16+) keeps AMX tile data disabled until a process asks for it.
bool RequestAmxPermission() {
  constexpr int kArchReqXcompPerm = 0x1023;
  constexpr int kXfeatureXtiledata = 18;
  return syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) == 0;
}

CpuFeatures Detect() {
  CpuFeatures f;
  unsigned eax, ebx, ecx, edx;
  if (!__get_cpuid_count(1, 0, &eax, &ebx, &ecx, &edx)) return f;
  const bool osxsave = (ecx >> 27) & 1;
  if (!osxsave || !__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return f;
  const uint64_t xcr0 = ReadXcr0();
  const bool zmm_state = (xcr0 & 0xE6) == 0xE6;  // SSE, AVX, opmask, ZMM_Hi256, Hi16_ZMM
  const bool avx512f = (ebx >> 16) & 1, avx512dq = (ebx >> 17) & 1;
  const bool avx512bw = (ebx >> 30) & 1, avx512vl = (ebx >> 31) & 1;
  f.avx512 = zmm_state && avx512f && avx512dq && avx512bw && avx512vl;
  f.avx512_vnni = f.avx512 && ((ecx >> 11) & 1);
  const bool amx_tile = (edx >> 24) & 1, amx_int8 = (edx >> 25) & 1;
  const bool tile_state = (xcr0 & 0x60000) == 0x60000;  // XTILECFG, XTILEDATA
  f.amx_int8 = f.avx512_vnni && amx_tile && amx_int8 && tile_state && RequestAmxPermission();
  f.best = f.amx_int8 ? CpuPath::kAmx : f.avx512_vnni ? CpuPath::kAvx512Vnni : CpuPath::kHighway;
  return f;
}
#else
CpuFeatures Detect() { return CpuFeatures{}; }
#endif

// OLLA_CPU caps the kernels used (benchmarks, and tests of each path in one binary):
//   amx, vnni: at most that x86 path;  highway: Highway's best target only;
//   avx2, emu128, scalar: Highway limited to that target (others disabled).
CpuPath Capped(CpuPath best) {
  const char* env = std::getenv("OLLA_CPU");
  if (env == nullptr) return best;
  const std::string v = env;
  CpuPath cap = best;
  if (v == "vnni") cap = CpuPath::kAvx512Vnni;
  if (v == "highway" || v == "avx2" || v == "emu128" || v == "scalar") cap = CpuPath::kHighway;
  if (v == "avx2") hwy::DisableTargets(HWY_AVX3 | HWY_AVX3_DL);
  if (v == "emu128" || v == "scalar")
    hwy::DisableTargets(HWY_AVX3 | HWY_AVX3_DL | HWY_AVX2 | HWY_NEON);
  return static_cast<int>(cap) < static_cast<int>(best) ? cap : best;
}

}  // namespace

const CpuFeatures& DetectedCpu() {
  static const CpuFeatures features = Detect();
  return features;
}

CpuPath ActiveCpuPath() {
  static const CpuPath path = Capped(DetectedCpu().best);
  return path;
}

std::string_view CpuPathName(CpuPath path) {
  switch (path) {
    case CpuPath::kHighway:
      return "highway";
    case CpuPath::kAvx512Vnni:
      return "avx512-vnni";
    case CpuPath::kAmx:
      return "amx";
  }
  return "?";
}

std::string_view HighwayTargetName() {
  const int64_t targets = hwy::SupportedTargets() & HWY_TARGETS;
  // The best compiled and supported target is the lowest set bit (Highway orders them best-first).
  return hwy::TargetName(targets & -targets);
}

}  // namespace olla::kernels
