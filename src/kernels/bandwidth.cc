#include "kernels/bandwidth.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/bandwidth.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace olla {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Sums the 64-bit words of [p, p + n) (n a multiple of 4 vectors) so the loads cannot be elided.
// The range is read as four streams in lockstep (its quarters): a core gets more bandwidth from
// several concurrent streams than from one, and the kernels read their weights that way.
HWY_NOINLINE uint64_t SumWords(const uint64_t* p, size_t n) {
  const hn::ScalableTag<uint64_t> d;
  const size_t lanes = hn::Lanes(d), q = n / 4 / lanes * lanes;
  auto a0 = hn::Zero(d), a1 = hn::Zero(d), a2 = hn::Zero(d), a3 = hn::Zero(d);
  for (size_t i = 0; i < q; i += lanes) {
    a0 = hn::Add(a0, hn::Load(d, p + i));
    a1 = hn::Add(a1, hn::Load(d, p + q + i));
    a2 = hn::Add(a2, hn::Load(d, p + 2 * q + i));
    a3 = hn::Add(a3, hn::Load(d, p + 3 * q + i));
  }
  return hn::GetLane(hn::SumOfLanes(d, hn::Add(hn::Add(a0, a1), hn::Add(a2, a3))));
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace olla
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <vector>

namespace olla::kernels {
HWY_EXPORT(SumWords);

BandwidthResult MeasureReadBandwidth(ThreadPool& pool, size_t bytes, int reps) {
  constexpr size_t kChunk = 4096;  // per-thread shares are whole pages
  const size_t n_threads = pool.size();
  const size_t share = std::max<size_t>(kChunk, bytes / n_threads / kChunk * kChunk);
  const size_t total = share * n_threads;
  auto storage = std::make_unique_for_overwrite<uint64_t[]>(total / 8 + 8);
  uint64_t* buf = storage.get() +
                  (8 - reinterpret_cast<uintptr_t>(storage.get()) / 8 % 8) % 8;  // 64-byte aligned
  // Each thread touches its own share first, so the pages sit near the thread that reads them.
  pool.Run([&](size_t t) {
    std::memset(reinterpret_cast<uint8_t*>(buf) + t * share, static_cast<int>(t + 1), share);
  });
  std::vector<uint64_t> sink(n_threads * 8);
  BandwidthResult r;
  r.bytes = total;
  double sum_gbps = 0;
  for (int rep = 0; rep < reps; ++rep) {
    const auto t0 = std::chrono::steady_clock::now();
    pool.Run([&](size_t t) {
      sink[t * 8] += HWY_DYNAMIC_DISPATCH(SumWords)(buf + t * share / 8, share / 8);
    });
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double gbps = static_cast<double>(total) / s / 1e9;
    r.best_gbps = std::max(r.best_gbps, gbps);
    sum_gbps += gbps;
  }
  r.mean_gbps = reps > 0 ? sum_gbps / reps : 0;
  if (sink[0] == 42) r.mean_gbps += 0;  // keeps the sums alive
  return r;
}

size_t LastLevelCacheBytes() {
  for (int name : {_SC_LEVEL4_CACHE_SIZE, _SC_LEVEL3_CACHE_SIZE, _SC_LEVEL2_CACHE_SIZE}) {
    const long v = sysconf(name);
    if (v > 0) return static_cast<size_t>(v);
  }
  return 0;
}

}  // namespace olla::kernels
#endif  // HWY_ONCE
