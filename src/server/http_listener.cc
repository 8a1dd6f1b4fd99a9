#include "server/http_listener.h"

#include <httplib.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include "api/json_request.h"
#include "base/log.h"
#include "base/str_cat.h"

namespace olla::server {
namespace {

using Clock = std::chrono::steady_clock;

// Waits up to `timeout` for `events` on fd; > 0 when ready, 0 on timeout, < 0 on error.
int PollFor(int fd, short events, std::chrono::milliseconds timeout) {
  pollfd p{fd, events, 0};
  for (;;) {
    const int r = ::poll(&p, 1, static_cast<int>(std::max<int64_t>(0, timeout.count())));
    if (r < 0 && errno == EINTR) continue;
    return r;
  }
}

bool HostPort(bool peer, int fd, std::string& ip, int& port) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  int r = peer ? ::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len)
               : ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  if (r != 0) return false;
  char h[NI_MAXHOST];
  char p[NI_MAXSERV];
  if (::getnameinfo(reinterpret_cast<const sockaddr*>(&addr), len, h, sizeof(h), p, sizeof(p),
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0)
    return false;
  ip = h;
  port = std::atoi(p);
  return true;
}

// One accepted connection: the httplib::Stream that process_request reads and writes, with the
// deadlines of the request being read.
class Connection final : public httplib::Stream {
 public:
  Connection(int fd, const HttpLimits& limits) : fd_(fd), limits_(limits) {}

  // Starts reading a new request: the header deadline and byte budget begin now.
  void BeginRequest() {
    in_headers_ = true;
    header_bytes_ = 0;
    tail_ = 0;
    deadline_ = Clock::now() + limits_.header_timeout;
  }
  void LiftDeadline() { deadline_.reset(); }
  void MarkClose() { close_after_response_ = true; }
  bool must_close() const { return close_after_response_ || deadline_passed_; }
  bool has_buffered() const { return pos_ < len_; }

  bool is_readable() const override {
    return has_buffered() || PollFor(fd_, POLLIN, ReadWait()) > 0;
  }
  bool is_writable() const override { return PollFor(fd_, POLLOUT, limits_.idle_timeout) > 0; }

  ssize_t read(char* ptr, size_t size) override {
    if (in_headers_ && header_bytes_ >= limits_.max_header_bytes) {
      close_after_response_ = true;
      return -1;
    }
    if (!has_buffered()) {
      const auto wait = ReadWait();
      if (wait.count() <= 0 || PollFor(fd_, POLLIN, wait) <= 0) {
        if (deadline_ && Clock::now() >= *deadline_) deadline_passed_ = true;
        return -1;
      }
      ssize_t n;
      do n = ::recv(fd_, buf_, sizeof(buf_), 0);
      while (n < 0 && errno == EINTR);
      if (n <= 0) return n;
      pos_ = 0;
      len_ = static_cast<size_t>(n);
    }
    size_t n = std::min(size, len_ - pos_);
    if (in_headers_) {
      n = std::min(n, limits_.max_header_bytes - header_bytes_);
      // httplib reads the head one byte at a time; the blank line after a line end ends it,
      // and the body deadline begins.
      for (size_t i = 0; i < n && in_headers_; ++i) {
        tail_ = (tail_ << 8) | static_cast<unsigned char>(buf_[pos_ + i]);
        if ((tail_ & 0xFFFFFF) == 0x0A0D0A) {
          in_headers_ = false;
          deadline_ = Clock::now() + limits_.body_timeout;
          n = i + 1;
        }
      }
      header_bytes_ += n;
    }
    std::memcpy(ptr, buf_ + pos_, n);
    pos_ += n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (!is_writable()) return -1;
    ssize_t n;
    do n = ::send(fd_, ptr, size, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n;
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    HostPort(true, fd_, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    HostPort(false, fd_, ip, port);
  }
  int socket() const override { return fd_; }

 private:
  // How long the next read may wait: the idle timeout, cut short by the request's deadline.
  std::chrono::milliseconds ReadWait() const {
    auto wait = limits_.idle_timeout;
    if (deadline_) {
      wait = std::min(
          wait, std::chrono::duration_cast<std::chrono::milliseconds>(*deadline_ - Clock::now()));
    }
    return wait;
  }

  const int fd_;
  const HttpLimits& limits_;
  char buf_[4096];
  size_t pos_ = 0, len_ = 0;
  bool in_headers_ = false;
  size_t header_bytes_ = 0;
  uint32_t tail_ = 0;  // the last bytes of the head, to find its end
  std::optional<Clock::time_point> deadline_;
  bool deadline_passed_ = false;
  bool close_after_response_ = false;
};

thread_local Connection* t_connection = nullptr;
// Set by the pool while the acceptor thread runs a connection it has no worker for.
thread_local bool t_reject_busy = false;

// A pool that starts workers when no idle one is free, up to max_threads, and keeps up to
// max_waiting connections queued; past that enqueue() runs the task on the acceptor thread with
// t_reject_busy set, so that the connection is answered 503 at once.
class ElasticPool final : public httplib::TaskQueue {
 public:
  ElasticPool(const HttpLimits& limits, std::shared_ptr<HttpPoolStats> stats)
      : limits_(limits), stats_(std::move(stats)) {}
  ~ElasticPool() override { shutdown(); }

  void enqueue(std::function<void()> fn) override {
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (idle_ > jobs_.size() || StartWorkerLocked() || jobs_.size() < limits_.max_waiting) {
        jobs_.push_back(std::move(fn));
        stats_->waiting = jobs_.size();
        cv_.notify_one();
        return;
      }
    }
    ++stats_->rejected;
    t_reject_busy = true;
    fn();
    t_reject_busy = false;
  }

  void shutdown() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (shutdown_) return;
      shutdown_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
    threads_.clear();
  }

