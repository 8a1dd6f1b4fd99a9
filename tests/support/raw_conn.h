#pragma once
// One HTTP/1.1 exchange over a raw loopback socket, for end-to-end tests that decide when a
// connection sends, reads and closes (a client that goes away mid-stream, a slow client).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace olla::testing {

// One HTTP/1.1 exchange over a raw loopback socket: the test sends, reads what it wants and
// closes the connection when it chooses (a client that goes away mid-stream).
class RawConn {
 public:
  explicit RawConn(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) Close();
  }
  ~RawConn() { Close(); }
  RawConn(const RawConn&) = delete;
  RawConn& operator=(const RawConn&) = delete;

  bool ok() const { return fd_ >= 0; }
  // Sends `bytes` whole; false when the connection is closed or fails.
  bool SendRaw(std::string_view bytes) {
    size_t sent = 0;
    while (fd_ >= 0 && sent < bytes.size()) {
      ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return fd_ >= 0;
  }
  bool SendPost(int port, const std::string& path, const nlohmann::json& body) {
    const std::string b = body.dump();
    const std::string req =
        "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
        "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(b.size()) +
        "\r\nConnection: close\r\n\r\n" + b;
    size_t sent = 0;
    while (fd_ >= 0 && sent < req.size()) {
      ssize_t n = ::send(fd_, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return fd_ >= 0;
  }
  // Reads until `needle` has been received or `timeout` passes; true if it was received.
  bool ReadUntil(std::string_view needle, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (data_.find(needle) == std::string::npos) {
      if (!ReadSome(deadline)) return data_.find(needle) != std::string::npos;
    }
    return true;
  }
  // Reads until the server closes the connection (true) or `timeout` passes (false).
  bool ReadToEof(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!eof_)
      if (!ReadSome(deadline)) return eof_;
    return true;
  }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  const std::string& data() const { return data_; }
  // The NDJSON objects of a chunked body received so far (lines that start with '{').
  std::vector<nlohmann::json> JsonLines() const {
    std::vector<nlohmann::json> out;
    const size_t body = data_.find("\r\n\r\n");
    if (body == std::string::npos) return out;
    std::istringstream in(data_.substr(body + 4));
    for (std::string line; std::getline(in, line);) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (!line.empty() && line[0] == '{')
        out.push_back(nlohmann::json::parse(line, nullptr, false));
    }
    return out;
  }

 private:
  // Waits for data until `deadline`; false on timeout, EOF or error.
  bool ReadSome(std::chrono::steady_clock::time_point deadline) {
    if (fd_ < 0 || eof_) return false;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(std::min<int64_t>(left, 1000))) <= 0)
      return std::chrono::steady_clock::now() < deadline;
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0) {
      eof_ = true;
      return false;
    }
    data_.append(buf, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool eof_ = false;
  std::string data_;
};

}  // namespace olla::testing
