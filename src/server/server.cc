#include "server/server.h"

#include <httplib.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "api/duration.h"
#include "api/json_request.h"
#include "base/log.h"
#include "base/str_cat.h"
#include "server/disconnect.h"
#include "server/routes.h"
#include "server/security.h"
#include "server/status_http.h"

namespace olla::server {

void ReplyError(httplib::Response& res, const Status& status) {
  ReplyError(res, HttpStatusFor(status), status.message());
}

void ReplyError(httplib::Response& res, int http_status, std::string_view message) {
  res.status = http_status;
  res.set_content(api::ErrorBody(message), "application/json; charset=utf-8");
}

void ReplyJson(httplib::Response& res, const nlohmann::json& body, int http_status,
               const char* content_type) {
  res.status = http_status;
  res.set_content(api::DumpGo(body), content_type);
}

size_t HttpThreadsFor(const runtime::SchedulerConfig& s) {
  const size_t models = s.max_loaded_models == 0 ? 3 : s.max_loaded_models;
  return s.num_parallel * models + s.max_queue + kHttpThreadHeadroom;
}

Server::Server(ServerConfig config, store::Store store)
    : ctx_{std::move(config), std::move(store), nullptr} {
  if (ctx_.config.http.max_threads == 0)
    ctx_.config.http.max_threads = HttpThreadsFor(ctx_.config.scheduler);
  http_ = MakeHttpServer(ctx_.config.http, ctx_.shutdown.get_token(), ctx_.http_stats);
  ctx_.scheduler = std::make_unique<runtime::Scheduler>(ctx_.config.scheduler);
  ctx_.watcher = std::make_unique<DisconnectWatcher>();
  // Blob uploads (streamed to disk); JSON bodies have their own, smaller limit (request_body.h).
  http_->set_payload_max_length(1ull << 34);
  InstallSecurity();
  RegisterMiscRoutes(*http_, ctx_);
  RegisterGenerateRoutes(*http_, ctx_);
  RegisterModelRoutes(*http_, ctx_);
  RegisterEmbedRoutes(*http_, ctx_);
  RegisterChatRoutes(*http_, ctx_);
  RegisterCreateRoutes(*http_, ctx_);
  RegisterRegistryRoutes(*http_, ctx_);
  RegisterOpenAiRoutes(*http_, ctx_);
  RegisterAnthropicRoutes(*http_, ctx_);
  RefuseUnroutedBodies(*http_);
  http_->set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.status == 404 && res.body.empty())
      res.set_content("404 page not found", "text/plain; charset=utf-8");
  });
  http_->set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "internal error";
        try {
          if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        LogError(StrCat("handler threw: ", what));
        ReplyError(res, 500, what);
      });
}

Server::~Server() { Stop(); }

