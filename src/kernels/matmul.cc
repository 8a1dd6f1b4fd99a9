// MatMul: y = x · wᵀ for every weight type. One call
//   1. converts the activations once into the weight type's activation format (Acts): Q8_0, Q8_1
//      or Q8_K blocks quantized exactly as the reference quantizers do, or floats rounded to
//      F16/BF16;
//   2. splits the rows across the pool's threads in chunks of whole cache lines of y;
//   3. walks each thread's rows in blocks that stay in L2 while chunks of tokens stream past them,
//      calling the kernel chosen for the CPU (kernels/cpu.h) on each (row block, token chunk).
// A single token (generation) skips the blocking: each weight byte is read once. Float weights
// against 16 or more tokens take the GEMM of gemm_float.cc instead of steps 2-3.

#include <algorithm>
#include <cstring>
#include <vector>

#include "base/check.h"
#include "kernels/cpu.h"
#include "kernels/internal.h"
#include "kernels/ops.h"
#include "kernels/pack.h"
#include "kernels/x86_amx.h"
#include "kernels/x86_vnni.h"
#include "tensor/blocks.h"
#include "tensor/half.h"

namespace olla::kernels {

using internal::Acts;
using internal::RowsKernel;
using internal::WeightRows;
using tensor::DType;

namespace {

enum class ActKind { kF32, kF16, kBF16, kQ8_0, kQ8_1, kQ8_K };

ActKind ActKindOf(DType act_type) {
  switch (act_type) {
    case DType::kF16:
      return ActKind::kF16;
    case DType::kBF16:
      return ActKind::kBF16;
    case DType::kQ8_0:
      return ActKind::kQ8_0;
    case DType::kQ8_1:
      return ActKind::kQ8_1;
    case DType::kQ8_K:
      return ActKind::kQ8_K;
    default:
      return ActKind::kF32;
  }
}

constexpr size_t kAlign = 64;
size_t AlignUp(size_t n) { return (n + kAlign - 1) / kAlign * kAlign; }

// Where each array of an Acts lives inside one buffer.
struct ActsLayout {
  size_t qs = 0, d = 0, s = 0, qsum = 0, bsums = 0, f = 0, total = 0;
};

ActsLayout LayoutFor(ActKind kind, size_t n_tok, size_t n_cols) {
  ActsLayout l;
  size_t at = 0;
  auto take = [&](size_t bytes) {
    const size_t off = at;
    at += AlignUp(bytes);
    return off;
  };
  switch (kind) {
    case ActKind::kF32:
    case ActKind::kF16:
    case ActKind::kBF16:
      l.f = take(n_tok * n_cols * sizeof(float));
      break;
    case ActKind::kQ8_0:
    case ActKind::kQ8_1:
      l.qs = take(n_tok * n_cols);
      l.d = take(n_tok * (n_cols / 32) * sizeof(float));
      l.s = take(n_tok * (n_cols / 32) * sizeof(float));
      l.qsum = take(n_tok * (n_cols / 32) * sizeof(int32_t));
      break;
    case ActKind::kQ8_K:
      l.qs = take(n_tok * n_cols);
      l.d = take(n_tok * (n_cols / 256) * sizeof(float));
      l.bsums = take(n_tok * (n_cols / 16) * sizeof(int16_t));
      break;
  }
  l.total = at;
  return l;
}

Acts ActsIn(uint8_t* buf, const ActsLayout& l, ActKind kind, size_t n_tok, size_t n_cols) {
  Acts a;
  a.n_tok = n_tok;
  a.n_cols = n_cols;
  if (kind == ActKind::kF32 || kind == ActKind::kF16 || kind == ActKind::kBF16) {
    a.f = reinterpret_cast<const float*>(buf + l.f);
    return a;
  }
  a.qs = reinterpret_cast<const int8_t*>(buf + l.qs);
  a.d = reinterpret_cast<const float*>(buf + l.d);
  if (kind == ActKind::kQ8_K) {
    a.bsums = reinterpret_cast<const int16_t*>(buf + l.bsums);
  } else {
    a.s = reinterpret_cast<const float*>(buf + l.s);
    a.qsum = reinterpret_cast<const int32_t*>(buf + l.qsum);
  }
  return a;
}

// Converts activation row t of x into `a` (whose arrays live in writable memory).
void ConvertRow(ActKind kind, const float* x, size_t t, const Acts& a) {
  const size_t n = a.n_cols;
  const float* xr = x + t * n;
  // Float kinds have no qs array: no arithmetic on its null pointer (undefined, UBSan says).
  int8_t* qs = a.qs ? const_cast<int8_t*>(a.qs) + t * n : nullptr;
  switch (kind) {
    case ActKind::kF32:
      std::memcpy(const_cast<float*>(a.f) + t * n, xr, n * sizeof(float));
      break;
    case ActKind::kF16:
      internal::RoundRowF16(xr, n, const_cast<float*>(a.f) + t * n);
      break;
    case ActKind::kBF16:
      internal::RoundRowBF16(xr, n, const_cast<float*>(a.f) + t * n);
      break;
    case ActKind::kQ8_0:
      internal::QuantizeRowQ8_0(xr, n, qs, const_cast<float*>(a.d) + t * (n / 32),
                                const_cast<int32_t*>(a.qsum) + t * (n / 32));
      break;
    case ActKind::kQ8_1:
      internal::QuantizeRowQ8_1(xr, n, qs, const_cast<float*>(a.d) + t * (n / 32),
                                const_cast<float*>(a.s) + t * (n / 32),
                                const_cast<int32_t*>(a.qsum) + t * (n / 32));
      break;
    case ActKind::kQ8_K:
      internal::QuantizeRowQ8_K(xr, n, qs, const_cast<float*>(a.d) + t * (n / 256),
                                const_cast<int16_t*>(a.bsums) + t * (n / 16));
      break;
  }
}

// Tokens [t0, t0 + n) of a.
Acts TokenRange(const Acts& a, size_t t0, size_t n) {
  Acts s = a;
  s.n_tok = n;
  const size_t nc = a.n_cols;
  if (a.f) s.f = a.f + t0 * nc;
  if (a.qs) s.qs = a.qs + t0 * nc;
  if (a.bsums) {
    s.d = a.d + t0 * (nc / 256);
    s.bsums = a.bsums + t0 * (nc / 16);
  } else if (a.d) {
    s.d = a.d + t0 * (nc / 32);
    s.s = a.s + t0 * (nc / 32);
    s.qsum = a.qsum + t0 * (nc / 32);
  }
  return s;
}

RowsKernel HighwayKernel(DType type) {
  if (RowsKernel k = internal::HighwayFloatRowsKernel(type)) return k;
  if (RowsKernel k = internal::HighwayLegacyRowsKernel(type)) return k;
  return internal::HighwayKRowsKernel(type);
}

// Cache budgets of the blocking: a block of weight rows and a chunk of activations together
// stay in a core's L2 (>= 1 MiB on the CPUs we target).
constexpr size_t kWeightBlockBytes = 512 << 10;
constexpr size_t kActChunkBytes = 256 << 10;
constexpr size_t kAmxActChunkBytes = 1 << 20;
constexpr size_t kRowAlign = 16;
constexpr size_t kAmxTokens = 16;  // rows of an AMX activation tile
// Token chunks are multiples of the kernels' token tiles (float: 3, 4 or 6; VNNI: 8; AMX: 16), so
// only the end of a batch has partial tiles. Float activations are 4 bytes per element: their
// chunks stay smaller (measured: 24 rows of 8192 floats run at full speed, 96 at half).
constexpr size_t kFloatTokenQuantum = 24;
constexpr size_t kQuantTokenQuantum = 48;

size_t ActBytesPerToken(ActKind kind, size_t n_cols) {
  return kind == ActKind::kF32 || kind == ActKind::kF16 || kind == ActKind::kBF16
             ? n_cols * sizeof(float)
             : n_cols + n_cols / 8;
}

}  // namespace

namespace internal {

void MatMulOnPath(CpuPath path, const QMatrix& w, const float* x, size_t n_tok, float* y,
                  ThreadPool& pool, int variant) {
  const DotTraits* traits = FindDotTraits(w.type);
  OLLA_CHECK(traits != nullptr);  // the engine validates weight types at load
  // Never beyond what this CPU and OS allow (AMX also needs the tile-data permission).
  if (static_cast<int>(path) > static_cast<int>(DetectedCpu().best)) path = DetectedCpu().best;
  PackedKernel packed = nullptr;
  AmxKernel amx = nullptr;
  if (w.packed != nullptr && path != CpuPath::kHighway) packed = VnniPackedKernel(w.packed->format);
  if (packed != nullptr && path == CpuPath::kAmx && n_tok >= kAmxTokens)
    amx = AmxPackedKernel(w.packed->format);
  const RowsKernel rows_kernel = packed ? nullptr : HighwayKernel(w.type);
  OLLA_CHECK(packed != nullptr || rows_kernel != nullptr);

  const ActKind kind = ActKindOf(traits->act_type);
  const ActsLayout layout = LayoutFor(kind, n_tok, w.n_cols);
  // Float weights against a batch: the GEMM (gemm_float.cc) packs the converted activations
  // into its own layout after them in the same buffer.
  const bool float_gemm = rows_kernel != nullptr && n_tok >= internal::kFloatGemmMinTokens &&
                          internal::IsFloatGemmType(w.type);
  const size_t gemm_bytes = float_gemm ? internal::FloatGemmActsBytes(n_tok, w.n_cols) : 0;
  uint8_t* buf = pool.Scratch(pool.size(), layout.total + gemm_bytes);
  Acts acts = ActsIn(buf, layout, kind, n_tok, w.n_cols);
  acts.variant = variant;
  if (n_tok == 1) {
    ConvertRow(kind, x, 0, acts);
  } else {
    pool.ParallelFor(n_tok, [&](size_t b, size_t e, size_t) {
      for (size_t t = b; t < e; ++t) ConvertRow(kind, x, t, acts);
    });
  }
  if (float_gemm) {
    internal::FloatGemm(w.type, WeightRows{w.data, w.row_bytes, w.n_cols}, w.n_rows, acts,
                        buf + layout.total, y, pool);
    return;
  }

  // Work is split in units of 16 rows (a packed group; 16 floats of y are one cache line).
  const size_t n_units = (w.n_rows + kRowAlign - 1) / kRowAlign;
  const size_t n_threads = std::min(pool.size(), n_units);
  const size_t unit_bytes = packed ? w.packed->group_bytes : kRowAlign * w.row_bytes;
  const size_t units_per_block =
      std::max<size_t>(1, kWeightBlockBytes / std::max<size_t>(unit_bytes, 1));
  // AMX expands each group's weights into a panel once per chunk: give it longer chunks.
  const size_t act_chunk_bytes = amx ? kAmxActChunkBytes : kActChunkBytes;
  const bool float_acts = kind == ActKind::kF32 || kind == ActKind::kF16 || kind == ActKind::kBF16;
  const size_t quantum = float_acts ? kFloatTokenQuantum : kQuantTokenQuantum;
  const size_t tok_chunk = std::max<size_t>(
      quantum, act_chunk_bytes / ActBytesPerToken(kind, w.n_cols) / quantum * quantum);
  const WeightRows rows{w.data, w.row_bytes, w.n_cols};
  auto run = [&](size_t tid, size_t ub, size_t ue, const Acts& a, float* ya) {
    if (amx && a.n_tok >= kAmxTokens) {  // AMX for whole tiles of tokens, VNNI for the rest
      const size_t n_amx = a.n_tok / kAmxTokens * kAmxTokens;
      amx(*w.packed, ub, ue, TokenRange(a, 0, n_amx), ya, w.n_rows,
          pool.Scratch(tid, AmxScratchBytes(*w.packed)));
      if (n_amx < a.n_tok)
        packed(*w.packed, ub, ue, TokenRange(a, n_amx, a.n_tok - n_amx), ya + n_amx * w.n_rows,
               w.n_rows);
    } else if (packed) {
      packed(*w.packed, ub, ue, a, ya, w.n_rows);
    } else {
      rows_kernel(rows, ub * kRowAlign, std::min(w.n_rows, ue * kRowAlign), a, ya, w.n_rows);
    }
  };
  pool.Run([&](size_t tid) {
    if (tid >= n_threads) return;
    const size_t u_begin = n_units * tid / n_threads, u_end = n_units * (tid + 1) / n_threads;
    if (n_tok == 1) {
      run(tid, u_begin, u_end, acts, y);
      return;
    }
    // A block of weights stays in L2 while chunks of tokens stream past it.
    for (size_t ub = u_begin; ub < u_end; ub += units_per_block) {
      const size_t ue = std::min(u_end, ub + units_per_block);
      for (size_t t0 = 0; t0 < n_tok; t0 += tok_chunk) {
        const size_t nt = std::min(tok_chunk, n_tok - t0);
        run(tid, ub, ue, TokenRange(acts, t0, nt), y + t0 * w.n_rows);
      }
    }
  });
}

}  // namespace internal

void MatMul(const QMatrix& w, const float* x, size_t n_tok, float* y, ThreadPool& pool) {
  internal::MatMulOnPath(ActiveCpuPath(), w, x, n_tok, y, pool, /*variant=*/0);
}

// ---- DotTraits: one row against one activation row in the standard block format ---------------

namespace {

// Converts one activation row of act_type (tensor block layout) to split Acts form and runs the
// portable kernel on one weight row.
float DotViaKernel(DType w_type, DType act_type, size_t n, const void* w, const void* act) {
  const ActKind kind = ActKindOf(act_type);
  const ActsLayout layout = LayoutFor(kind, 1, n);
  std::vector<uint8_t> buf(layout.total + kAlign);
  uint8_t* base = buf.data() + (kAlign - reinterpret_cast<uintptr_t>(buf.data()) % kAlign) % kAlign;
  const Acts a = ActsIn(base, layout, kind, 1, n);
  auto* qs = const_cast<int8_t*>(a.qs);
  auto* d = const_cast<float*>(a.d);
  switch (kind) {
    case ActKind::kF32:
      std::memcpy(const_cast<float*>(a.f), act, n * sizeof(float));
      break;
    case ActKind::kF16:
    case ActKind::kBF16: {
      const auto* h = static_cast<const uint16_t*>(act);
      for (size_t i = 0; i < n; ++i)
        const_cast<float*>(a.f)[i] =
            kind == ActKind::kF16 ? tensor::F16ToF32(h[i]) : tensor::BF16ToF32(h[i]);
      break;
    }
    case ActKind::kQ8_0:
    case ActKind::kQ8_1:
      for (size_t b = 0; b < n / 32; ++b) {
        const int8_t* bq;
        if (kind == ActKind::kQ8_0) {
          const auto& blk = static_cast<const tensor::BlockQ8_0*>(act)[b];
          bq = blk.qs;
          d[b] = tensor::F16ToF32(blk.d);
        } else {
          const auto& blk = static_cast<const tensor::BlockQ8_1*>(act)[b];
          bq = blk.qs;
          d[b] = tensor::F16ToF32(blk.d);
          const_cast<float*>(a.s)[b] = tensor::F16ToF32(blk.s);
        }
        std::memcpy(qs + 32 * b, bq, 32);
        int32_t sum = 0;
        for (int j = 0; j < 32; ++j) sum += bq[j];
        const_cast<int32_t*>(a.qsum)[b] = sum;
      }
      break;
    case ActKind::kQ8_K:
      for (size_t b = 0; b < n / 256; ++b) {
        const auto& blk = static_cast<const tensor::BlockQ8_K*>(act)[b];
        std::memcpy(qs + 256 * b, blk.qs, 256);
        d[b] = blk.d;
        std::memcpy(const_cast<int16_t*>(a.bsums) + 16 * b, blk.bsums, sizeof(blk.bsums));
      }
      break;
  }
  const WeightRows rows{static_cast<const uint8_t*>(w), 0, n};
  float y = 0;
  HighwayKernel(w_type)(rows, 0, 1, a, &y, 1);
  return y;
}

template <DType kW, DType kA>
float Dot(size_t n, const void* w, const void* a) {
  return DotViaKernel(kW, kA, n, w, a);
}

}  // namespace

const DotTraits* FindDotTraits(DType weight_type) {
  static const DotTraits kF32{DType::kF32, Dot<DType::kF32, DType::kF32>};
  static const DotTraits kF16{DType::kF16, Dot<DType::kF16, DType::kF16>};
  static const DotTraits kBF16{DType::kBF16, Dot<DType::kBF16, DType::kBF16>};
  static const DotTraits kQ4_0{DType::kQ8_0, Dot<DType::kQ4_0, DType::kQ8_0>};
  static const DotTraits kQ4_1{DType::kQ8_1, Dot<DType::kQ4_1, DType::kQ8_1>};
  static const DotTraits kQ5_0{DType::kQ8_0, Dot<DType::kQ5_0, DType::kQ8_0>};
  static const DotTraits kQ5_1{DType::kQ8_1, Dot<DType::kQ5_1, DType::kQ8_1>};
  static const DotTraits kQ8_0{DType::kQ8_0, Dot<DType::kQ8_0, DType::kQ8_0>};
  static const DotTraits kIQ4_NL{DType::kQ8_0, Dot<DType::kIQ4_NL, DType::kQ8_0>};
  static const DotTraits kMXFP4{DType::kQ8_0, Dot<DType::kMXFP4, DType::kQ8_0>};
  static const DotTraits kQ2_K{DType::kQ8_K, Dot<DType::kQ2_K, DType::kQ8_K>};
  static const DotTraits kQ3_K{DType::kQ8_K, Dot<DType::kQ3_K, DType::kQ8_K>};
  static const DotTraits kQ4_K{DType::kQ8_K, Dot<DType::kQ4_K, DType::kQ8_K>};
  static const DotTraits kQ5_K{DType::kQ8_K, Dot<DType::kQ5_K, DType::kQ8_K>};
  static const DotTraits kQ6_K{DType::kQ8_K, Dot<DType::kQ6_K, DType::kQ8_K>};
  static const DotTraits kIQ4_XS{DType::kQ8_K, Dot<DType::kIQ4_XS, DType::kQ8_K>};
  switch (weight_type) {
    case DType::kF32:
      return &kF32;
    case DType::kF16:
      return &kF16;
    case DType::kBF16:
      return &kBF16;
    case DType::kQ4_0:
      return &kQ4_0;
    case DType::kQ4_1:
      return &kQ4_1;
    case DType::kQ5_0:
      return &kQ5_0;
    case DType::kQ5_1:
      return &kQ5_1;
    case DType::kQ8_0:
      return &kQ8_0;
    case DType::kIQ4_NL:
      return &kIQ4_NL;
    case DType::kMXFP4:
      return &kMXFP4;
    case DType::kQ2_K:
      return &kQ2_K;
    case DType::kQ3_K:
      return &kQ3_K;
    case DType::kQ4_K:
      return &kQ4_K;
    case DType::kQ5_K:
      return &kQ5_K;
    case DType::kQ6_K:
      return &kQ6_K;
    case DType::kIQ4_XS:
      return &kIQ4_XS;
    default:
      return nullptr;
  }
}

}  // namespace olla::kernels
