#include "registry/testing/fake_registry.h"

#include <httplib.h>
#include <openssl/evp.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <optional>

#include "base/sha256.h"

namespace olla::registry::testing {

namespace {

// Parses "bytes=a-b" (both given); false otherwise.
bool ParseRange(const std::string& header, int64_t* first, int64_t* last) {
  if (header.rfind("bytes=", 0) != 0) return false;
  size_t dash = header.find('-', 6);
  if (dash == std::string::npos || dash + 1 >= header.size()) return false;
  *first = std::atoll(header.c_str() + 6);
  *last = std::atoll(header.c_str() + dash + 1);
  return *first <= *last;
}

// Standard base64 through OpenSSL (independent of the client's own codec).
std::string EncodeB64(const std::string& in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}
std::optional<std::string> DecodeB64(const std::string& in) {
  if (in.empty() || in.size() % 4 != 0) return std::nullopt;
  std::string out(in.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  if (n < 0) return std::nullopt;
  size_t pad = in.size() - in.find_last_not_of('=') - 1;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

// Checks Ollama's token request signature (spec §7.3). Returns the signed string, or why not.
std::string CheckSignature(const httplib::Request& req, const std::string& pubkey_b64, bool* ok) {
  *ok = false;
  const std::string auth = req.get_header_value("Authorization");
  size_t colon = auth.find(':');
  if (colon == std::string::npos) return "no signature";
  if (auth.substr(0, colon) != pubkey_b64) return "unknown key";
  std::optional<std::string> blob = DecodeB64(pubkey_b64);
  std::optional<std::string> sig = DecodeB64(auth.substr(colon + 1));
  static const std::string kPrefix("\0\0\0\x0bssh-ed25519\0\0\0\x20", 19);
  if (!blob || blob->size() != 51 || blob->compare(0, kPrefix.size(), kPrefix) != 0) {
    return "bad public key";
  }
  if (!sig || sig->size() != 64) return "bad signature encoding";
  const std::string ts = req.get_param_value("ts");
  const long long now = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  if (ts.empty() || std::llabs(std::atoll(ts.c_str()) - now) > 300) return "bad ts";
  if (req.get_param_value("nonce").empty()) return "no nonce";
  const std::string data =
      "GET,http://" + req.get_header_value("Host") + req.target + "," + EncodeB64(Sha256Hex(""));
  const std::string pub = blob->substr(19);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                  reinterpret_cast<const unsigned char*>(pub.data()), 32),
      EVP_PKEY_free);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!key || !ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1 ||
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig->data()), 64,
                       reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1) {
    return "signature does not verify";
  }
  *ok = true;
  return data;
}

}  // namespace

