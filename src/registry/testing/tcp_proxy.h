#pragma once
// A loopback TCP relay for tests of interrupted and slow transfers: it forwards every connection
// to an upstream port and counts the bytes going back to the client. It can cut everything off
// after a byte budget, drop each connection after a few bytes, or throttle.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace olla::registry::testing {

class TcpProxy {
 public:
  // Listens on 127.0.0.1 (any free port) and relays to 127.0.0.1:upstream_port.
  explicit TcpProxy(int upstream_port);
  ~TcpProxy();
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  int port() const { return port_; }
  // Bytes relayed from upstream to clients since construction or ResetCount().
  int64_t downstream_bytes() const { return downstream_.load(); }
  // Bytes relayed from clients to upstream (request bodies: uploads).
  int64_t upstream_bytes() const { return upstream_.load(); }
  void ResetCount() {
    downstream_.store(0);
    upstream_.store(0);
  }
  // After `n` more downstream bytes, close every connection, and close new ones at once, until
  // Heal().
  void CutAfter(int64_t n);
  void Heal();
  // Each connection is closed after relaying `n` downstream bytes (0: no limit).
  void SetPerConnectionLimit(int64_t n) { per_connection_.store(n); }
  // Downstream bytes per second per connection (0: unlimited).
  void SetRate(int64_t bytes_per_second) { rate_.store(bytes_per_second); }

 private:
  void AcceptLoop();
  void Relay(int client_fd);

  int listen_fd_ = -1;
  int port_ = 0;
  int upstream_port_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> downstream_{0};
  std::atomic<int64_t> upstream_{0};
  std::atomic<int64_t> budget_{-1};  // -1: no cut scheduled; 0: cut (dead)
  std::atomic<int64_t> per_connection_{0};
  std::atomic<int64_t> rate_{0};
  std::mutex mu_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

}  // namespace olla::registry::testing
