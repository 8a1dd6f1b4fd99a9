#pragma once
// One HTTP exchange over libcurl, with the limits a client of hostile servers needs (CONVENTIONS.md
// C12): only http(s) URLs, redirects never followed here (the caller decides, see url.h), TLS
// peer and host verification on unless `tls_insecure`, response headers capped in count and
// bytes, buffered bodies capped, stalls cut off, and cancellation through a stop token.
//
// Errors are values: a transport failure (connection refused or reset, timeout, stall, short
// body) is kUnavailable, so callers may retry it; a TLS verification failure or a limit being
// exceeded is not. An HTTP status >= 400 is NOT an error here: it is a response like any other.
// Thread-safety: HttpDo may be called from many threads at once; each call uses its own handle.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace olla::registry {

// Response headers in arrival order; lookups ignore ASCII case.
class Headers {
 public:
  void Add(std::string name, std::string value) {
    entries_.emplace_back(std::move(name), std::move(value));
  }
  // The first value of `name`, or nullopt.
  std::optional<std::string> Get(std::string_view name) const;
  // Every value of `name` (WWW-Authenticate may repeat).
  std::vector<std::string> GetAll(std::string_view name) const;
  size_t size() const { return entries_.size(); }
  void clear() { entries_.clear(); }

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
};

// A request body read with pread(2) from an open file, so that a retry can send it again.
struct FileSlice {
  int fd = -1;
  int64_t offset = 0;
  int64_t size = 0;
};

struct HttpResponse {
  long status = 0;
  Headers headers;
  std::string body;        // buffered body (empty when on_body was set)
  int64_t body_bytes = 0;  // bytes of body received (both modes)
};

struct HttpLimits {
  size_t max_header_bytes = 64 << 10;  // all header lines of one response together
  size_t max_headers = 128;            // header lines of one response
  size_t max_body = 1 << 20;           // buffered bodies only (no on_body)
};

struct HttpRequest {
  std::string method = "GET";  // GET, HEAD, POST, PUT, PATCH, DELETE
  std::string url;             // absolute http:// or https:// URL
  std::vector<std::pair<std::string, std::string>> headers;
  // Request body: `body`, or `file` when set. No body is sent for GET/HEAD.
  std::string body;
  std::optional<FileSlice> file;
  // Streaming response body: called for each chunk of a final 2xx response. A non-OK status
  // aborts the transfer and is returned by HttpDo. Bodies of other responses (errors,
  // redirects) are buffered instead, their first 4 KiB kept and the rest dropped. Unset: every
  // body is buffered into HttpResponse::body, up to limits.max_body (more → kCorrupt).
  std::function<Status(std::string_view chunk, const HttpResponse& head)> on_body;
  // Called with the bytes of the request body sent so far (uploads).
  std::function<void(int64_t sent)> on_upload;
  HttpLimits limits;
  bool tls_insecure = false;                 // skip certificate verification
  std::chrono::seconds connect_timeout{30};  // TCP + TLS handshake
  std::chrono::seconds stall_timeout{30};    // no byte in either direction
  std::chrono::seconds total_timeout{0};     // 0: none (big blobs take long)
  std::stop_token stop;                      // requested → kCancelled
};

// Performs `req`. See the file comment for the error contract.
Result<HttpResponse> HttpDo(const HttpRequest& req);

}  // namespace olla::registry
