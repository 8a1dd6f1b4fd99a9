#include "registry/testing/tcp_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>

namespace olla::registry::testing {

namespace {

int ConnectLoopback(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool SendAll(int fd, const char* data, size_t n) {
  while (n > 0) {
    ssize_t w = ::send(fd, data, n, MSG_NOSIGNAL);
    if (w <= 0) return false;
    data += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

}  // namespace

TcpProxy::TcpProxy(int upstream_port) : upstream_port_(upstream_port) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  ::listen(listen_fd_, 64);
  socklen_t len = sizeof(addr);
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

TcpProxy::~TcpProxy() {
  stop_.store(true);
  acceptor_.join();
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mu_);
    threads.swap(threads_);
  }
  for (std::thread& t : threads) t.join();
  ::close(listen_fd_);
}

void TcpProxy::CutAfter(int64_t n) { budget_.store(n); }
void TcpProxy::Heal() { budget_.store(-1); }

void TcpProxy::AcceptLoop() {
  while (!stop_.load()) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    if (budget_.load() == 0) {  // cut: the network is down
      ::close(fd);
      continue;
    }
    std::lock_guard<std::mutex> lock(mu_);
    threads_.emplace_back([this, fd] { Relay(fd); });
  }
}

void TcpProxy::Relay(int client_fd) {
  int upstream = ConnectLoopback(upstream_port_);
  if (upstream < 0) {
    ::close(client_fd);
    return;
  }
  int64_t relayed = 0;
  const auto start = std::chrono::steady_clock::now();
  char buf[16 << 10];
  bool open = true;
  while (open && !stop_.load() && budget_.load() != 0) {
    pollfd p[2] = {{client_fd, POLLIN, 0}, {upstream, POLLIN, 0}};
    if (::poll(p, 2, 50) <= 0) continue;
    if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = ::recv(client_fd, buf, sizeof(buf), 0);
      if (n <= 0 || !SendAll(upstream, buf, static_cast<size_t>(n))) break;
      upstream_.fetch_add(n);
    }
    if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
      size_t want = sizeof(buf);
      if (int64_t rate = rate_.load(); rate > 0) want = std::min<size_t>(want, 4096);
      ssize_t n = ::recv(upstream, buf, want, 0);
      if (n <= 0) break;
      size_t send = static_cast<size_t>(n);
      if (int64_t limit = per_connection_.load(); limit > 0 && relayed + n >= limit) {
        send = static_cast<size_t>(std::max<int64_t>(0, limit - relayed));
        open = false;
      }
      int64_t b = budget_.load();  // consume the global budget, if one is set
      while (b > 0) {
        int64_t take = std::min<int64_t>(b, static_cast<int64_t>(send));
        if (budget_.compare_exchange_weak(b, b - take)) {
          if (take < static_cast<int64_t>(send)) {
            send = static_cast<size_t>(take);
            open = false;
          }
          break;
        }
      }
      if (b == 0) {  // cut meanwhile
        send = 0;
        open = false;
      }
      if (send > 0 && !SendAll(client_fd, buf, send)) break;
      relayed += static_cast<int64_t>(send);
      downstream_.fetch_add(static_cast<int64_t>(send));
      if (int64_t rate = rate_.load(); rate > 0) {  // sleep until this many bytes are due
        auto due = start + std::chrono::microseconds(relayed * 1000000 / rate);
        std::this_thread::sleep_until(due);
      }
    }
  }
  ::shutdown(client_fd, SHUT_RDWR);
  ::close(client_fd);
  ::close(upstream);
}

}  // namespace olla::registry::testing