FakeRegistry::FakeRegistry() : server_(std::make_unique<httplib::Server>()) {
  httplib::Server& s = *server_;
  auto pad = [this](httplib::Response& res) {
    for (size_t i = 0; i < behavior_.pad_headers; ++i) {
      res.set_header("X-Pad-" + std::to_string(i), std::string(1000, 'p'));
    }
  };
  auto log = [this](const httplib::Request& req) {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back({req.method, req.path, req.get_header_value("Authorization"),
                         req.get_header_value("Range")});
  };
  // False (and a 401 with a challenge written) when a token is required and missing.
  auto authorized = [this](const httplib::Request& req, httplib::Response& res,
                           const std::string& repo) {
    const std::string auth = req.get_header_value("Authorization");
    if (behavior_.require_token.empty() && !behavior_.require_basic.empty()) {
      if (auth == behavior_.require_basic) return true;
      res.status = 401;
      res.set_header("WWW-Authenticate", "Basic realm=\"fake\"");
      return false;
    }
    if (behavior_.require_token.empty() || auth == "Bearer " + behavior_.require_token) {
      return true;
    }
    std::string realm = behavior_.realm.empty() ? url() + "/token" : behavior_.realm;
    res.status = 401;
    res.set_header(
        "WWW-Authenticate",
        "Bearer realm=\"" + realm + "\",service=\"fake\",scope=\"repository:" + repo + ":pull\"");
    res.set_content(R"({"errors":[{"code":"UNAUTHORIZED"}]})", "application/json");
    return false;
  };
  auto serve_blob = [this](const httplib::Request& req, httplib::Response& res,
                           const std::string& digest) {
    const_cast<httplib::Request&>(req).ranges.clear();  // we answer Range ourselves
    std::string bytes;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = blobs_.find(digest);
      if (it == blobs_.end()) {
        res.status = 404;
        res.set_content(R"({"errors":[{"code":"BLOB_UNKNOWN"}]})", "application/json");
        return;
      }
      bytes = it->second;
      if (req.method == "GET" && blob_gets_failed_ < behavior_.fail_blob_gets) {
        ++blob_gets_failed_;
        res.status = 503;
        res.set_content("try later", "text/plain");
        return;
      }
    }
    const int64_t total = static_cast<int64_t>(bytes.size());
    int64_t first = 0, last = 0;
    std::string extra(static_cast<size_t>(behavior_.extra_bytes), 'X');
    if (behavior_.honor_ranges && ParseRange(req.get_header_value("Range"), &first, &last) &&
        first < total) {
      last = std::min(last, total - 1);
      res.status = 206;
      res.set_header("Content-Range", "bytes " + std::to_string(first) + "-" +
                                          std::to_string(last) + "/" + std::to_string(total));
      res.set_content(bytes.substr(first, last - first + 1) + extra, "application/octet-stream");
      return;
    }
    res.status = 200;
    res.set_content(bytes + extra, "application/octet-stream");
  };

  s.Get(R"(/v2/(.+)/manifests/([^/]+))", [=, this](const httplib::Request& req,
                                                   httplib::Response& res) {
    log(req);
    pad(res);
    if (!authorized(req, res, req.matches[1])) return;
    std::lock_guard<std::mutex> lock(mu_);
    auto it = manifests_.find(std::string(req.matches[1]) + ":" + std::string(req.matches[2]));
    if (it == manifests_.end()) {
      res.status = 404;
      res.set_content(R"({"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]})",
                      "application/json");
      return;
    }
    res.status = 200;
    res.set_content(it->second, "application/vnd.docker.distribution.manifest.v2+json");
  });
  s.Get(R"(/v2/(.+)/blobs/([^/]+))",
        [=, this](const httplib::Request& req, httplib::Response& res) {
          log(req);
          pad(res);
          if (!authorized(req, res, req.matches[1])) return;
          std::string digest = req.matches[2];
          if (!behavior_.redirect_raw.empty() || !behavior_.redirect_blobs_to.empty()) {
            res.status = 307;
            res.set_header("Location", behavior_.redirect_raw.empty()
                                           ? behavior_.redirect_blobs_to + "/blobs/" + digest
                                           : behavior_.redirect_raw);
            return;
          }
          serve_blob(req, res, digest);
        });
  s.Get(R"(/blobs/([^/]+))", [=](const httplib::Request& req, httplib::Response& res) {
    log(req);
    pad(res);
    serve_blob(req, res, req.matches[1]);
  });
  s.Get("/token", [=, this](const httplib::Request& req, httplib::Response& res) {
    log(req);
    if (!behavior_.require_basic.empty() &&
        req.get_header_value("Authorization") != behavior_.require_basic) {
      res.status = 401;
      res.set_content(R"({"details":"incorrect username or password"})", "application/json");
      return;
    }
    if (!behavior_.require_signature.empty()) {
      bool ok = false;
      std::string checked = CheckSignature(req, behavior_.require_signature, &ok);
      if (!ok) {
        res.status = 401;
        res.set_content("{\"error\":\"" + checked + "\"}", "application/json");
        return;
      }
      std::lock_guard<std::mutex> lock(mu_);
      signed_strings_.push_back(checked);
    }
    std::string query;
    for (const auto& [k, v] : req.params) query += (query.empty() ? "" : "&") + k + "=" + v;
    {
      std::lock_guard<std::mutex> lock(mu_);
      token_queries_.push_back(query);
    }
    std::string token =
        behavior_.issue_token.empty() ? behavior_.require_token : behavior_.issue_token;
    res.set_content("{\"token\":\"" + token + "\"}", "application/json");
  });
  port_ = s.bind_to_any_port("127.0.0.1");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // cpp-httplib's stop() does nothing until the server runs, and the listener would then block in
  // accept() for ever: a registry destroyed at once must not hang its test.
  while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

FakeRegistry::~FakeRegistry() {
  server_->stop();
  thread_.join();
}

std::string FakeRegistry::AddBlob(const std::string& bytes) {
  std::string digest = "sha256:" + Sha256Hex(bytes);
  AddBlobAs(digest, bytes);
  return digest;
}

void FakeRegistry::AddBlobAs(const std::string& digest, const std::string& bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  blobs_[digest] = bytes;
}

void FakeRegistry::SetManifest(const std::string& repo, const std::string& tag,
                               const std::string& raw) {
  std::lock_guard<std::mutex> lock(mu_);
  manifests_[repo + ":" + tag] = raw;
}

std::string FakeRegistry::BuildManifest(const Ref& config, const std::vector<Ref>& layers) {
  auto ref = [](const Ref& r) {
    return "{\"mediaType\":\"" + r.media_type + "\",\"digest\":\"" + r.digest +
           "\",\"size\":" + std::to_string(r.size) + "}";
  };
  std::string out =
      "{\"schemaVersion\":2,\"mediaType\":"
      "\"application/vnd.docker.distribution.manifest.v2+json\",\"config\":" +
      ref(config) + ",\"layers\":[";
  for (size_t i = 0; i < layers.size(); ++i) out += (i ? "," : "") + ref(layers[i]);
  return out + "]}";
}

std::vector<FakeRequest> FakeRegistry::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

std::vector<std::string> FakeRegistry::token_queries() const {
  std::lock_guard<std::mutex> lock(mu_);
  return token_queries_;
}

std::vector<std::string> FakeRegistry::signed_strings() const {
  std::lock_guard<std::mutex> lock(mu_);
  return signed_strings_;
}

}  // namespace olla::registry::testing
