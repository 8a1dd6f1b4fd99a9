#pragma once
// The HTTP client the CLI uses to talk to `olla serve` (spec §1.1): OLLAMA_HOST, the heartbeat,
// JSON calls, NDJSON streams, and Ollama's client-side error decoding.

#include <cstdint>
#include <functional>
#include <memory>
#include <stop_token>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "base/status.h"

namespace olla::api {

class Client {
 public:
  // Reads OLLAMA_HOST (default 127.0.0.1:11434).
  static Result<Client> FromEnv();
  Client(std::string host, int port);
  ~Client();
  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;

  // HEAD /: kUnavailable "could not connect to ollama server, run 'ollama serve' to start it".
  Status Heartbeat();

  // A JSON call. Status ≥ 400 gives an error whose message is the body's "error" (or the body).
  // The HTTP status of a failed call is available through last_http_status().
  Result<nlohmann::json> Call(const std::string& method, const std::string& path,
                              const nlohmann::json* body);

  // A streaming call: each NDJSON object is passed to `on_object`; return false to stop (the
  // connection is closed). Errors per spec §1.1: with status ≥ 400 "<status line>: <message>";
  // an {"error": ...} line in a 200 stream ends it with that message. A stop request on
  // `stop` (e.g. Ctrl-C) shuts the connection at once, even while waiting for the next
  // object. Stopping either way returns kCancelled.
  Status Stream(const std::string& path, const nlohmann::json& body,
                const std::function<bool(const nlohmann::json&)>& on_object,
                std::stop_token stop = {});

  // HEAD `path`: the HTTP status (kUnavailable if the server cannot be reached).
  Result<int> Head(const std::string& path);

  // POST `path` with the contents of `file_path` as an application/octet-stream body, streamed
  // from disk; `on_progress(sent, total)` is called as the body goes out. Status >= 400 is an
  // error with the body's "error" message, as for Call().
  Status PostFile(const std::string& path, const std::string& file_path,
                  const std::function<void(uint64_t sent, uint64_t total)>& on_progress);

  int last_http_status() const { return last_status_; }
  const std::string& host() const { return host_; }
  int port() const { return port_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string host_;
  int port_ = 0;
  int last_status_ = 0;
};

}  // namespace olla::api
