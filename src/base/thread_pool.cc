#include "base/thread_pool.h"

#include <fstream>
#include <set>
#include <string>
#include <system_error>
#include <utility>

namespace olla {
namespace {
// ~50-200 µs of spinning (PAUSE costs 40-140 cycles): long enough to bridge back-to-back ops,
// short enough not to starve other processes on an oversubscribed machine.
constexpr int kSpinIterations = 1 << 11;

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}
}  // namespace

ThreadPool::ThreadPool(size_t n_threads)
    : n_threads_(n_threads == 0 ? 1 : n_threads), scratch_(n_threads_ + 1) {
  workers_.reserve(n_threads_ - 1);
  try {
    for (size_t t = 1; t < n_threads_; ++t) workers_.emplace_back([this, t] { WorkerLoop(t); });
  } catch (...) {
    // Joinable threads left in workers_ would call std::terminate when it is destroyed.
    StopWorkers();
    throw;
  }
}

Result<std::unique_ptr<ThreadPool>> ThreadPool::Create(size_t n_threads) {
  const auto refused = [n_threads] {
    return Status::ResourceExhausted("cannot start " + std::to_string(n_threads) + " threads");
  };
  if (n_threads > kMaxThreads) return refused();
  try {
    return std::make_unique<ThreadPool>(n_threads);
  } catch (const std::system_error&) {
    return refused();
  } catch (const std::bad_alloc&) {
    return refused();
  }
}

void ThreadPool::StopWorkers() {
  stop_.store(true, std::memory_order_release);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  generation_.notify_all();
  for (auto& w : workers_) w.join();
  workers_.clear();
}

ThreadPool::~ThreadPool() { StopWorkers(); }

void ThreadPool::Dispatch(TaskFn fn, void* ctx) {
  if (n_threads_ == 1) {
    fn(ctx, 0);
    return;
  }
  task_ = fn;
  task_ctx_ = ctx;
  pending_.store(static_cast<uint32_t>(n_threads_ - 1), std::memory_order_relaxed);
  generation_.fetch_add(1, std::memory_order_acq_rel);  // publishes task_ and task_ctx_
  generation_.notify_all();
  fn(ctx, 0);
  for (int i = 0; i < kSpinIterations; ++i) {
    if (pending_.load(std::memory_order_acquire) == 0) return;
    CpuRelax();
  }
  uint32_t left;
  while ((left = pending_.load(std::memory_order_acquire)) != 0) pending_.wait(left);
}

void ThreadPool::WorkerLoop(size_t thread_idx) {
  uint32_t seen = 0;
  for (;;) {
    uint32_t gen = generation_.load(std::memory_order_acquire);
    for (int i = 0; i < kSpinIterations && gen == seen; ++i) {
      CpuRelax();
      gen = generation_.load(std::memory_order_acquire);
    }
    while (gen == seen) {
      generation_.wait(seen);
      gen = generation_.load(std::memory_order_acquire);
    }
    seen = gen;
    if (stop_.load(std::memory_order_acquire)) return;
    task_(task_ctx_, thread_idx);
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) pending_.notify_one();
  }
}

uint8_t* ThreadPool::Scratch(size_t slot, size_t bytes) {
  ScratchBuffer& s = scratch_[slot];
  if (s.bytes < bytes) {
    constexpr size_t kAlign = 64;
    s.storage.reset();  // free first: the buffers of a long prompt can be large
    s.storage = std::make_unique_for_overwrite<uint8_t[]>(bytes + kAlign);
    const auto addr = reinterpret_cast<uintptr_t>(s.storage.get());
    s.aligned = s.storage.get() + (kAlign - addr % kAlign) % kAlign;
    s.bytes = bytes;
  }
  return s.aligned;
}

size_t ThreadPool::DefaultThreadCount() {
  // Count distinct (physical id, core id) pairs: hyperthreads share a core's SIMD units.
  std::ifstream in("/proc/cpuinfo");
  std::set<std::pair<std::string, std::string>> cores;
  std::string line, phys = "0";
  while (std::getline(in, line)) {
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string key = line.substr(0, line.find_last_not_of(" \t", colon - 1) + 1);
    std::string val = colon + 2 <= line.size() ? line.substr(colon + 2) : "";
    if (key == "physical id") phys = val;
    if (key == "core id") cores.emplace(phys, val);
  }
  size_t n = cores.size();
  size_t hw = std::thread::hardware_concurrency();
  if (n == 0 || (hw != 0 && n > hw)) n = hw;
  return n == 0 ? 1 : n;
}

}  // namespace olla
