// GET /, /api/version, /api/tags, /api/ps (spec §3.3, §3.8, §3.16).

#include <algorithm>
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

}  // namespace

void RegisterMiscRoutes(httplib::Server& http, ServerContext& ctx) {
  auto root = [](const httplib::Request&, httplib::Response& res) {
    res.set_content("Ollama is running", "text/plain; charset=utf-8");
  };
  http.Get("/", root);
  auto version = [&ctx](const httplib::Request&, httplib::Response& res) {
    ReplyJson(res, {{"version", ctx.config.version}});
  };
  http.Get("/api/version", version);
  http.Get("/api/tags",
           [&ctx](const httplib::Request&, httplib::Response& res) { HandleTags(ctx, res); });
  http.Get("/api/ps",
           [&ctx](const httplib::Request&, httplib::Response& res) { HandlePs(ctx, res); });
}

}  // namespace olla::server
