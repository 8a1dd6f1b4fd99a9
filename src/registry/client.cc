#include "registry/client.h"

#include <condition_variable>
#include <mutex>

#include "base/log.h"
#include "base/str_cat.h"
#include "registry/key_auth.h"

namespace olla::registry {

namespace {

// A registry's response body for an error message: control bytes escaped, cut to 512 bytes.
std::string BodyForMessage(std::string_view body) {
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r' || body.back() == ' ')) {
    body.remove_suffix(1);
  }
  std::string out;
  for (char ch : body.substr(0, 512)) {
    unsigned char u = static_cast<unsigned char>(ch);
    if (u == '\n' || u == '\t' || (u >= 0x20 && u != 0x7f)) {
      out.push_back(ch);
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  if (body.size() > 512) out += "...";
  return out;
}

bool IsRedirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

}  // namespace

struct Client::Shared {
  std::mutex mu;
  Url base;
  bool probing = false;       // insecure and not yet known whether the registry speaks TLS
  std::string authorization;  // "Bearer <token>" or "Basic <...>", for the registry origin only
};

std::chrono::milliseconds RetryPolicy::Backoff(int failures) const {
  auto d = initial_backoff;
  for (int i = 1; i < failures && d < max_backoff; ++i) d *= 2;
  return std::min(d, max_backoff);
}

Status RetryTransient(const RetryPolicy& policy, std::stop_token stop,
                      const std::function<Status()>& attempt) {
  for (int failures = 1;; ++failures) {
    Status s = attempt();
    if (s.ok() || s.code() != StatusCode::kUnavailable) return s;
    if (stop.stop_requested()) return Status::Cancelled("request cancelled");
    if (failures >= policy.max_attempts) {
      return Status::Unavailable(StrCat("max retries exceeded: ", s.message()));
    }
    LogInfo(StrCat("registry request failed: ", s.message(), "; retrying"));
    if (!Client::SleepFor(policy.Backoff(failures), stop)) {
      return Status::Cancelled("request cancelled");
    }
  }
}

Result<Client> Client::Create(const store::ModelName& name, ClientOptions options) {
  if (name.scheme() == "http" && !options.insecure) {
    return Status::InvalidArgument("insecure protocol http");
  }
  auto shared = std::make_shared<Shared>();
  OLLA_ASSIGN_OR_RETURN(shared->base, ParseUrl(StrCat(name.scheme(), "://", name.host(), "/")));
  shared->probing = options.insecure && shared->base.scheme == "https";
  return Client(name, std::move(options), std::move(shared));
}

std::string Client::RepoPath(std::string_view suffix) const {
  return StrCat("/v2/", name_.RepositoryPath(), "/", suffix);
}

Url Client::base() const {
  std::lock_guard<std::mutex> lock(shared_->mu);
  return shared_->base;
}

bool Client::SleepFor(std::chrono::milliseconds d, std::stop_token stop) {
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock<std::mutex> lock(mu);
  return !cv.wait_for(lock, stop, d, [] { return false; }) && !stop.stop_requested();
}

void Client::Prepare(HttpRequest& req, const Url& url) const {
  req.url = url.full;
  req.headers.emplace_back("User-Agent", options_.user_agent);
  {
    std::lock_guard<std::mutex> lock(shared_->mu);
    if (!shared_->authorization.empty() && SameOrigin(url, shared_->base)) {
      req.headers.emplace_back("Authorization", shared_->authorization);
    }
  }
  req.tls_insecure = options_.insecure;
  req.connect_timeout = options_.connect_timeout;
  req.stall_timeout = options_.stall_timeout;
}

Result<HttpResponse> Client::Send(HttpRequest req) const {
  const bool relative = !req.url.empty() && req.url[0] == '/';
  for (int auth_round = 0;;) {
    Url base = this->base();
    HttpRequest r = req;
    Result<Url> url = relative ? ParseUrl(StrCat(base.scheme, "://", base.Authority(), req.url))
                               : ParseUrl(req.url);
    if (!url.ok()) return url.status();
    Prepare(r, *url);
    Result<HttpResponse> resp = HttpDo(r);
    const bool to_registry = SameOrigin(*url, base);
    if (!resp.ok()) {
      std::lock_guard<std::mutex> lock(shared_->mu);
      if (to_registry && shared_->probing && resp.status().code() != StatusCode::kCancelled) {
        // --insecure: no TLS here; this registry speaks plain HTTP.
        LogDebug(StrCat("registry ", base.Authority(), ": https failed (", resp.status().message(),
                        "), using http"));
        shared_->probing = false;
        shared_->base.scheme = "http";
        shared_->base.port = base.port == 443 ? 80 : base.port;
        shared_->base.full = StrCat("http://", shared_->base.Authority(), "/");
        continue;
      }
      return resp.status();
    }
    if (to_registry) {
      std::lock_guard<std::mutex> lock(shared_->mu);
      shared_->probing = false;
    }
    if (resp->status == 401 && to_registry) {
      if (auth_round++ == 0) {
        OLLA_RETURN_IF_ERROR(Authenticate(*resp, req.stop));
        continue;
      }
      return StatusError(*resp);
    }
    return resp;
  }
}

Result<HttpResponse> Client::SendFollow(HttpRequest req) const {
  for (int hop = 0;; ++hop) {
    OLLA_ASSIGN_OR_RETURN(HttpResponse resp, Send(req));
    if (!IsRedirect(resp.status)) return resp;
    Url from = base();  // after Send: it may have settled the registry's scheme
    if (!req.url.empty() && req.url[0] == '/') {
      OLLA_ASSIGN_OR_RETURN(from, ParseUrl(StrCat(from.scheme, "://", from.Authority(), req.url)));
    } else {
      OLLA_ASSIGN_OR_RETURN(from, ParseUrl(req.url));
    }
    if (hop == kMaxRedirects) return Status::Corrupt(StrCat("stopped after ", hop, " redirects"));
    OLLA_ASSIGN_OR_RETURN(
        Url to, CheckRedirect(from, resp.headers.Get("Location").value_or(""), options_.insecure));
    req.url = to.full;
    if (resp.status == 303) {
      req.method = "GET";
      req.body.clear();
      req.file.reset();
    }
  }
}

Status Client::StatusError(const HttpResponse& resp) {
  long code = resp.status;
  if (code == 404) return Status::NotFound("file does not exist");
  if (code == 401) return Status::InvalidArgument("unauthorized: access denied");
  std::string body = BodyForMessage(resp.body);
  std::string msg = body.empty() ? StrCat(code) : StrCat(code, ": ", body);
  if (code == 408 || code == 429 || code >= 500) return Status::Unavailable(std::move(msg));
  return Status::InvalidArgument(std::move(msg));
}

Status Client::Authenticate(const HttpResponse& resp, std::stop_token stop) const {
  std::vector<Challenge> challenges;
  for (const std::string& value : resp.headers.GetAll("WWW-Authenticate")) {
    OLLA_ASSIGN_OR_RETURN(std::vector<Challenge> parsed, ParseWwwAuthenticate(value));
    challenges.insert(challenges.end(), parsed.begin(), parsed.end());
    if (challenges.size() > 16) break;
  }
  for (const Challenge& ch : challenges) {
    if (ch.scheme == "bearer") return FetchToken(ch, stop);
  }
  Url base = this->base();
  for (const Challenge& ch : challenges) {
    if (ch.scheme != "basic" || !options_.credentials) continue;
    if (base.scheme != "https" && !options_.insecure) break;  // never Basic in clear text
    std::optional<Credentials> creds = options_.credentials(base.Authority());
    if (!creds) break;
    std::lock_guard<std::mutex> lock(shared_->mu);
    shared_->authorization = BasicAuthorization(creds->username, creds->password);
    return Status::Ok();
  }
  return Status::InvalidArgument("unauthorized: access denied");
}

Status Client::FetchToken(const Challenge& challenge, std::stop_token stop) const {
  OLLA_ASSIGN_OR_RETURN(std::string token_url, TokenRequestUrl(challenge));
  OLLA_ASSIGN_OR_RETURN(Url realm, ParseUrl(token_url));
  Url base = this->base();
  const bool same_host = realm.Authority() == base.Authority();
  if (!same_host && !options_.trust_foreign_realm) {
    return Status::InvalidArgument(StrCat("realm host \"", realm.Authority(),
                                          "\" does not match original host \"", base.Authority(),
                                          "\""));
  }
  if (realm.scheme == "http" && base.scheme == "https" && !options_.insecure) {
    return Status::InvalidArgument("token realm downgrades https to http");
  }
  HttpRequest req;
  req.url = realm.full;
  req.headers.emplace_back("User-Agent", options_.user_agent);
  std::optional<Credentials> creds;
  if (same_host && options_.credentials && (realm.scheme == "https" || options_.insecure)) {
    creds = options_.credentials(base.Authority());
  }
  if (creds) {
    req.headers.emplace_back("Authorization", BasicAuthorization(creds->username, creds->password));
  } else if (same_host && options_.sign) {
    OLLA_ASSIGN_OR_RETURN(std::string nonce, NewNonce());
    OLLA_ASSIGN_OR_RETURN(req.url, SignedTokenRequestUrl(challenge, UnixSeconds(), nonce));
    OLLA_ASSIGN_OR_RETURN(std::string signature,
                          options_.sign(SignaturePayload("GET", req.url, "")));
    req.headers.emplace_back("Authorization", std::move(signature));
  }
  req.limits.max_body = 64 << 10;
  req.tls_insecure = options_.insecure;
  req.connect_timeout = options_.connect_timeout;
  req.stall_timeout = options_.stall_timeout;
  req.stop = stop;
  OLLA_ASSIGN_OR_RETURN(HttpResponse resp, HttpDo(req));
  if (resp.status < 200 || resp.status > 299) {
    std::string body = BodyForMessage(resp.body);
    std::string msg = body.empty() ? StrCat(resp.status) : StrCat(resp.status, ": ", body);
    if (resp.status >= 500) return Status::Unavailable(std::move(msg));
    return Status::InvalidArgument(std::move(msg));
  }
  OLLA_ASSIGN_OR_RETURN(std::string token, ParseTokenResponse(resp.body));
  std::lock_guard<std::mutex> lock(shared_->mu);
  shared_->authorization = StrCat("Bearer ", token);
  return Status::Ok();
}

}  // namespace olla::registry
