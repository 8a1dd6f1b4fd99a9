#include "base/thread_pool.h"

#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <numeric>
#include <system_error>
#include <vector>

namespace olla {
namespace {

TEST(ThreadPoolTest, CreateRefusesAbsurdCounts) {
  // num_thread 1e12 in a request once reached the constructor.
  for (size_t n : {ThreadPool::kMaxThreads + 1, size_t{1000000000000}}) {
    auto pool = ThreadPool::Create(n);
    ASSERT_FALSE(pool.ok());
    EXPECT_EQ(pool.status().code(), StatusCode::kResourceExhausted);
    EXPECT_NE(pool.status().message().find(std::to_string(n)), std::string::npos)
        << pool.status().message();
  }
  auto two = ThreadPool::Create(2);
  ASSERT_TRUE(two.ok());
  EXPECT_EQ((*two)->size(), 2u);
}

// When the system refuses a thread, the pool used to destroy joinable std::threads, which calls
// std::terminate (the server died). Now Create reports it and the constructor throws cleanly.
// Run in a child whose address space is capped so that thread stacks cannot be mapped.
TEST(ThreadPoolTest, ThreadsTheSystemRefusesAreAnErrorNotACrash) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer cannot run with a capped address space";
#else
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    size_t pages = 0;
    std::ifstream("/proc/self/statm") >> pages;
    const rlim_t cap =
        static_cast<rlim_t>(pages) * static_cast<rlim_t>(sysconf(_SC_PAGESIZE)) + (16u << 20);
    const rlimit limit{cap, cap};
    if (setrlimit(RLIMIT_AS, &limit) != 0) _exit(10);
    auto pool = ThreadPool::Create(256);  // 256 stacks of 8 MiB cannot fit in 16 MiB
    if (pool.ok()) _exit(11);
    if (pool.status().code() != StatusCode::kResourceExhausted) _exit(12);
    try {
      ThreadPool direct(256);
      _exit(13);
    } catch (const std::system_error&) {
    }
    _exit(0);
  }
  int wstatus = 0;
  ASSERT_EQ(waitpid(pid, &wstatus, 0), pid);
  ASSERT_TRUE(WIFEXITED(wstatus)) << "the child died of signal " << WTERMSIG(wstatus);
  EXPECT_EQ(WEXITSTATUS(wstatus), 0);
#endif
}

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

TEST(ThreadPoolTest, DefaultThreadCountIsPositive) {
  EXPECT_GE(ThreadPool::DefaultThreadCount(), 1u);
}

}  // namespace
}  // namespace olla
