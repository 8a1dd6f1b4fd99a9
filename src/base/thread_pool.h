#pragma once
// A fork/join pool of persistent worker threads for kernels: no thread is created per call.
// Workers spin briefly on a generation counter and then sleep (futex via std::atomic::wait),
// so back-to-back ops in one forward pass pay no wake-up cost and an idle pool uses no CPU.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "base/status.h"

namespace olla {

class ThreadPool {
 public:
  // `n_threads` counts the calling thread: ThreadPool(1) runs everything inline. Throws
  // std::system_error when a thread cannot be started (after joining those that were).
  explicit ThreadPool(size_t n_threads);
  // As the constructor, for a count that comes from a request: more than kMaxThreads, or threads
  // the system refuses, are kResourceExhausted naming the count.
  static constexpr size_t kMaxThreads = 1024;
  static Result<std::unique_ptr<ThreadPool>> Create(size_t n_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  size_t size() const { return n_threads_; }

  // Calls fn(thread_idx) once on each of size() threads (the caller is thread 0) and returns when
  // all calls have returned. Not reentrant: one Run at a time per pool.
  template <typename F>
  void Run(F&& fn) {
    Dispatch(&Trampoline<std::remove_reference_t<F>>, &fn);
  }

  // Splits [0, n) into size() contiguous chunks and calls fn(begin, end, thread_idx) for each
  // non-empty chunk.
  template <typename F>
  void ParallelFor(size_t n, F&& fn) {
    const size_t nt = n_threads_ < n ? n_threads_ : (n == 0 ? 1 : n);
    Run([&](size_t t) {
      if (t >= nt) return;
      size_t begin = n * t / nt, end = n * (t + 1) / nt;
      if (begin < end) fn(begin, end, t);
    });
  }

  // Grow-only scratch memory owned by the pool, 64-byte aligned, so that kernels allocate nothing
  // per call: slot t < size() is for thread t inside Run, slot size() for the caller outside Run.
  // Returns at least `bytes` bytes; contents are unspecified and stay valid until the slot's next
  // Scratch call. Each slot is used by one thread at a time, so no locking is needed.
  uint8_t* Scratch(size_t slot, size_t bytes);

  // Physical cores of this machine (falls back to hardware_concurrency).
  static size_t DefaultThreadCount();

 private:
  using TaskFn = void (*)(void* ctx, size_t thread_idx);
  template <typename F>
  static void Trampoline(void* ctx, size_t t) {
    (*static_cast<F*>(ctx))(t);
  }
  void Dispatch(TaskFn fn, void* ctx);
  void WorkerLoop(size_t thread_idx);
  void StopWorkers();  // tells every worker to return and joins it

  size_t n_threads_;
  std::vector<std::thread> workers_;
  struct ScratchBuffer {
    std::unique_ptr<uint8_t[]> storage;
    uint8_t* aligned = nullptr;
    size_t bytes = 0;
  };
  std::vector<ScratchBuffer> scratch_;  // size() + 1 slots
  TaskFn task_ = nullptr;
  void* task_ctx_ = nullptr;
  alignas(64) std::atomic<uint32_t> generation_{0};
  alignas(64) std::atomic<uint32_t> pending_{0};
  std::atomic<bool> stop_{false};
};

}  // namespace olla
