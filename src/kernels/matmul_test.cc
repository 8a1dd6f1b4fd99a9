// MatMul and its kernels against the scalar reference (CONVENTIONS.md C8), on every Highway target
// the CPU supports and on each hand-written x86 path (VNNI, AMX) it has.
//
// Budgets:
//   * legacy and k-quant types, on every path (Highway targets, VNNI, AMX): exact. Block integer
//     sums are exact and the floats are combined in ref::Dot*'s order, so results are identical.
//   * F32/F16/BF16: |Δ| ≤ 2e-6 · Σ|w·a| (products of F16/BF16-rounded values are exact in F32;
//     the sum is reordered into vector lanes, or, in the batch GEMM, is one FMA chain). Measured
//     worst cases are ~10x below.

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <iterator>
#include <random>
#include <vector>

#include "base/str_cat.h"
#include "hwy/targets.h"
#include "kernels/cpu.h"
#include "kernels/internal.h"
#include "kernels/ops.h"
#include "kernels/pack.h"
#include "kernels/ref/dot_ref.h"
#include "tensor/blocks.h"
#include "tensor/dequantize.h"
#include "tensor/half.h"
#include "tensor/quantize.h"

namespace olla::kernels {
namespace {

using tensor::DType;

std::vector<float> RandomVector(size_t n, uint32_t seed, float scale = 1.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, scale);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(rng);
  return v;
}

struct TypeCase {
  DType type;
  float (*ref)(size_t, const void*, const void*);
  bool exact_on_highway;
};
const TypeCase kTypes[] = {
    {DType::kF32, ref::DotF32, false},      {DType::kF16, ref::DotF16, false},
    {DType::kBF16, ref::DotBF16, false},    {DType::kQ4_0, ref::DotQ4_0, true},
    {DType::kQ4_1, ref::DotQ4_1, true},     {DType::kQ5_0, ref::DotQ5_0, true},
    {DType::kQ5_1, ref::DotQ5_1, true},     {DType::kQ8_0, ref::DotQ8_0, true},
    {DType::kIQ4_NL, ref::DotIQ4_NL, true}, {DType::kQ2_K, ref::DotQ2_K, true},
    {DType::kQ3_K, ref::DotQ3_K, true},     {DType::kQ4_K, ref::DotQ4_K, true},
    {DType::kQ5_K, ref::DotQ5_K, true},     {DType::kQ6_K, ref::DotQ6_K, true},
    {DType::kIQ4_XS, ref::DotIQ4_XS, true}, {DType::kMXFP4, ref::DotMXFP4, true},
};

constexpr double kFloatBudget = 2e-6;

// Runs `fn` once for each Highway target that is compiled in and supported by this CPU.
template <typename Fn>
void ForEachHighwayTarget(Fn fn) {
  for (int64_t target : hwy::SupportedAndGeneratedTargets()) {
    hwy::SetSupportedTargetsForTest(target);
    SCOPED_TRACE(hwy::TargetName(target));
    fn(hwy::TargetName(target));
  }
  hwy::SetSupportedTargetsForTest(0);
}

// The CPU paths to test: Highway always, the x86 kernels where the CPU has them.
std::vector<CpuPath> PathsToTest() {
  std::vector<CpuPath> paths = {CpuPath::kHighway};
  if (DetectedCpu().avx512_vnni) paths.push_back(CpuPath::kAvx512Vnni);
  if (DetectedCpu().amx_int8) paths.push_back(CpuPath::kAmx);
  return paths;
}

// A quantized weight matrix with its reference results against n_tok activation rows.
struct Problem {
  DType type;
  size_t rows, cols, n_tok;
  std::vector<uint8_t> w, act;  // act: standard blocks of the activation type
  std::vector<float> x;
  std::vector<double> want, abs_sum;  // [n_tok, rows]
  QMatrix m;
};

Problem MakeProblem(const TypeCase& tc, size_t rows, size_t cols, size_t n_tok, uint32_t seed) {
  Problem p{tc.type, rows, cols, n_tok, {}, {}, {}, {}, {}, {}};
  const DotTraits* traits = FindDotTraits(tc.type);
  const size_t w_row = *tensor::RowBytes(tc.type, cols),
               a_row = *tensor::RowBytes(traits->act_type, cols);
  std::vector<float> wf = RandomVector(rows * cols, seed, 0.02f);
  p.x = RandomVector(n_tok * cols, seed + 1);
  p.w.resize(rows * w_row);
  p.act.resize(n_tok * a_row);
  EXPECT_TRUE(tensor::Quantize(tc.type, wf.data(), wf.size(), p.w.data()).ok());
  EXPECT_TRUE(tensor::Quantize(traits->act_type, p.x.data(), p.x.size(), p.act.data()).ok());
  std::vector<float> wd(cols), ad(cols);
  for (size_t t = 0; t < n_tok; ++t) {
    (void)tensor::Dequantize(traits->act_type, p.act.data() + t * a_row, cols, ad.data());
    for (size_t r = 0; r < rows; ++r) {
      p.want.push_back(tc.ref(cols, p.w.data() + r * w_row, p.act.data() + t * a_row));
      (void)tensor::Dequantize(tc.type, p.w.data() + r * w_row, cols, wd.data());
      double s = 0;
      for (size_t i = 0; i < cols; ++i) s += std::fabs(static_cast<double>(wd[i]) * ad[i]);
      p.abs_sum.push_back(s);
    }
  }
  p.m = QMatrix{tc.type, p.w.data(), rows, cols, w_row};
  return p;
}

void ExpectMatches(const Problem& p, const std::vector<float>& got, bool exact, double budget,
                   const std::string& what) {
  size_t bad = 0;
  for (size_t i = 0; i < got.size() && bad < 5; ++i) {
    if (exact) {
      if (got[i] != static_cast<float>(p.want[i])) {
        ++bad;
        ADD_FAILURE() << what << " " << tensor::Name(p.type) << " out " << i << ": " << got[i]
                      << " != " << p.want[i];
      }
    } else if (std::fabs(got[i] - p.want[i]) > budget * p.abs_sum[i] + 1e-30) {
      ++bad;
      ADD_FAILURE() << what << " " << tensor::Name(p.type) << " out " << i << ": " << got[i]
                    << " vs " << p.want[i] << " (budget " << budget * p.abs_sum[i] << ")";
    }
  }
}

TEST(MatMulTest, EveryTypeMatchesReferenceOnEveryHighwayTarget) {
  ForEachHighwayTarget([](const char* target) {
    for (const TypeCase& tc : kTypes) {
      for (size_t n_tok : {1, 3, 6}) {
        Problem p = MakeProblem(tc, 19, 512, n_tok, 7);
        std::vector<float> y(n_tok * p.rows);
        ThreadPool pool(2);
        internal::MatMulOnPath(CpuPath::kHighway, p.m, p.x.data(), n_tok, y.data(), pool);
        ExpectMatches(p, y, tc.exact_on_highway, kFloatBudget, target);
      }
    }
  });
}

TEST(MatMulTest, DotTraitsMatchReferenceOnEveryHighwayTarget) {
  ForEachHighwayTarget([](const char* target) {
    for (const TypeCase& tc : kTypes) {
      Problem p = MakeProblem(tc, 3, 256, 1, 11);
      const DotTraits* traits = FindDotTraits(tc.type);
      std::vector<float> y;
      for (size_t r = 0; r < p.rows; ++r)
        y.push_back(traits->dot(p.cols, p.w.data() + r * p.m.row_bytes, p.act.data()));
      ExpectMatches(p, y, tc.exact_on_highway, kFloatBudget, target);
    }
  });
}

// Odd shapes on every path (packed where the path packs the type): rows that are not a multiple
// of any tile, 1..40 tokens (AMX takes whole tiles of 16, VNNI the rest), 1 and 3 threads.
TEST(MatMulTest, OddShapesOnEveryCpuPath) {
  for (CpuPath path : PathsToTest()) {
    for (const TypeCase& tc : kTypes) {
      for (size_t n_tok : {1, 2, 3, 4, 5, 9, 13, 16, 17, 40}) {
        // 133 rows: 9 groups of 16, so generation (n_tok 1) also runs its four-group tiles.
        Problem p =
            MakeProblem(tc, n_tok == 1 ? 133 : 37, 768, n_tok, static_cast<uint32_t>(100 + n_tok));
        for (size_t threads : {1, 3}) {
          ThreadPool pool(threads);
          QMatrix m = p.m;
          std::unique_ptr<PackedMatrix> packed = PackMatrix(m, path, pool);
          EXPECT_EQ(packed != nullptr, HasPackedKernel(tc.type, path));
          m.packed = packed.get();
          std::vector<float> y(n_tok * p.rows);
          internal::MatMulOnPath(path, m, p.x.data(), n_tok, y.data(), pool);
          ExpectMatches(p, y, tc.exact_on_highway, kFloatBudget,
                        StrCat(CpuPathName(path), packed ? " packed" : "", " n_tok=", n_tok,
                               " threads=", threads));
        }
      }
    }
  }
}

// The quantized kernels' tiles (AVX2: 8 rows of legacy blocks or 4 rows of k-quants, 2 tokens)
// and their edges on every Highway target: every row count from 1 to 19 on one thread (a tile and
// any tail of single rows) against 1 to 7 tokens (pairs plus an odd token).
TEST(MatMulTest, QuantizedTileEdgesOnEveryHighwayTarget) {
  ForEachHighwayTarget([](const char* target) {
    ThreadPool pool(1);
    for (const TypeCase& tc : kTypes) {
      if (!tc.exact_on_highway) continue;
      for (size_t rows = 1; rows <= 19; rows += 3) {
        for (size_t n_tok = 1; n_tok <= 7; ++n_tok) {
          Problem p = MakeProblem(tc, rows, 512, n_tok, static_cast<uint32_t>(rows * 8 + n_tok));
          std::vector<float> y(n_tok * rows, std::nanf(""));
          internal::MatMulOnPath(CpuPath::kHighway, p.m, p.x.data(), n_tok, y.data(), pool);
          ExpectMatches(p, y, true, 0.0, StrCat(target, " rows=", rows, " n_tok=", n_tok));
        }
      }
    }
  });
}

// The float-weight GEMM (n_tok >= internal::kFloatGemmMinTokens) on every Highway target and
// CPU path: rows, columns and tokens that are not multiples of the micro-kernel tiles, the
// column group (16), the column block or the row and token blocks (several blocks of each, a
// last token tile of one vector or less), 1 and 3 threads.
TEST(MatMulTest, FloatGemmOddShapesOnEveryHighwayTarget) {
  struct Shape {
    size_t rows, cols, n_tok;
  };
  const Shape kShapes[] = {
      {37, 100, internal::kFloatGemmMinTokens},  // one partial tile
      {5, 17, 33},                               // fewer rows than a panel
      {internal::kGemmRowBlock + 21, internal::kGemmKBlock * 2 + 40, 45},  // row and column blocks
      {29, 3 * internal::kGemmColGroup + 3,
       internal::kGemmTokenBlock + 2 * 32 + 7},  // token blocks
  };
  ForEachHighwayTarget([&](const char* target) {
    for (CpuPath path : PathsToTest()) {
      for (const TypeCase& tc : kTypes) {
        if (!internal::IsFloatGemmType(tc.type)) continue;
        for (const Shape& s : kShapes) {
          Problem p = MakeProblem(tc, s.rows, s.cols, s.n_tok,
                                  static_cast<uint32_t>(s.rows + s.cols + s.n_tok));
          for (size_t threads : {1, 3}) {
            ThreadPool pool(threads);
            std::vector<float> y(p.n_tok * p.rows, std::nanf(""));
            internal::MatMulOnPath(path, p.m, p.x.data(), p.n_tok, y.data(), pool);
            ExpectMatches(p, y, false, kFloatBudget,
                          StrCat(target, " ", CpuPathName(path), " ", s.rows, "x", s.cols,
                                 " n_tok=", s.n_tok, " threads=", threads));
          }
        }
      }
    }
  });
}

// MXFP4's shared exponent spans 2^-128 .. 2^127 (subnormal at e = 0 and 1). Random weights only
// reach exponents near 127, so build blocks with the extremes: every target must give the
// reference's bits (inf and NaN included, where ggml's float expression over- or underflows too),
// and tiny or huge scales against small activations must neither flush to zero nor overflow.
TEST(MatMulTest, MXFP4ExtremeExponentsMatchReferenceOnEveryHighwayTarget) {
  constexpr size_t kRows = 5, kCols = 256, kTok = 3;
  const uint8_t row_e[kRows] = {0, 1, 254, 255, 0};  // row 4 mixes every exponent below
  const uint8_t mixed_e[] = {0, 1, 2, 60, 127, 200, 254, 255};
  std::mt19937 rng(5);
  std::vector<tensor::BlockMXFP4> w(kRows * kCols / 32);
  for (size_t r = 0; r < kRows; ++r) {
    for (size_t b = 0; b < kCols / 32; ++b) {
      tensor::BlockMXFP4& blk = w[r * (kCols / 32) + b];
      blk.e = r == 4 ? mixed_e[b % std::size(mixed_e)] : row_e[r];
      for (uint8_t& q : blk.qs) q = static_cast<uint8_t>(rng());
    }
  }
  const QMatrix m{DType::kMXFP4, reinterpret_cast<const uint8_t*>(w.data()), kRows, kCols,
                  kCols / 32 * sizeof(tensor::BlockMXFP4)};
  const std::vector<float> x = RandomVector(kTok * kCols, 9, 1e-3f);  // Q8_0 scales near 2^-17
  std::vector<tensor::BlockQ8_0> act(kTok * kCols / 32);
  ASSERT_TRUE(tensor::Quantize(DType::kQ8_0, x.data(), x.size(), act.data()).ok());
  std::vector<float> want(kTok * kRows);
  for (size_t t = 0; t < kTok; ++t)
    for (size_t r = 0; r < kRows; ++r)
      want[t * kRows + r] =
          ref::DotMXFP4(kCols, w.data() + r * (kCols / 32), act.data() + t * (kCols / 32));
  for (size_t t = 0; t < kTok; ++t) {
    EXPECT_NE(want[t * kRows + 0], 0.0f);  // 2^-128 · 2^-17 · sums: subnormal, not flushed
    EXPECT_NE(want[t * kRows + 1], 0.0f);
    EXPECT_TRUE(std::isfinite(want[t * kRows + 2])) << want[t * kRows + 2];  // 2^126 · 2^-17
  }
  auto same = [](float a, float b) {
    return std::memcmp(&a, &b, sizeof(float)) == 0 || (std::isnan(a) && std::isnan(b));
  };
  ForEachHighwayTarget([&](const char* target) {
    for (size_t n_tok : {size_t{1}, kTok}) {
      std::vector<float> y(n_tok * kRows);
      ThreadPool pool(2);
      internal::MatMulOnPath(CpuPath::kHighway, m, x.data(), n_tok, y.data(), pool);
      for (size_t i = 0; i < y.size(); ++i)
        EXPECT_TRUE(same(y[i], want[i]))
            << target << " out " << i << ": " << y[i] << " != " << want[i];
    }
    const DotTraits* traits = FindDotTraits(DType::kMXFP4);
    for (size_t r = 0; r < kRows; ++r) {
      const float got = traits->dot(kCols, w.data() + r * (kCols / 32), act.data());
      EXPECT_TRUE(same(got, want[r])) << target << " dot row " << r << ": " << got;
    }
  });
}

TEST(MatMulTest, ResultIsIndependentOfThreadCount) {
  for (const TypeCase& tc : kTypes) {
    Problem p = MakeProblem(tc, 70, 256, 9, 3);
    std::vector<float> y1(p.n_tok * p.rows), y4(p.n_tok * p.rows);
    ThreadPool p1(1), p4(4);
    MatMul(p.m, p.x.data(), p.n_tok, y1.data(), p1);
    MatMul(p.m, p.x.data(), p.n_tok, y4.data(), p4);
    EXPECT_EQ(y1, y4) << tensor::Name(tc.type);
  }
  // The float GEMM: each output is one FMA chain over the columns wherever its row falls.
  for (const TypeCase& tc : kTypes) {
    if (!internal::IsFloatGemmType(tc.type)) continue;
    Problem p = MakeProblem(tc, 70, 200, 40, 5);
    std::vector<float> y1(p.n_tok * p.rows), y4(p.n_tok * p.rows);
    ThreadPool p1(1), p4(4);
    MatMul(p.m, p.x.data(), p.n_tok, y1.data(), p1);
    MatMul(p.m, p.x.data(), p.n_tok, y4.data(), p4);
    EXPECT_EQ(y1, y4) << tensor::Name(tc.type);
  }
}

}  // namespace
}  // namespace olla::kernels
