#include "runtime/scheduler.h"

#include <sys/stat.h>

#include <algorithm>
#include <exception>
#include <filesystem>
#include <fstream>
#include <new>

#include "base/checked_math.h"
#include "base/log.h"
#include "base/str_cat.h"
#include "engine/kv_cache.h"

namespace olla::runtime {

// A loaded model: weights, tokenizer, threads and num_parallel sequence slots.
class Runner {
 public:
  std::string name, path;
  LoadParams params;
  std::unique_ptr<engine::Model> model;
  std::unique_ptr<tokenizer::Tokenizer> tok;
  std::unique_ptr<ThreadPool> pool;
  std::mutex pool_mu;  // the slots take turns on `pool` (one forward pass at a time)
  std::vector<std::unique_ptr<Sequence>> slots;
  std::vector<bool> in_use;
  size_t num_ctx = 0;
  size_t n_ctx_train = 0;  // the model's trained context (0: unknown)
  size_t bytes = 0;
  Duration keep_alive{0};
  std::optional<Clock::time_point> expires_at;  // set while idle
  bool expired = false;                         // unload when idle
  size_t active() const {
    return static_cast<size_t>(std::count(in_use.begin(), in_use.end(), true));
  }
  // The per-slot context `requested` gives on this model: at least 4, at most the trained context.
  size_t EffectiveNumCtx(size_t requested) const {
    return std::max<size_t>(4, std::min(requested, n_ctx_train ? n_ctx_train : requested));
  }
  // Whether a request with `p` needs a reload (§10.4): num_ctx counts after clamping.
  bool NeedsReload(const LoadParams& p) const {
    LoadParams mine = params, theirs = p;
    mine.num_ctx = theirs.num_ctx = 0;
    return mine != theirs || EffectiveNumCtx(p.num_ctx) != num_ctx;
  }
};

namespace {

// Available memory (MemAvailable) in bytes, or 0 when unknown.
uint64_t AvailableMemory() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  uint64_t kb = 0;
  std::string unit;
  while (in >> key >> kb >> unit)
    if (key == "MemAvailable:") return kb * 1024;
  return 0;
}

std::string GiB(uint64_t b) { return StrFormat("%.1f GiB", static_cast<double>(b) / (1ull << 30)); }

}  // namespace

// ---- Lease ----------------------------------------------------------------------------------

Lease::Lease(Lease&& o) noexcept
    : sched_(o.sched_),
      runner_(std::move(o.runner_)),
      slot_(o.slot_),
      load_duration_(o.load_duration_) {
  o.sched_ = nullptr;
}
Lease& Lease::operator=(Lease&& o) noexcept {
  if (this != &o) {
    if (sched_ && runner_) sched_->Release(runner_, slot_);
    sched_ = o.sched_;
    runner_ = std::move(o.runner_);
    slot_ = o.slot_;
    load_duration_ = o.load_duration_;
    o.sched_ = nullptr;
  }
  return *this;
}
Lease::~Lease() {
  if (sched_ && runner_) sched_->Release(runner_, slot_);
}
Sequence& Lease::sequence() const { return *runner_->slots[slot_]; }
const engine::Model& Lease::model() const { return *runner_->model; }
const tokenizer::Tokenizer& Lease::tokenizer() const { return *runner_->tok; }
size_t Lease::num_ctx() const { return runner_->num_ctx; }

// ---- Scheduler ------------------------------------------------------------------------------

Scheduler::Scheduler(SchedulerConfig config) : config_(config) {
  if (config_.max_loaded_models == 0) config_.max_loaded_models = 3;
  if (config_.num_parallel == 0) config_.num_parallel = 1;
  reaper_ = std::jthread([this](std::stop_token st) { ReaperLoop(st); });
}

Scheduler::~Scheduler() {
  reaper_.request_stop();
  reaper_ = {};
  std::lock_guard<std::mutex> lock(mu_);
  runners_.clear();
}

namespace {
// A load error names the model's file (in a store, the blob "sha256-<hex>"), never the folder it
// lives in: the message goes back to API clients, who need not learn where the store is.
Status WithoutDirectory(const Status& status, const std::string& path) {
  const std::string file = std::filesystem::path(path).filename().string();
  std::string message = status.message();
  if (file.empty() || file == path) return status;
  for (size_t at = message.find(path); at != std::string::npos;
       at = message.find(path, at + file.size()))
    message.replace(at, path.size(), file);
  return Status(status.code(), std::move(message));
}
}  // namespace

