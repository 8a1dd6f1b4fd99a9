#include "base/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <numeric>
#include <vector>

namespace olla {
namespace {

TEST(ThreadPoolTest, RunCallsEveryThreadOnce) {
  for (size_t n : {1u, 2u, 4u}) {
    ThreadPool pool(n);
    std::vector<std::atomic<int>> calls(n);
    for (int rep = 0; rep < 100; ++rep) pool.Run([&](size_t t) { calls[t]++; });
    for (size_t t = 0; t < n; ++t) EXPECT_EQ(calls[t].load(), 100) << "thread " << t << " of " << n;
  }
}

TEST(ThreadPoolTest, ParallelForCoversRangeExactlyOnce) {
  ThreadPool pool(3);
  for (size_t n : {0u, 1u, 2u, 5u, 1000u}) {
    std::vector<int> hits(n, 0);
    pool.ParallelFor(n, [&](size_t b, size_t e, size_t) {
      for (size_t i = b; i < e; ++i) hits[i]++;
    });
    for (size_t i = 0; i < n; ++i) ASSERT_EQ(hits[i], 1) << i << " of " << n;
  }
}

TEST(ThreadPoolTest, ManyShortJobsSumCorrectly) {
  ThreadPool pool(2);
  std::vector<uint64_t> data(4096);
  std::iota(data.begin(), data.end(), 0);
  for (int rep = 0; rep < 2000; ++rep) {
    std::atomic<uint64_t> sum{0};
    pool.ParallelFor(data.size(), [&](size_t b, size_t e, size_t) {
      uint64_t s = 0;
      for (size_t i = b; i < e; ++i) s += data[i];
      sum += s;
    });
    ASSERT_EQ(sum.load(), 4096ull * 4095ull / 2);
  }
}

TEST(ThreadPoolTest, DefaultThreadCountIsPositive) { EXPECT_GE(ThreadPool::DefaultThreadCount(), 1u); }

}  // namespace
}  // namespace olla
