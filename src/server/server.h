#pragma once
// `olla serve`: Ollama's REST API over cpp-httplib (spec §3). The server owns the scheduler and
// the store; route groups live in routes_*.cc and reach both through ServerContext.

#include <atomic>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <vector>

#include "base/status.h"
#include "runtime/scheduler.h"
#include "server/http_listener.h"
#include "store/store.h"

namespace httplib {
class Server;
}

namespace olla::server {

class DisconnectWatcher;

struct ServerConfig {
  std::string host = "127.0.0.1";
  int port = 11434;                  // 0: any free port (tests)
  std::vector<std::string> origins;  // OLLAMA_ORIGINS, added to the defaults
  size_t default_num_ctx = 4096;     // OLLAMA_CONTEXT_LENGTH
  runtime::SchedulerConfig scheduler;
  bool noprune = false;  // OLLAMA_NOPRUNE
  std::string version = "0.0.0";
  tensor::DType kv_type = tensor::DType::kF16;  // OLLAMA_KV_CACHE_TYPE
  size_t max_body = size_t{32} << 20;           // OLLA_MAX_BODY: decoded JSON body bytes
  // Connection limits (OLLA_HTTP_THREADS, OLLA_HEADER_TIMEOUT, OLLA_BODY_TIMEOUT). max_threads 0:
  // enough for every slot and queued request (HttpThreadsFor) plus room for everything else.
  HttpLimits http{.max_threads = 0};
};

// Workers needed so that every slot and every queued request can hold a connection while
// kHttpThreadHeadroom more stay free for health checks, listings and the like.
inline constexpr size_t kHttpThreadHeadroom = 64;
size_t HttpThreadsFor(const runtime::SchedulerConfig& scheduler);

// Shared by all routes.
struct ServerContext {
  ServerConfig config;
  store::Store store;
  std::unique_ptr<runtime::Scheduler> scheduler;
  // Requested by Server::Stop(): in-flight generations and requests waiting for a slot end at once
  // (a stream with an {"error"} line), so that the server exits promptly (spec §1.3).
  std::stop_source shutdown;
  std::unique_ptr<DisconnectWatcher> watcher;  // clients that go away cancel their requests
  std::shared_ptr<HttpPoolStats> http_stats = std::make_shared<HttpPoolStats>();
  std::atomic<size_t> inference_in_flight{0};  // generate/chat/embed requests, queued or running
  // Held by whatever writes manifests or prunes blobs (create, copy, delete), one at a time: a
  // delete pruning a blob that a concurrent create was about to reference left a manifest
  // pointing at a deleted blob.
  std::mutex store_writes;
};

class Server {
 public:
  Server(ServerConfig config, store::Store store);  // defined where DisconnectWatcher is complete
  ~Server();

  // Binds the listening socket; afterwards port() is the real port.
  Status Bind();
  int port() const { return port_; }
  // Serves until Stop() (from another thread or a signal handler thread).
  Status Serve();
  // Closes the listener and cancels in-flight requests; Serve() returns once their handlers end.
  void Stop();

 private:
  void InstallSecurity();

  ServerContext ctx_;
  std::unique_ptr<httplib::Server> http_;
  int port_ = 0;
  std::atomic<bool> serving_{false};  // Serve() has begun
};

// Reads OLLAMA_HOST ("host:port", "http://host:port", ":port", "host") into host and port.
Status ParseOllamaHost(const std::string& value, std::string* host, int* port);
// ServerConfig from the OLLAMA_* environment variables (§2.1).
Result<ServerConfig> ServerConfigFromEnv();

}  // namespace olla::server
