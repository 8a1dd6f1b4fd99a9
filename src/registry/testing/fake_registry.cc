#include "registry/testing/fake_registry.h"

#include <httplib.h>

#include <cstdlib>

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

}  // namespace olla::registry::testing
