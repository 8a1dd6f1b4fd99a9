// POST /api/show, POST /api/copy, DELETE /api/delete (spec §3.9, §3.12, §3.13).

#include <mutex>
#include <nlohmann/json.hpp>

#include "api/json_request.h"
#include "api/timefmt.h"
#include "base/log.h"
#include "base/str_cat.h"
#include "create/model_info.h"
#include "runtime/output.h"
#include "server/model_resolver.h"
#include "server/routes.h"

namespace olla::server {

using nlohmann::json;

namespace {

// A string field of the config blob; "" when absent or not a string.
std::string ConfigField(const json& config, const char* key) {
  if (!config.is_object()) return "";
  auto it = config.find(key);
  return it != config.end() && it->is_string() ? it->get<std::string>() : "";
}

void HandleShow(ServerContext& ctx, const httplib::Request& req, httplib::Response& res) {
  auto body = api::ParseRequestBody(req.body, "ShowRequest");
  if (!body.ok()) return ReplyError(res, body.status());
  api::Fields f(*body, "ShowRequest");
  auto model = f.String("model");
  auto name = f.String("name");
  auto verbose = f.Bool("verbose");
  auto system = f.String("system");
  for (const Status& s : {model.status(), name.status(), verbose.status(), system.status()})
    if (!s.ok()) return ReplyError(res, s);
  std::string n = model->value_or("");
  if (n.empty()) n = name->value_or("");
  if (n.empty()) return ReplyError(res, 400, "model is required");
  auto parsed = store::ModelName::Parse(n);
  if (!parsed.ok()) return ReplyError(res, 400, "invalid model name");
  auto m = ResolveModel(ctx.store, n);
  if (!m.ok()) {
    if (m.status().code() == StatusCode::kNotFound)
      return ReplyError(res, 404, StrCat("model '", parsed->DisplayShortest(), "' not found"));
    return ReplyError(res, m.status());
  }
  const std::string sys = system->value_or(m->system);
  const std::string tmpl = m->has_template ? m->template_text : "{{ .Prompt }}";
  json out = {
      {"modelfile", create::GeneratedModelfile({m->short_name, m->model_path, tmpl, sys, m->params,
                                                m->messages, m->licenses, m->adapter_paths})},
      {"template", tmpl},
      {"details", create::DetailsJson(m->config, m->stored.manifest)},
      {"modified_at", api::FormatRfc3339NanoLocal(m->stored.modified)}};
  std::string params = create::ParametersText(m->params);
  if (!params.empty()) out["parameters"] = params;
  if (!sys.empty()) out["system"] = sys;
  if (!m->licenses.empty()) {
    std::string lic;
    for (const auto& l : m->licenses) lic += (lic.empty() ? "" : "\n") + l;
    out["license"] = lic;
  }
  if (m->messages.is_array() && !m->messages.empty()) out["messages"] = m->messages;
  out["model_info"] = json::object();
  out["capabilities"] = json::array({"completion"});
  if (!m->model_path.empty()) {
    auto info = create::ReadGgufShowInfo(m->model_path, m->has_template ? m->template_text : "",
                                         verbose->value_or(false));
    if (info.ok()) {
      out["model_info"] = std::move(info->model_info);
      out["tensors"] = std::move(info->tensors);
      const json& arch = out["model_info"].value("general.architecture", json());
      runtime::AddBuiltinCapabilities({.parser = ConfigField(m->config, "parser"),
                                       .family = ConfigField(m->config, "model_family")},
                                      arch.is_string() ? arch.get<std::string>() : "",
                                      info->capabilities);
      out["capabilities"] = std::move(info->capabilities);
    } else {
      LogWarn(StrCat("show ", n, ": ", info.status().message()));
    }
  }
  ReplyJson(res, out);
}

void HandleCopy(ServerContext& ctx, const httplib::Request& req, httplib::Response& res) {
  auto body = api::ParseRequestBody(req.body, "CopyRequest");
  if (!body.ok()) return ReplyError(res, body.status());
  api::Fields f(*body, "CopyRequest");
  auto src = f.String("source");
  auto dst = f.String("destination");
  if (!src.ok()) return ReplyError(res, src.status());
  if (!dst.ok()) return ReplyError(res, dst.status());
  auto s = store::ModelName::Parse(src->value_or(""));
  if (!s.ok()) return ReplyError(res, 400, StrCat("source \"", src->value_or(""), "\" is invalid"));
  auto d = store::ModelName::Parse(dst->value_or(""));
  if (!d.ok())
    return ReplyError(res, 400, StrCat("destination \"", dst->value_or(""), "\" is invalid"));
  std::lock_guard<std::mutex> lock(ctx.store_writes);
  Status st = ctx.store.Copy(*s, *d);
  if (st.code() == StatusCode::kNotFound)
    return ReplyError(res, 404, StrCat("model \"", src->value_or(""), "\" not found"));
  if (!st.ok()) return ReplyError(res, st);
  res.status = 200;
}

void HandleDelete(ServerContext& ctx, const httplib::Request& req, httplib::Response& res) {
  auto body = api::ParseRequestBody(req.body, "DeleteRequest");
  if (!body.ok()) return ReplyError(res, body.status());
  api::Fields f(*body, "DeleteRequest");
  auto model = f.String("model");
  auto name = f.String("name");
  if (!model.ok()) return ReplyError(res, model.status());
  if (!name.ok()) return ReplyError(res, name.status());
  std::string n = model->value_or("");
  if (n.empty()) n = name->value_or("");
  auto parsed = store::ModelName::Parse(n);
  if (!parsed.ok()) return ReplyError(res, 400, StrCat("name \"", n, "\" is invalid"));
  std::lock_guard<std::mutex> lock(ctx.store_writes);  // never under a create's feet
  auto report = ctx.store.Delete(*parsed, ctx.config.noprune);
  if (!report.ok()) {
    if (report.status().code() == StatusCode::kNotFound)
      return ReplyError(res, 404, StrCat("model '", n, "' not found"));
    return ReplyError(res, report.status());
  }
  for (const auto& w : report->warnings) LogWarn(w);
  res.status = 200;
}

}  // namespace

void RegisterModelRoutes(httplib::Server& http, ServerContext& ctx) {
  HandleWithBody(
      http, "POST", "/api/show", ctx.config.max_body,
      [&ctx](const httplib::Request& req, httplib::Response& res) { HandleShow(ctx, req, res); });
  HandleWithBody(
      http, "POST", "/api/copy", ctx.config.max_body,
      [&ctx](const httplib::Request& req, httplib::Response& res) { HandleCopy(ctx, req, res); });
  HandleWithBody(
      http, "DELETE", "/api/delete", ctx.config.max_body,
      [&ctx](const httplib::Request& req, httplib::Response& res) { HandleDelete(ctx, req, res); });
}

}  // namespace olla::server
