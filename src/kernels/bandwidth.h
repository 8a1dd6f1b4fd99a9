#pragma once
// Memory read bandwidth, as `olla bench` reports beside generation speed: token generation
// streams every weight once per token, so bandwidth / bytes-per-token bounds its rate.

#include <cstddef>

#include "base/thread_pool.h"

namespace olla::kernels {

struct BandwidthResult {
  double best_gbps = 0;  // fastest repetition, 1e9 bytes per second
  double mean_gbps = 0;
  size_t bytes = 0;  // buffer size read per repetition
};

// Allocates `bytes` (choose several times the last-level cache), has each of the pool's threads
// read its contiguous share with vector loads, as four concurrent streams (cores get more
// bandwidth that way than from one stream), `reps` times, and reports the rates.
BandwidthResult MeasureReadBandwidth(ThreadPool& pool, size_t bytes, int reps);

// The last-level cache size in bytes (sysconf), or 0 if unknown.
size_t LastLevelCacheBytes();

}  // namespace olla::kernels
