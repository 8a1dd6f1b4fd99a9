#pragma once
// Starts `olla serve` on a free loopback port with a temporary OLLAMA_MODELS for end-to-end tests,
// and stops it (SIGTERM, then SIGKILL after a timeout) when destroyed.

#include <sys/types.h>

#include <csignal>
#include <map>
#include <string>

#include "support/testdata.h"

namespace olla::testing {

class ServerFixture {
 public:
  // `extra_env`: more OLLAMA_* variables. Fails the test (ADD_FAILURE) if the server does not
  // report its port within 20 s.
  explicit ServerFixture(std::map<std::string, std::string> extra_env = {});
  ~ServerFixture();
  ServerFixture(const ServerFixture&) = delete;
  ServerFixture& operator=(const ServerFixture&) = delete;

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  const std::string& models_dir() const { return models_dir_; }
  // Sends `signal_number` (default SIGTERM) and waits up to 10 s; returns the exit status (or -1
  // on timeout, after SIGKILL, or when killed by a signal).
  int Stop(int signal_number = SIGTERM);
  // The server's stderr so far.
  std::string Log() const;

 private:
  TempDir dir_;
  std::string models_dir_, log_path_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// Copies a GGUF file into the store under `name` as a minimal model (model layer + config blob +
// optional template/params layers), bypassing `create`, so server tests can start from a model.
void InstallModel(const std::string& models_dir, const std::string& name,
                  const std::string& gguf_path, const std::string& template_text = "",
                  const std::string& params_json = "", const std::string& model_family = "llama");

}  // namespace olla::testing
