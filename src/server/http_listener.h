#pragma once
// The HTTP server under the routes: cpp-httplib 0.11.4 parses and routes requests, but its
// connection handling has no limits (issue #17): a fixed pool of 8 workers, a per-read timeout
// only (a client sending one header byte a second holds a worker for ever), header lines of any
// length. MakeHttpServer returns an httplib::Server whose connections are served by our loop
// instead, with:
//   - an elastic worker pool of up to `max_threads` (a connection holds one while open), and
//     `max_waiting` accepted connections waiting for one; beyond that a new connection gets
//     503 `server busy` with `Retry-After: 1` and is closed;
//   - a deadline for the request line and headers (`header_timeout`, from the first byte wait)
//     and at most `max_header_bytes` of them;
//   - a deadline for reading the body (`body_timeout`, from the end of the headers), which a
//     streaming upload lifts with NoBodyDeadline();
//   - `idle_timeout` for every single read and write, and between keep-alive requests.
// A connection whose deadline passed, or whose body a handler left unread
// (CloseConnectionAfterResponse), is closed after its response.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <stop_token>

namespace httplib {
class Server;
}

namespace olla::server {

struct HttpLimits {
  size_t max_threads = 640;
  size_t max_waiting = 64;
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds body_timeout{60'000};
  size_t max_header_bytes = size_t{1} << 20;  // Go's http.DefaultMaxHeaderBytes
  std::chrono::milliseconds idle_timeout{5'000};
  size_t keep_alive_max_requests = 100;
};

// Live counts of the pool, for /ready. Thread-safe.
struct HttpPoolStats {
  std::atomic<size_t> threads{0};   // started workers
  std::atomic<size_t> busy{0};      // workers serving a connection
  std::atomic<size_t> waiting{0};   // connections accepted, waiting for a worker
  std::atomic<size_t> rejected{0};  // connections answered 503 busy by the acceptor
};

// `stopping`: once requested, idle keep-alive connections are closed at once (Server::Stop).
std::unique_ptr<httplib::Server> MakeHttpServer(const HttpLimits& limits, std::stop_token stopping,
                                                std::shared_ptr<HttpPoolStats> stats);

// About the connection of the request this thread is serving; no-ops on other threads.
// Marks it to be closed after the response (a handler that did not read the whole body).
void CloseConnectionAfterResponse();
// Lifts the body deadline of the current request (uploads of any size, idle_timeout still holds).
void NoBodyDeadline();
// The socket of the current request's connection, or -1.
int CurrentConnectionSocket();

}  // namespace olla::server