Result<std::shared_ptr<Runner>> Scheduler::LoadLocked(std::unique_lock<std::mutex>& lock,
                                                      const std::string& name,
                                                      const std::string& path,
                                                      const LoadParams& params) {
  loading_ = true;
  lock.unlock();
  auto runner = std::make_shared<Runner>();
  // Whatever happens while loading, loading_ is cleared below: a load that escaped with an
  // exception once left every later load waiting forever.
  const auto load = [&]() -> Status {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
      return Status::NotFound(StrCat("model file ", path, " not found"));
    OLLA_ASSIGN_OR_RETURN(runner->model, engine::Model::Load(path, params.adapters));
    const auto& cfg = runner->model->config();
    runner->n_ctx_train = cfg.n_ctx_train;
    runner->num_ctx = runner->EffectiveNumCtx(params.num_ctx);
    // A Q8_0 cache needs head sizes that are multiples of 32; elsewhere F16 serves, as in Ollama.
    const tensor::DType kv_type =
        engine::KvCache::SupportsType(cfg, params.kv_type) ? params.kv_type : tensor::DType::kF16;
    // The weights are mapped from the page cache; the KV cache and activations are allocated.
    // num_ctx and num_batch come from the request and the model: a product that does not fit
    // is more memory than any machine has.
    const auto kv = CheckedProduct(
        {engine::KvCache::BytesPerPosition(cfg, kv_type), runner->num_ctx, config_.num_parallel});
    const auto activations = CheckedProduct({params.num_batch, cfg.n_embd * 8 + cfg.n_ff * 2, 4});
    const auto need_opt = kv && activations ? CheckedAdd(*kv, *activations) : std::nullopt;
    if (!need_opt || !CheckedAdd(*need_opt, static_cast<size_t>(st.st_size)))
      return Status::ResourceExhausted(
          StrCat("model requires more system memory than is available (num_ctx ", runner->num_ctx,
                 ", num_batch ", params.num_batch, ")"));
    const uint64_t kv_bytes = *kv, need = *need_opt;
    const uint64_t avail = AvailableMemory();
    if (avail != 0 && need + static_cast<uint64_t>(st.st_size) / 10 > avail)
      return Status::ResourceExhausted(StrCat("model requires more system memory (",
                                              GiB(need + st.st_size), ") than is available (",
                                              GiB(avail), ")"));
    runner->bytes = static_cast<size_t>(st.st_size) + kv_bytes;
    OLLA_ASSIGN_OR_RETURN(tokenizer::Tokenizer tok,
                          tokenizer::Tokenizer::Create(runner->model->file().metadata()));
    runner->tok = std::make_unique<tokenizer::Tokenizer>(std::move(tok));
    OLLA_ASSIGN_OR_RETURN(runner->pool,
                          ThreadPool::Create(params.num_thread ? params.num_thread
                                                               : ThreadPool::DefaultThreadCount()));
    engine::ContextParams cp;
    cp.n_ctx = runner->num_ctx;
    cp.n_batch = params.num_batch;
    cp.kv_type = kv_type;
    for (size_t i = 0; i < config_.num_parallel; ++i) {
      OLLA_ASSIGN_OR_RETURN(auto seq, Sequence::Create(*runner->model, *runner->tok, cp,
                                                       *runner->pool, &runner->pool_mu));
      runner->slots.push_back(std::move(seq));
    }
    runner->in_use.assign(runner->slots.size(), false);
    return Status::Ok();
  };
  Status status = Status::Ok();
  try {
    status = load();
  } catch (const std::bad_alloc&) {
    status = Status::ResourceExhausted(StrCat("not enough memory to load model ", name));
  } catch (const std::exception& e) {
    status = Status::Internal(StrCat("loading model ", name, " failed: ", e.what()));
  }
  lock.lock();
  loading_ = false;
  NotifyLocked();
  if (!status.ok()) return WithoutDirectory(status, path);
  runner->name = name;
  runner->path = path;
  runner->params = params;
  runner->keep_alive = config_.default_keep_alive;
  runners_[path] = runner;  // still under the lock taken above: waiters see it when they wake
  LogInfo(StrCat("loaded model ", name, " from ", path, " (num_ctx ", runner->num_ctx, ")"));
  return runner;
}

bool Scheduler::EvictOneLocked() {
  // Idle runners first, shortest keep-alive first (forever last), then by path.
  std::shared_ptr<Runner> victim;
  for (auto& [path, r] : runners_) {
    if (r->active() > 0) continue;
    if (!victim || r->keep_alive < victim->keep_alive) victim = r;
  }
  if (victim) {
    runners_.erase(victim->path);
    LogInfo(StrCat("evicted model ", victim->name));
    return true;
  }
  // None idle: mark the shortest keep-alive to unload when its requests finish.
  for (auto& [path, r] : runners_)
    if (!victim || r->keep_alive < victim->keep_alive) victim = r;
  if (victim) victim->expired = true;
  return false;
}

