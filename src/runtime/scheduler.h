#pragma once
// Scheduler: loads models on first use, keeps them for their keep-alive, evicts idle ones when
// OLLAMA_MAX_LOADED_MODELS is reached, and hands out generation slots (OLLAMA_NUM_PARALLEL per
// model) to requests (spec ollama-surface.md §10). Thread-safe. Knows nothing of HTTP or JSON.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"
#include "base/thread_pool.h"
#include "engine/model.h"
#include "runtime/generate.h"
#include "tokenizer/tokenizer.h"

namespace olla::runtime {

using Clock = std::chrono::steady_clock;
using Duration = std::chrono::nanoseconds;
// A keep-alive that never expires (any negative request value).
inline constexpr Duration kForever = Duration::max();

// Load-time options: a loaded model whose options differ is reloaded (§10.4).
struct LoadParams {
  size_t num_ctx = 4096;  // per slot; clamped to the model's trained context at load
  size_t num_batch = 512;
  size_t num_thread = 0;  // 0: physical cores
  tensor::DType kv_type = tensor::DType::kF16;
  // LoRA adapters applied at load (a model with another set is loaded again).
  std::vector<std::string> adapters;
  bool operator==(const LoadParams&) const = default;
};

struct SchedulerConfig {
  size_t max_loaded_models = 3;                           // OLLAMA_MAX_LOADED_MODELS (0 means 3)
  size_t num_parallel = 1;                                // OLLAMA_NUM_PARALLEL
  size_t max_queue = 512;                                 // OLLAMA_MAX_QUEUE
  Duration default_keep_alive = std::chrono::minutes(5);  // OLLAMA_KEEP_ALIVE
};

// What /api/ps reports of a loaded model.
struct LoadedModelInfo {
  std::string name;       // the name it was loaded under
  std::string path;       // model file (the runner key)
  size_t size_bytes = 0;  // weights + KV cache + activations
  size_t context_length = 0;
  std::optional<Clock::time_point> expires_at;  // nullopt: never (keep-alive forever) or busy
  bool busy = false;
  Duration keep_alive{0};
};

class Runner;

// A slot of a loaded model, held for one request. Releasing it (destruction) frees the slot and,
// when the model becomes idle, starts its keep-alive timer.
class Lease {
 public:
  Lease() = default;
  Lease(Lease&& other) noexcept;
  Lease& operator=(Lease&& other) noexcept;
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  ~Lease();

  Sequence& sequence() const;
  const engine::Model& model() const;
  const tokenizer::Tokenizer& tokenizer() const;
  size_t num_ctx() const;
  Duration load_duration() const { return load_duration_; }

 private:
  friend class Scheduler;
  class Scheduler* sched_ = nullptr;
  std::shared_ptr<Runner> runner_;
  size_t slot_ = 0;
  Duration load_duration_{0};
};

class Scheduler {
 public:
  explicit Scheduler(SchedulerConfig config);
  ~Scheduler();  // unloads everything (waits for nothing: leases must be gone)
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Returns a slot of the model at `path`, loading it first if needed (one load at a time).
  // `keep_alive`, when given, replaces the model's keep-alive. Errors: kUnavailable "server
  // busy..." when OLLAMA_MAX_QUEUE requests already wait; kResourceExhausted when the model does
  // not fit in memory (with the numbers); load errors of the model file; kCancelled when `stop`
  // is requested while waiting.
  Result<Lease> Acquire(const std::string& name, const std::string& path, const LoadParams& params,
                        std::optional<Duration> keep_alive, std::stop_token stop = {});

  // Marks the model expired: it unloads as soon as no request uses it (keep_alive 0).
  void Expire(const std::string& path);
  std::vector<LoadedModelInfo> Loaded() const;
  // Unloads every idle model now.
  void UnloadIdle();

 private:
  friend class Lease;
  void Release(const std::shared_ptr<Runner>& runner, size_t slot);
  void ReaperLoop(std::stop_token stop);
  Result<std::shared_ptr<Runner>> LoadLocked(std::unique_lock<std::mutex>& lock,
                                             const std::string& name, const std::string& path,
                                             const LoadParams& params);
  bool EvictOneLocked();
  // Call with mu_ held: wakes every waiter to re-check the state.
  void NotifyLocked() {
    ++epoch_;
    cv_.notify_all();
  }
  // Call with mu_ held: waits for the next NotifyLocked() or a stop request.
  void WaitForChange(std::unique_lock<std::mutex>& lock, std::stop_token stop) {
    const uint64_t seen = epoch_;
    cv_.wait(lock, stop, [&] { return epoch_ != seen; });
  }

  SchedulerConfig config_;
  mutable std::mutex mu_;
  std::condition_variable_any cv_;  // slot freed, model unloaded, load finished
  std::map<std::string, std::shared_ptr<Runner>> runners_;  // by model path
  size_t waiting_ = 0;                                      // requests queued for a load or a slot
  bool loading_ = false;                                    // one load at a time
  uint64_t epoch_ = 0;                                      // bumped on every state change
  std::jthread reaper_;
};

}  // namespace olla::runtime
