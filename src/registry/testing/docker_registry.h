#pragma once
// Runs Debian's `docker-registry` (Docker distribution 2.8) for tests: plain HTTP on a free
// loopback port, filesystem storage in a temporary directory, started by the constructor (ready
// within 20 s or ok() is false) and killed by the destructor.

#include <sys/types.h>

#include <string>

#include "support/testdata.h"

namespace olla::registry::testing {

class DockerRegistry {
 public:
  static constexpr const char* kBinary = "/usr/bin/docker-registry";
  static bool Available();

  DockerRegistry();
  ~DockerRegistry();
  DockerRegistry(const DockerRegistry&) = delete;
  DockerRegistry& operator=(const DockerRegistry&) = delete;

  bool ok() const { return port_ > 0; }
  int port() const { return port_; }
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  // The file holding a blob's bytes in the registry's storage (to tamper with).
  std::string BlobDataPath(const std::string& digest_hex) const;
  std::string Log() const;

 private:
  olla::testing::TempDir dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// A free TCP port on 127.0.0.1 (bound and released; racy only against other processes).
int FreeLoopbackPort();

}  // namespace olla::registry::testing