Result<Lease> Scheduler::Acquire(const std::string& name, const std::string& path,
                                 const LoadParams& params, std::optional<Duration> keep_alive,
                                 std::stop_token stop) {
  const auto start = Clock::now();
  std::unique_lock<std::mutex> lock(mu_);
  if (waiting_ >= config_.max_queue)
    return Status::Unavailable("server busy, please try again.  maximum pending requests exceeded");
  ++waiting_;
  struct Unwait {
    size_t& w;
    ~Unwait() { --w; }
  } unwait{waiting_};
  for (;;) {
    if (stop.stop_requested()) return Status::Cancelled("request canceled");
    auto it = runners_.find(path);
    if (it != runners_.end() && (it->second->NeedsReload(params) || it->second->expired)) {
      if (it->second->active() == 0) {
        runners_.erase(it);  // reload with the new options, or finish an expired unload
        continue;
      }
      it->second->expired = true;  // unload when its requests finish, then reload
      WaitForChange(lock, stop);
      continue;
    }
    if (it != runners_.end()) {
      Runner& r = *it->second;
      for (size_t s = 0; s < r.slots.size(); ++s) {
        if (r.in_use[s]) continue;
        r.in_use[s] = true;
        r.expires_at.reset();
        if (keep_alive) r.keep_alive = *keep_alive;
        Lease lease;
        lease.sched_ = this;
        lease.runner_ = it->second;
        lease.slot_ = s;
        lease.load_duration_ = Clock::now() - start;
        return lease;
      }
      WaitForChange(lock, stop);  // all slots busy: wait for one
      continue;
    }
    if (loading_) {
      WaitForChange(lock, stop);
      continue;
    }
    if (runners_.size() >= config_.max_loaded_models) {
      if (!EvictOneLocked()) {
        WaitForChange(lock, stop);
        continue;
      }
    }
    auto loaded = LoadLocked(lock, name, path, params);
    if (!loaded.ok()) return loaded.status();
  }
}

void Scheduler::Release(const std::shared_ptr<Runner>& runner, size_t slot) {
  std::lock_guard<std::mutex> lock(mu_);
  runner->in_use[slot] = false;
  if (runner->active() == 0) {
    if (runner->expired || runner->keep_alive == Duration::zero()) {
      auto it = runners_.find(runner->path);
      if (it != runners_.end() && it->second == runner) runners_.erase(it);
    } else if (runner->keep_alive != kForever) {
      runner->expires_at = Clock::now() + runner->keep_alive;
    }
  }
  NotifyLocked();
}

void Scheduler::Expire(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = runners_.find(path);
  if (it == runners_.end()) return;
  if (it->second->active() == 0) {
    runners_.erase(it);
  } else {
    it->second->expired = true;
  }
  NotifyLocked();
}

std::vector<LoadedModelInfo> Scheduler::Loaded() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<LoadedModelInfo> out;
  for (const auto& [path, r] : runners_) {
    LoadedModelInfo info;
    info.name = r->name;
    info.path = path;
    info.size_bytes = r->bytes;
    info.context_length = r->num_ctx;
    info.expires_at = r->expires_at;
    info.busy = r->active() > 0;
    info.keep_alive = r->keep_alive;
    out.push_back(info);
  }
  return out;
}

void Scheduler::UnloadIdle() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = runners_.begin(); it != runners_.end();) {
    if (it->second->active() == 0) {
      it = runners_.erase(it);
    } else {
      ++it;
    }
  }
  NotifyLocked();
}

void Scheduler::ReaperLoop(std::stop_token stop) {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop.stop_requested()) {
    auto next = Clock::time_point::max();
    const auto now = Clock::now();
    for (auto it = runners_.begin(); it != runners_.end();) {
      const auto& r = it->second;
      if (r->active() == 0 && r->expires_at && *r->expires_at <= now) {
        LogInfo(StrCat("keep-alive expired, unloading ", r->name));
        it = runners_.erase(it);
        NotifyLocked();
        continue;
      }
      if (r->expires_at) next = std::min(next, *r->expires_at);
      ++it;
    }
    const uint64_t seen = epoch_;
    if (next == Clock::time_point::max()) {
      cv_.wait(lock, stop, [&] { return epoch_ != seen; });
    } else {
      cv_.wait_until(lock, stop, next, [&] { return epoch_ != seen; });
    }
  }
}

}  // namespace olla::runtime
