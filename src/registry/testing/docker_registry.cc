#include "registry/testing/docker_registry.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

namespace olla::registry::testing {

namespace {

bool CanConnect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

int FreeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

bool DockerRegistry::Available() { return ::access(kBinary, X_OK) == 0; }

DockerRegistry::DockerRegistry() {
  int port = FreeLoopbackPort();
  std::string config = dir_.Join("config.yml");
  std::ofstream(config) << "version: 0.1\n"
                           "log:\n  level: error\n  accesslog:\n    disabled: true\n"
                           "storage:\n  filesystem:\n    rootdirectory: "
                        << dir_.Join("storage")
                        << "\n  delete:\n    enabled: true\n"
                           "  maintenance:\n    uploadpurging:\n      enabled: false\n"
                           "http:\n  addr: 127.0.0.1:"
                        << port << "\n";
  std::string log = dir_.Join("registry.log");
  pid_ = ::fork();
  if (pid_ == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    ::execl(kBinary, kBinary, "serve", config.c_str(), static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (pid_ > 0 && std::chrono::steady_clock::now() < deadline) {
    if (CanConnect(port)) {
      port_ = port;
      return;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

DockerRegistry::~DockerRegistry() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  int status = 0;
  for (int i = 0; i < 250; ++i) {
    if (::waitpid(pid_, &status, WNOHANG) == pid_) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, &status, 0);
}

std::string DockerRegistry::BlobDataPath(const std::string& hex) const {
  return dir_.Join("storage/docker/registry/v2/blobs/sha256/" + hex.substr(0, 2) + "/" + hex +
                   "/data");
}

std::string DockerRegistry::Log() const {
  std::ifstream in(dir_.Join("registry.log"));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace olla::registry::testing
