// Dispatch and threading of the float-weight GEMM (bodies in gemm_float-inl.h): the activations
// are packed once per call, shared by all threads, into tiles of the target's token width,
// [column][token], zero past the last token and column; then each thread runs the blocked
// kernels on its rows.

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/gemm_float.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "kernels/gemm_float-inl.h"

#if HWY_ONCE
#include <algorithm>
#include <cstring>

namespace olla::kernels {
HWY_EXPORT(GemmTileTokens);
HWY_EXPORT(GemmRowsF32);
HWY_EXPORT(GemmRowsF16);
HWY_EXPORT(GemmRowsBF16);

namespace internal {
namespace {

constexpr size_t kUnitRows = 16;  // MatMul's unit of work: one cache line of y

size_t RoundUp(size_t n, size_t m) { return (n + m - 1) / m * m; }

using GemmRowsFn = void (*)(const WeightRows&, size_t, size_t, const float*, size_t, size_t, float*,
                            size_t, float*, float*);

// Tile j of the activations: tokens [j * tile, (j + 1) * tile) as dst[k * tile + t].
void PackActsTile(const Acts& a, size_t j, size_t tile, size_t kp, float* dst) {
  const size_t n = a.n_cols, t0 = j * tile, nt = std::min(tile, a.n_tok - t0);
  constexpr size_t kChunk = 64;  // columns per pass: the destination chunk stays in L1
  for (size_t k0 = 0; k0 < kp; k0 += kChunk) {
    const size_t k1 = std::min(kp, k0 + kChunk), kv = std::min(k1, std::max(k0, n));
    float* d = dst + k0 * tile;
    if (nt < tile) std::memset(d, 0, (k1 - k0) * tile * sizeof(float));
    for (size_t t = 0; t < nt; ++t) {
      const float* src = a.f + (t0 + t) * n;
      for (size_t k = k0; k < kv; ++k) dst[k * tile + t] = src[k];
      for (size_t k = kv; k < k1; ++k) dst[k * tile + t] = 0.0f;
    }
  }
}

}  // namespace

bool IsFloatGemmType(tensor::DType type) {
  return type == tensor::DType::kF32 || type == tensor::DType::kF16 || type == tensor::DType::kBF16;
}

size_t FloatGemmActsBytes(size_t n_tok, size_t n_cols) {
  return RoundUp(n_tok, kGemmMaxTileTokens) * RoundUp(n_cols, kGemmColGroup) * sizeof(float);
}

void FloatGemm(tensor::DType type, const WeightRows& w, size_t n_rows, const Acts& a,
               uint8_t* acts_buf, float* y, ThreadPool& pool) {
  GemmRowsFn rows_fn = nullptr;
  switch (type) {
    case tensor::DType::kF32:
      rows_fn = HWY_DYNAMIC_DISPATCH(GemmRowsF32);
      break;
    case tensor::DType::kF16:
      rows_fn = HWY_DYNAMIC_DISPATCH(GemmRowsF16);
      break;
    case tensor::DType::kBF16:
      rows_fn = HWY_DYNAMIC_DISPATCH(GemmRowsBF16);
      break;
    default:
      return;
  }
  const size_t tile = HWY_DYNAMIC_DISPATCH(GemmTileTokens)();
  const size_t kp = RoundUp(w.n_cols, kGemmColGroup);
  const size_t n_tiles = (a.n_tok + tile - 1) / tile;
  float* bpack = reinterpret_cast<float*>(acts_buf);
  pool.ParallelFor(n_tiles, [&](size_t b, size_t e, size_t) {
    for (size_t j = b; j < e; ++j) PackActsTile(a, j, tile, kp, bpack + j * kp * tile);
  });

  const size_t n_units = (n_rows + kUnitRows - 1) / kUnitRows;
  const size_t n_threads = std::min(pool.size(), n_units);
  const size_t a_floats = kGemmRowBlock * kGemmKBlock, c_floats = kGemmRowBlock * kGemmTokenBlock;
  pool.Run([&](size_t tid) {
    if (tid >= n_threads) return;
    const size_t r_begin = n_units * tid / n_threads * kUnitRows;
    const size_t r_end = std::min(n_rows, n_units * (tid + 1) / n_threads * kUnitRows);
    auto* scratch =
        reinterpret_cast<float*>(pool.Scratch(tid, (a_floats + c_floats) * sizeof(float)));
    rows_fn(w, r_begin, r_end, bpack, a.n_tok, kp, y, n_rows, scratch, scratch + a_floats);
  });
}

}  // namespace internal
}  // namespace olla::kernels
#endif  // HWY_ONCE
