// matmul_bench: one-token matrix-vector products (what token generation does) per weight type,
// as a fraction of the machine's memory read bandwidth measured in the same run.
//
//   matmul_bench [-t THREADS] [-m MIB] [TYPES...]      e.g. matmul_bench -t 2 Q4_0 Q4_K Q6_K F16
//
// For each type it quantizes one random matrix of each Llama-3.2-1B MLP shape ([8192, 2048] and
// [2048, 8192]), copies it into enough distinct matrices to total MIB MiB (default 384, many
// times the last-level cache; -m 1 keeps one small matrix in L2 to see the kernel's own speed),
// packs them as the engine does (WeightPacks, the active CPU path: OLLA_CPU caps it), then times
// MatMul with n_tok = 1 over all of them in turn. Reported: weight bytes read per second and that
// rate over the measured read bandwidth. `olla bench` gives the whole-model view; this one
// isolates the kernels, so a change to one type's generation tile shows here first.
// With MATMUL_AB=1 it instead alternates the kernel variant (internal::MatMulOnPath's `variant`,
// Acts::variant) between 0 and 1 for 60 passes each and prints both medians (see
// kernels/internal.h).

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "base/big_buffer.h"
#include "base/thread_pool.h"
#include "kernels/bandwidth.h"
#include "kernels/cpu.h"
#include "kernels/internal.h"
#include "kernels/ops.h"
#include "kernels/pack.h"
#include "tensor/dtype.h"
#include "tensor/quantize.h"

namespace olla::kernels {
namespace {

using Clock = std::chrono::steady_clock;

struct Shape {
  size_t rows, cols;
};

// Quantized copies of one random matrix per shape, enough of them to total ~kBytesPerType.
struct MatrixSet {
  std::vector<std::vector<uint8_t>> bytes;
  std::vector<QMatrix> matrices;
  WeightPacks packs;
  size_t total_bytes = 0;  // bytes one pass reads (packed if packed)
};

bool Fill(tensor::DType type, size_t bytes_per_pass, ThreadPool& pool, MatrixSet& set) {
  std::vector<Shape> shapes = {{8192, 2048}, {2048, 8192}};
  if (bytes_per_pass < (size_t{16} << 20)) shapes = {{1024, 2048}};  // ~1 MiB at 4 bits: in L2
  std::mt19937 rng(7);
  std::normal_distribution<float> normal(0.0f, 0.02f);
  std::vector<std::vector<uint8_t>> protos;
  size_t proto_bytes = 0;
  for (const Shape& s : shapes) {
    std::vector<float> w(s.rows * s.cols);
    for (float& v : w) v = normal(rng);
    auto row_bytes = tensor::RowBytes(type, s.cols);
    if (!row_bytes.ok()) return false;
    std::vector<uint8_t> q(*row_bytes * s.rows);
    if (!tensor::Quantize(type, w.data(), w.size(), q.data()).ok()) return false;
    proto_bytes += q.size();
    protos.push_back(std::move(q));
  }
  const size_t copies = std::max<size_t>(1, bytes_per_pass / proto_bytes);
  for (size_t c = 0; c < copies; ++c) {
    for (size_t i = 0; i < protos.size(); ++i) {
      set.bytes.push_back(protos[i]);
      QMatrix m;
      m.type = type;
      m.data = set.bytes.back().data();
      m.n_rows = shapes[i].rows;
      m.n_cols = shapes[i].cols;
      m.row_bytes = protos[i].size() / shapes[i].rows;
      set.matrices.push_back(m);
    }
  }
  std::vector<QMatrix*> ptrs;
  for (QMatrix& m : set.matrices) ptrs.push_back(&m);
  if (!set.packs.PackAll(ptrs, pool).ok()) return false;
  for (const QMatrix& m : set.matrices)
    set.total_bytes += m.packed ? m.packed->bytes() : m.row_bytes * m.n_rows;
  return true;
}

double ProcessCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

struct PassTime {
  double wall = 1e30, cpu = 1e30;  // seconds, best of the repetitions
};

// One pass over every matrix, best of `reps`. The CPU time (all threads, spinning included)
// shows a kernel's cost even when other processes share the cores.
PassTime TimePass(const MatrixSet& set, ThreadPool& pool, int reps) {
  std::vector<float> x(8192), y(8192);
  std::mt19937 rng(3);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (float& v : x) v = normal(rng);
  PassTime best;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = Clock::now();
    const double c0 = ProcessCpuSeconds();
    for (const QMatrix& m : set.matrices) MatMul(m, x.data(), 1, y.data(), pool);
    best.cpu = std::min(best.cpu, ProcessCpuSeconds() - c0);
    best.wall = std::min(best.wall, std::chrono::duration<double>(Clock::now() - t0).count());
  }
  return best;
}

// A/B of two kernel variants (Acts::variant 0 and 1), alternated pass by pass.
void RunAB(const MatrixSet& set, ThreadPool& pool, const char* name) {
  std::vector<float> x(8192), y(8192);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i % 7) - 3.0f;
  std::vector<double> t[2];
  for (int r = 0; r < 60; ++r) {
    for (int v = 0; v < 2; ++v) {
      const int variant = (r & 1) ? 1 - v : v;
      const auto t0 = Clock::now();
      for (const QMatrix& m : set.matrices)
        internal::MatMulOnPath(ActiveCpuPath(), m, x.data(), 1, y.data(), pool, variant);
      t[variant].push_back(std::chrono::duration<double>(Clock::now() - t0).count());
    }
  }
  for (int v = 0; v < 2; ++v) std::sort(t[v].begin(), t[v].end());
  std::printf("%-6s A/B median GB/s: variant0 %.2f variant1 %.2f  (best %.2f / %.2f)\n", name,
              set.total_bytes / t[0][t[0].size() / 2] / 1e9,
              set.total_bytes / t[1][t[1].size() / 2] / 1e9, set.total_bytes / t[0][0] / 1e9,
              set.total_bytes / t[1][0] / 1e9);
}