 private:
  bool StartWorkerLocked() {
    if (threads_.size() >= limits_.max_threads) return false;
    try {
      threads_.emplace_back([this] { Work(); });
    } catch (const std::system_error& e) {
      LogWarn(StrCat("cannot start an HTTP worker: ", e.what()));
      return false;
    }
    stats_->threads = threads_.size();
    return true;
  }

  void Work() {
    for (;;) {
      std::function<void()> fn;
      {
        std::unique_lock<std::mutex> lock(mu_);
        ++idle_;
        cv_.wait(lock, [&] { return !jobs_.empty() || shutdown_; });
        --idle_;
        if (jobs_.empty()) return;  // shut down
        fn = std::move(jobs_.front());
        jobs_.pop_front();
        stats_->waiting = jobs_.size();
      }
      ++stats_->busy;
      fn();
      --stats_->busy;
    }
  }

  const HttpLimits limits_;
  std::shared_ptr<HttpPoolStats> stats_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;
  size_t idle_ = 0;
  bool shutdown_ = false;
};

std::string CannedResponse(std::string_view status_line, std::string_view extra_headers,
                           const std::string& body) {
  return StrCat("HTTP/1.1 ", status_line, "\r\n", extra_headers,
                "Content-Type: application/json; charset=utf-8\r\nContent-Length: ", body.size(),
                "\r\nConnection: close\r\n\r\n", body);
}

// Answers a connection there is no worker for, on the acceptor thread and without waiting long
// on the client: GET /health still gets its 200 (the process is up), anything else a 503 in
// Ollama's words (spec §10.5) with Retry-After. What the client already sent is read first so
// that the close does not reset the connection before the answer is read.
void RejectBusy(int fd) {
  static const std::string kBusy = CannedResponse(
      "503 Service Unavailable", "Retry-After: 1\r\n",
      api::ErrorBody("server busy, please try again.  maximum pending requests exceeded"));
  static const std::string kHealthy = CannedResponse("200 OK", "", R"({"status":"ok"})");
  char head[4096];
  ssize_t n = 0;
  if (PollFor(fd, POLLIN, std::chrono::milliseconds(10)) > 0)
    n = ::recv(fd, head, sizeof(head), MSG_DONTWAIT);
  const std::string_view got(head, n > 0 ? static_cast<size_t>(n) : 0);
  const bool health = got.starts_with("GET /health ") || got.starts_with("GET /health?");
  while (::recv(fd, head, sizeof(head), MSG_DONTWAIT) > 0) {
  }
  const std::string& answer = health ? kHealthy : kBusy;
  (void)::send(fd, answer.data(), answer.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  ::shutdown(fd, SHUT_WR);
}

// Closes a connection whose request was not read to its end (a refused body, a passed deadline)
// the way Go's server does: stop writing, then read and drop what the client still sends for a
// moment, so that the close does not reset the connection before the client reads the answer.
void LingerClose(int fd) {
  ::shutdown(fd, SHUT_WR);
  const auto end = Clock::now() + std::chrono::seconds(1);
  char sink[16384];
  for (size_t total = 0; total < (size_t{64} << 20);) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now());
    if (left.count() <= 0 || PollFor(fd, POLLIN, left) <= 0) break;
    const ssize_t n = ::recv(fd, sink, sizeof(sink), 0);
    if (n <= 0) break;
    total += static_cast<size_t>(n);
  }
}

