#pragma once
// Client: the requests of one pull or push against one repository of one registry (spec §7.1,
// §7.3, §7.5). It builds URLs from a validated ModelName, adds credentials, answers 401
// challenges (Docker bearer-token flow, or Basic when the user configured credentials for the
// host), follows redirects under a policy, and turns registry statuses into errors.
//
// Credentials (a token or Basic) are sent only to the registry's own origin (scheme, host and
// port): never to a redirect target elsewhere, and Basic credentials or a key signature go to a
// token realm only when it is on the registry's host. A token realm on another host is refused, as
// Ollama does
// (`realm host "<h>" does not match original host "<h>"`), unless trust_foreign_realm; even then
// no credentials are sent to it.
//
// `insecure` (Ollama's `--insecure`): plain http:// names are allowed; a name without a scheme
// tries https without certificate verification first and falls back to plain http when no
// TLS connection can be made (a registry that speaks only HTTP).
//
// Thread-safety: copies share their authentication state, and Send may be called from several
// threads at once (parallel parts of one download).

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>

#include "base/status.h"
#include "registry/auth.h"
#include "registry/http.h"
#include "registry/url.h"
#include "store/model_name.h"

namespace olla::registry {

struct Credentials {
  std::string username, password;
};
// Credentials for a registry host ("host" or "host:port"), or nullopt.
using CredentialsFn = std::function<std::optional<Credentials>(std::string_view host)>;
// Ollama's key signature (spec §7.3, key_auth.h): the Authorization value
// "<base64 public key>:<base64 signature>" for the signed string `data`.
using SignFn = std::function<Result<std::string>(std::string_view data)>;

struct RetryPolicy {
  int max_attempts = 6;                             // failed attempts in a row before giving up
  std::chrono::milliseconds initial_backoff{1000};  // doubled after each failure: 1, 2, 4 ... s
  std::chrono::milliseconds max_backoff{32000};
  // The pause before retry number `failures` (1-based).
  std::chrono::milliseconds Backoff(int failures) const;
};

struct ClientOptions {
  bool insecure = false;
  std::string user_agent = "olla";
  CredentialsFn credentials;
  // Set: a token request to the registry's own host carries `ts` and `nonce` and is signed, as
  // Ollama does (unless Basic credentials are configured for the host); a signing error, such as
  // a missing key file, fails the request. Unset: plain Docker token requests.
  SignFn sign;
  bool trust_foreign_realm = false;
  std::chrono::seconds connect_timeout{30};
  std::chrono::seconds stall_timeout{30};
  RetryPolicy retry;
};

// Calls `attempt` until it succeeds or fails with anything but kUnavailable, at most
// policy.max_attempts times, sleeping policy.Backoff between tries; `stop` → kCancelled. The last
// transient error comes back as `max retries exceeded: <error>`.
Status RetryTransient(const RetryPolicy& policy, std::stop_token stop,
                      const std::function<Status()>& attempt);

class Client {
 public:
  // kInvalidArgument `insecure protocol http` for an http:// name without `insecure`.
  static Result<Client> Create(const store::ModelName& name, ClientOptions options);

  const store::ModelName& name() const { return name_; }
  const ClientOptions& options() const { return options_; }
  // "/v2/<namespace>/<model>/<suffix>": a path that Send resolves against the registry.
  std::string RepoPath(std::string_view suffix) const;
  // The registry's base URL as currently settled ("https://host" or "http://host").
  Url base() const;

  // Sends `req`. A url starting with '/' is a path on the registry. The registry's credentials
  // are added for its own origin; a 401 from it runs the challenge flow once and resends (a
  // second 401 → `unauthorized: access denied`). Other statuses are returned as responses.
  Result<HttpResponse> Send(HttpRequest req) const;
  // Send, following redirects (301, 302, 303, 307, 308; at most kMaxRedirects; http(s) only;
  // no https→http downgrade unless insecure). 303 turns the request into a GET.
  Result<HttpResponse> SendFollow(HttpRequest req) const;
  // The error for a non-2xx registry response (§7.1): 404 → kNotFound `file does not exist`;
  // 401 → `unauthorized: access denied`; 408, 429, 5xx → kUnavailable; others kInvalidArgument;
  // all but 404/401 read `<code>: <body>` (body escaped and cut).
  static Status StatusError(const HttpResponse& resp);

  // Sleeps `d` unless `stop` is requested first; false if stopped.
  static bool SleepFor(std::chrono::milliseconds d, std::stop_token stop);

 private:
  struct Shared;
  Client(store::ModelName name, ClientOptions options, std::shared_ptr<Shared> shared)
      : name_(std::move(name)), options_(std::move(options)), shared_(std::move(shared)) {}
  Status Authenticate(const HttpResponse& challenge_response, std::stop_token stop) const;
  Status FetchToken(const Challenge& challenge, std::stop_token stop) const;
  void Prepare(HttpRequest& req, const Url& url) const;

  store::ModelName name_;
  ClientOptions options_;
  std::shared_ptr<Shared> shared_;
};

}  // namespace olla::registry