int Main(int argc, char** argv) {
  size_t threads = 2, mib = 384;
  std::vector<std::string> names;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if ((arg == "-t" || arg == "-m") && i + 1 < argc) {
      (arg == "-t" ? threads : mib) = static_cast<size_t>(std::atol(argv[++i]));
    } else {
      names.push_back(arg);
    }
  }
  if (names.empty()) names = {"Q4_0", "Q8_0", "Q4_K", "Q6_K", "F16"};
  ThreadPool pool(threads == 0 ? 1 : threads);
  std::printf("cpu path %s / %s, %zu threads\n", std::string(CpuPathName(ActiveCpuPath())).c_str(),
              std::string(HighwayTargetName()).c_str(), pool.size());
  const size_t bw_bytes = std::max<size_t>(size_t{1} << 30, 32 * LastLevelCacheBytes());
  const BandwidthResult bw0 = MeasureReadBandwidth(pool, bw_bytes, 5);
  std::printf("%-6s %10s %10s %8s %14s\n", "type", "MiB/pass", "GB/s", "of bw", "GB/cpu-second");
  double bw_sum = bw0.best_gbps;
  int bw_n = 1;
  for (const std::string& name : names) {
    const std::optional<tensor::DType> type = tensor::ParseDType(name);
    if (!type) {
      std::fprintf(stderr, "matmul_bench: unknown type %s\n", name.c_str());
      return 2;
    }
    MatrixSet set;
    if (!Fill(*type, mib << 20, pool, set)) {
      std::fprintf(stderr, "matmul_bench: cannot build %s matrices\n", name.c_str());
      return 1;
    }
    TimePass(set, pool, 1);  // warm-up: page in, settle the thread pool
    if (std::getenv("MATMUL_AB")) {
      RunAB(set, pool, name.c_str());
      continue;
    }
    const PassTime s = TimePass(set, pool, mib < 16 ? 2000 : 7);
    const BandwidthResult bw = MeasureReadBandwidth(pool, bw_bytes, 3);
    bw_sum += bw.best_gbps;
    ++bw_n;
    const double gbps = set.total_bytes / s.wall / 1e9;
    std::printf("%-6s %10.1f %10.2f %7.0f %% %14.2f\n", name.c_str(), set.total_bytes / 1048576.0,
                gbps, 100.0 * gbps / bw.best_gbps, set.total_bytes / s.cpu / 1e9);
  }
  std::printf("read bandwidth: %.2f GB/s (mean of %d measurements between the types)\n",
              bw_sum / bw_n, bw_n);
  return 0;
}

}  // namespace
}  // namespace olla::kernels

int main(int argc, char** argv) { return olla::kernels::Main(argc, argv); }
