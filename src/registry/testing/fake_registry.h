#pragma once
// An in-process registry on 127.0.0.1 (cpp-httplib) for tests: serves manifests and blobs of the
// Docker registry API v2 and misbehaves on request (bearer tokens, ignored Range, redirects to
// another host, extra bytes, transient 503s, oversized headers). Also usable as the "object
// storage" a registry redirects to (it serves /blobs/<digest> too). Every request is logged.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class Server;
}

namespace olla::registry::testing {

struct FakeRequest {
  std::string method, path, authorization, range;
};

struct FakeBehavior {
  std::string require_token;      // non-empty: /v2/ requests need "Bearer <token>", else 401
  std::string realm;              // challenge realm; empty: http://<this host>/token
  std::string issue_token;        // what /token returns; empty: require_token
  std::string require_basic;      // an Authorization value ("Basic …") that /token needs, or,
                                  // without require_token, every /v2/ request
  std::string require_signature;  // base64 field of a "ssh-ed25519 AAAA…" line: /token needs
                                  // Ollama's signature by that key (checked with OpenSSL here),
                                  // `ts` within 5 minutes and a `nonce`
  bool honor_ranges = true;       // false: answer ranged blob GETs with 200 and the whole blob
  std::string redirect_blobs_to;  // "http://host:port": blob GETs answer 307 to <it>/blobs/<d>
  std::string redirect_raw;       // blob GETs answer 307 with exactly this Location
  int64_t extra_bytes = 0;        // append this many bytes to every blob body
  int fail_blob_gets = 0;         // answer this many blob GETs with 503 first
  size_t pad_headers = 0;         // add this many 1000-byte headers to every response
};

class FakeRegistry {
 public:
  FakeRegistry();
  ~FakeRegistry();
  FakeRegistry(const FakeRegistry&) = delete;
  FakeRegistry& operator=(const FakeRegistry&) = delete;

  int port() const { return port_; }
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string url() const { return "http://" + host(); }

  // Stores a blob; returns its digest "sha256:<hex>".
  std::string AddBlob(const std::string& bytes);
  // Stores a blob under a digest that does not match it (for corruption tests).
  void AddBlobAs(const std::string& digest, const std::string& bytes);
  void SetManifest(const std::string& repo, const std::string& tag, const std::string& raw);
  // A schema-2 manifest of the given config and layers ({media type, digest, size}).
  struct Ref {
    std::string media_type, digest;
    int64_t size;
  };
  static std::string BuildManifest(const Ref& config, const std::vector<Ref>& layers);

  // Set before requests are made (not synchronised with the serving threads' reads).
  FakeBehavior& behavior() { return behavior_; }
  std::vector<FakeRequest> requests() const;
  std::vector<std::string> token_queries() const;
  // The strings whose signatures /token accepted ("GET,<url>,<body hash>").
  std::vector<std::string> signed_strings() const;

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  FakeBehavior behavior_;
  mutable std::mutex mu_;
  std::map<std::string, std::string> blobs_;      // digest → bytes
  std::map<std::string, std::string> manifests_;  // "repo:tag" → raw
  std::vector<FakeRequest> requests_;
  std::vector<std::string> token_queries_;
  std::vector<std::string> signed_strings_;
  int blob_gets_failed_ = 0;
};

}  // namespace olla::registry::testing
