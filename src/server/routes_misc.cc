// GET /, /api/version, /api/tags, /api/ps (spec §3.3, §3.8, §3.16); olla's /health and /ready.

#include <algorithm>
#include <atomic>
#include <memory>
#include <nlohmann/json.hpp>

#include "api/timefmt.h"
#include "base/log.h"
#include "base/str_cat.h"
#include "create/model_info.h"
#include "server/model_resolver.h"
#include "server/routes.h"

namespace olla::server {

using nlohmann::json;

namespace {

void HandleTags(ServerContext& ctx, httplib::Response& res) {
  std::vector<std::string> warnings;
  auto models = ctx.store.ListModels(&warnings);
  for (const auto& w : warnings) LogWarn(w);
  if (!models.ok()) return ReplyError(res, models.status());
  std::sort(models->begin(), models->end(),
            [](const auto& a, const auto& b) { return a.modified > b.modified; });
  json list = json::array();
  for (const auto& e : *models) {
    auto m = ResolveModel(ctx.store, e.name.String());
    if (!m.ok()) {
      LogWarn(StrCat("skipping model ", e.name.DisplayShortest(), ": ", m.status().message()));
      continue;
    }
    list.push_back({{"name", m->short_name},
                    {"model", m->short_name},
                    {"modified_at", api::FormatRfc3339NanoLocal(e.modified)},
                    {"size", e.size},
                    {"digest", e.digest.hex()},
                    {"details", create::DetailsJson(m->config, m->stored.manifest)}});
  }
  ReplyJson(res, {{"models", list}});
}

void HandlePs(ServerContext& ctx, httplib::Response& res) {
  json list = json::array();
  auto loaded = ctx.scheduler->Loaded();
  const auto now_sys = std::chrono::system_clock::now();
  const auto now = runtime::Clock::now();
  std::vector<std::pair<std::chrono::system_clock::time_point, json>> rows;
  for (const auto& info : loaded) {
    auto m = ResolveModel(ctx.store, info.name);
    std::chrono::system_clock::time_point expires;
    if (info.keep_alive == runtime::kForever) {
      expires = now_sys + std::chrono::hours(24 * 365 * 200);
    } else if (info.expires_at) {
      expires = now_sys + std::chrono::duration_cast<std::chrono::system_clock::duration>(
                              *info.expires_at - now);
    } else {
      expires = now_sys +
                std::chrono::duration_cast<std::chrono::system_clock::duration>(info.keep_alive);
    }
    json row = {
        {"name", info.name},
        {"model", info.name},
        {"size", info.size_bytes},
        {"digest", m.ok() ? m->stored.digest.hex() : ""},
        {"details", m.ok() ? create::DetailsJson(m->config, m->stored.manifest) : json::object()},
        {"expires_at", api::FormatRfc3339NanoLocal(expires)},
        {"size_vram", 0},
        {"context_length", info.context_length}};
    rows.emplace_back(expires, std::move(row));
  }
  std::sort(rows.begin(), rows.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  for (auto& r : rows) list.push_back(std::move(r.second));
  ReplyJson(res, {{"models", list}});
}

// /ready: 503 while shutting down, when the scheduler's slots and queue are all taken (a
// generation would get `server busy`), or when no HTTP worker is free.
void HandleReady(ServerContext& ctx, httplib::Response& res) {
  const auto& sched = ctx.config.scheduler;
  const size_t models = sched.max_loaded_models == 0 ? 3 : sched.max_loaded_models;
  const size_t capacity = sched.num_parallel * models + sched.max_queue;
  std::string why;
  if (ctx.shutdown.stop_requested()) {
    why = "server is shutting down";
  } else if (ctx.inference_in_flight >= capacity) {
    why = "server busy: every slot and queue place is taken";
  } else if (ctx.http_stats->busy >= ctx.config.http.max_threads || ctx.http_stats->waiting > 0) {
    why = "server busy: no HTTP worker is free";
  }
  if (!why.empty()) {
    res.set_header("Retry-After", "1");
    return ReplyError(res, 503, why);
  }
  ReplyJson(res, {{"status", "ready"}});
}

}  // namespace

void HandleInference(httplib::Server& http, ServerContext& ctx, const std::string& pattern,
                     BodyHandler handler) {
  HandleWithBody(http, "POST", pattern, ctx.config.max_body,
                 [&ctx, handler](const httplib::Request& req, httplib::Response& res) {
                   struct Count {
                     std::atomic<size_t>& n;
                     explicit Count(std::atomic<size_t>& c) : n(c) { ++n; }
                     ~Count() { --n; }
                   };
                   auto count = std::make_shared<Count>(ctx.inference_in_flight);
                   handler(req, res);
                   // A streamed answer is generated after the handler returns, while httplib
                   // writes it; the Response releases its provider when the answer is done.
                   if (res.content_provider_) {
                     auto release = std::move(res.content_provider_resource_releaser_);
                     res.content_provider_resource_releaser_ = [count, release](bool ok) {
                       if (release) release(ok);
                     };
                   }
                 });
}

void RegisterMiscRoutes(httplib::Server& http, ServerContext& ctx) {
  auto root = [](const httplib::Request&, httplib::Response& res) {
    res.set_content("Ollama is running", "text/plain; charset=utf-8");
  };
  http.Get("/", root);
  auto version = [&ctx](const httplib::Request&, httplib::Response& res) {
    ReplyJson(res, {{"version", ctx.config.version}});
  };
  http.Get("/api/version", version);
  // olla's own (issue #17): the process is up; answered even when every worker is busy.
  http.Get("/health", [](const httplib::Request&, httplib::Response& res) {
    ReplyJson(res, {{"status", "ok"}});
  });
  http.Get("/ready",
           [&ctx](const httplib::Request&, httplib::Response& res) { HandleReady(ctx, res); });
  http.Get("/api/tags",
           [&ctx](const httplib::Request&, httplib::Response& res) { HandleTags(ctx, res); });
  http.Get("/api/ps",
           [&ctx](const httplib::Request&, httplib::Response& res) { HandlePs(ctx, res); });
}

}  // namespace olla::server