class LimitedServer final : public httplib::Server {
 public:
  LimitedServer(const HttpLimits& limits, std::stop_token stopping,
                std::shared_ptr<HttpPoolStats> stats)
      : limits_(limits), stopping_(std::move(stopping)) {
    new_task_queue = [this, stats] { return new ElasticPool(limits_, stats); };
    set_keep_alive_max_count(limits_.keep_alive_max_requests);
    set_keep_alive_timeout(
        std::chrono::duration_cast<std::chrono::seconds>(limits_.idle_timeout).count());
    // A connection that will be closed says so (httplib would announce keep-alive).
    set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
      if (t_connection && t_connection->must_close()) {
        res.headers.erase("Keep-Alive");
        res.set_header("Connection", "close");
      }
    });
  }

 private:
  // Overrides httplib's connection loop (a private virtual it calls for each accepted socket).
  bool process_and_close_socket(int fd) override {
    if (t_reject_busy) {
      RejectBusy(fd);
      ::close(fd);
      return true;
    }
    bool ret = true;
    bool linger = false;
    {
      Connection conn(fd, limits_);
      t_connection = &conn;
      for (size_t n = 0; n < limits_.keep_alive_max_requests; ++n) {
        if (!WaitForRequest(conn)) break;
        conn.BeginRequest();
        bool closed = false;
        const bool last = n + 1 == limits_.keep_alive_max_requests || stopping_.stop_requested();
        ret = process_request(conn, last, closed, nullptr);
        if (!ret || closed || last || conn.must_close()) break;
      }
      t_connection = nullptr;
      linger = conn.must_close();
    }
    if (linger) LingerClose(fd);
    ::shutdown(fd, SHUT_RDWR);
    ::close(fd);
    return ret;
  }

  // Waits for the next request's first byte: up to idle_timeout, ending early on shutdown.
  bool WaitForRequest(Connection& conn) const {
    if (conn.has_buffered()) return true;
    const auto end = Clock::now() + limits_.idle_timeout;
    while (!stopping_.stop_requested() && is_running()) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now());
      if (left.count() <= 0) return false;
      const int r = PollFor(conn.socket(), POLLIN, std::min(left, std::chrono::milliseconds(100)));
      if (r != 0) return r > 0;
    }
    return false;
  }

  const HttpLimits limits_;
  std::stop_token stopping_;
};

}  // namespace

std::unique_ptr<httplib::Server> MakeHttpServer(const HttpLimits& limits, std::stop_token stopping,
                                                std::shared_ptr<HttpPoolStats> stats) {
  return std::make_unique<LimitedServer>(limits, std::move(stopping), std::move(stats));
}

void CloseConnectionAfterResponse() {
  if (t_connection) t_connection->MarkClose();
}

void NoBodyDeadline() {
  if (t_connection) t_connection->LiftDeadline();
}

int CurrentConnectionSocket() { return t_connection ? t_connection->socket() : -1; }

}  // namespace olla::server