void Server::InstallSecurity() {
  auto origins = std::make_shared<std::vector<std::string>>(AllowedOrigins(ctx_.config.origins));
  const bool guard_host = IsLoopbackBind(ctx_.config.host);
  http_->set_pre_routing_handler([origins, guard_host](const httplib::Request& req,
                                                       httplib::Response& res) {
    // DNS-rebinding guard: a page on evil.example resolving to 127.0.0.1 must not reach the API.
    if (guard_host && !HostAllowed(req.get_header_value("Host"))) {
      res.status = 403;
      return httplib::Server::HandlerResponse::Handled;
    }
    const std::string origin = req.get_header_value("Origin");
    if (!origin.empty()) {
      if (!OriginAllowed(origin, *origins)) {
        res.status = 403;
        return httplib::Server::HandlerResponse::Handled;
      }
      res.set_header("Access-Control-Allow-Origin", origin);
      res.set_header("Vary", "Origin");
    }
    if (req.method == "OPTIONS") {
      res.set_header("Access-Control-Allow-Methods",
                     "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS");
      res.set_header(
          "Access-Control-Allow-Headers",
          "Authorization, Content-Type, User-Agent, Accept, X-Requested-With, OpenAI-Beta, "
          "x-stainless-arch, x-stainless-async, x-stainless-custom-poll-interval, "
          "x-stainless-helper-method, "
          "x-stainless-lang, x-stainless-os, x-stainless-package-version, x-stainless-poll-helper, "
          "x-stainless-retry-count, x-stainless-runtime, x-stainless-runtime-version, "
          "x-stainless-timeout");
      res.status = 204;
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
}

Status Server::Bind() {
  if (ctx_.config.port == 0) {
    port_ = http_->bind_to_any_port(ctx_.config.host);
    if (port_ <= 0) return Status::IoError(StrCat("cannot listen on ", ctx_.config.host));
  } else {
    if (!http_->bind_to_port(ctx_.config.host, ctx_.config.port))
      return Status::IoError(StrCat("listen tcp ", ctx_.config.host, ":", ctx_.config.port,
                                    ": bind: address already in use"));
    port_ = ctx_.config.port;
  }
  LogInfo(StrCat("Listening on ", ctx_.config.host, ":", port_, " (version ", ctx_.config.version,
                 ")"));
  return Status::Ok();
}

Status Server::Serve() {
  serving_ = true;
  if (ctx_.shutdown.stop_requested()) return Status::Ok();  // stopped before it began
  if (!http_->listen_after_bind()) return Status::IoError("server stopped unexpectedly");
  return Status::Ok();
}

void Server::Stop() {
  ctx_.shutdown.request_stop();
  if (!http_) return;
  // cpp-httplib's stop() is lost while the listener has not started, which would leave Serve()
  // in accept() for ever: a signal right after "Listening on" must still end it. Serve() either
  // sees the stop request first or is about to listen; give it a moment to be running.
  for (int i = 0; i < 2000 && serving_ && !http_->is_running(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  http_->stop();
}

Status ParseOllamaHost(const std::string& value, std::string* host, int* port) {
  std::string v = value;
  *host = "127.0.0.1";
  *port = 11434;
  if (v.empty()) return Status::Ok();
  for (const char* scheme : {"http://", "https://"})
    if (v.rfind(scheme, 0) == 0) v = v.substr(std::string(scheme).size());
  if (auto slash = v.find('/'); slash != std::string::npos) v = v.substr(0, slash);
  std::string h = v, p;
  if (!v.empty() && v[0] == '[') {  // [::1]:port
    auto close = v.find(']');
    if (close == std::string::npos)
      return Status::InvalidArgument(StrCat("invalid OLLAMA_HOST ", value));
    h = v.substr(1, close - 1);
    if (close + 1 < v.size() && v[close + 1] == ':') p = v.substr(close + 2);
  } else if (auto colon = v.rfind(':'); colon != std::string::npos && v.find(':') == colon) {
    h = v.substr(0, colon);
    p = v.substr(colon + 1);
  }
  if (!h.empty()) *host = h;
  if (!p.empty()) {
    char* end = nullptr;
    long n = std::strtol(p.c_str(), &end, 10);
    if (*end != '\0' || n < 0 || n > 65535)
      return Status::InvalidArgument(StrCat("invalid port in OLLAMA_HOST ", value));
    *port = static_cast<int>(n);
  }
  return Status::Ok();
}

Result<ServerConfig> ServerConfigFromEnv() {
  ServerConfig c;
  auto env = [](const char* k) -> std::string {
    const char* v = std::getenv(k);
    return v ? v : "";
  };
  OLLA_RETURN_IF_ERROR(ParseOllamaHost(env("OLLAMA_HOST"), &c.host, &c.port));
  auto parse_size = [&](const char* key, size_t* out) -> Status {
    std::string v = env(key);
    if (v.empty()) return Status::Ok();
    char* end = nullptr;
    long long n = std::strtoll(v.c_str(), &end, 10);
    if (*end != '\0' || n < 0)
      return Status::InvalidArgument(StrCat("invalid ", key, " '", v, "'"));
    *out = static_cast<size_t>(n);
    return Status::Ok();
  };
  OLLA_RETURN_IF_ERROR(parse_size("OLLAMA_CONTEXT_LENGTH", &c.default_num_ctx));
  OLLA_RETURN_IF_ERROR(parse_size("OLLAMA_NUM_PARALLEL", &c.scheduler.num_parallel));
  OLLA_RETURN_IF_ERROR(parse_size("OLLAMA_MAX_LOADED_MODELS", &c.scheduler.max_loaded_models));
  OLLA_RETURN_IF_ERROR(parse_size("OLLAMA_MAX_QUEUE", &c.scheduler.max_queue));
  OLLA_RETURN_IF_ERROR(parse_size("OLLA_MAX_BODY", &c.max_body));
  OLLA_RETURN_IF_ERROR(parse_size("OLLA_HTTP_THREADS", &c.http.max_threads));
  auto parse_ms = [&](const char* key, std::chrono::milliseconds* out) -> Status {
    std::string v = env(key);
    if (v.empty()) return Status::Ok();
    auto d = api::ParseGoDuration(v);
    if (!d.ok() || d->count() <= 0)
      return Status::InvalidArgument(StrCat("invalid ", key, " '", v, "' (a Go duration: 10s)"));
    *out = std::chrono::duration_cast<std::chrono::milliseconds>(*d);
    return Status::Ok();
  };
  OLLA_RETURN_IF_ERROR(parse_ms("OLLA_HEADER_TIMEOUT", &c.http.header_timeout));
  OLLA_RETURN_IF_ERROR(parse_ms("OLLA_BODY_TIMEOUT", &c.http.body_timeout));
  if (c.max_body == 0) return Status::InvalidArgument("invalid OLLA_MAX_BODY '0'");
  if (std::string ka = env("OLLAMA_KEEP_ALIVE"); !ka.empty()) {
    auto d = api::ParseGoDuration(ka);
    if (!d.ok()) {
      // A bare number is seconds here (Ollama accepts both forms for the variable).
      char* end = nullptr;
      double secs = std::strtod(ka.c_str(), &end);
      if (*end == '\0') d = std::chrono::nanoseconds(static_cast<int64_t>(secs * 1e9));
    }
    if (d.ok()) {
      c.scheduler.default_keep_alive = d->count() < 0 ? runtime::kForever : *d;
    } else {
      LogWarn(StrCat("invalid OLLAMA_KEEP_ALIVE '", ka, "', using 5m"));  // Ollama falls back too
    }
  }
  if (std::string kv = env("OLLAMA_KV_CACHE_TYPE"); !kv.empty()) {
    auto t = tensor::ParseDType(kv);
    if (t &&
        (*t == tensor::DType::kF16 || *t == tensor::DType::kF32 || *t == tensor::DType::kQ8_0)) {
      c.kv_type = *t;
    } else {
      LogWarn(
          StrCat("OLLAMA_KV_CACHE_TYPE '", kv, "' is not supported (f16, q8_0, f32); using f16"));
    }
  }
  std::string origins = env("OLLAMA_ORIGINS");
  for (size_t pos = 0; pos < origins.size();) {
    size_t comma = origins.find(',', pos);
    if (comma == std::string::npos) comma = origins.size();
    std::string o = origins.substr(pos, comma - pos);
    if (!o.empty()) c.origins.push_back(o);
    pos = comma + 1;
  }
  std::string noprune = env("OLLAMA_NOPRUNE");
  c.noprune = !noprune.empty() && noprune != "0" && noprune != "false";
  if (std::string debug = env("OLLAMA_DEBUG"); !debug.empty() && debug != "0" && debug != "false")
    SetLogLevel(LogLevel::kDebug);
  return c;
}

}  // namespace olla::server
