// POST /api/embed and the legacy POST /api/embeddings (spec §3.6, §3.7).

#include <cmath>
#include <nlohmann/json.hpp>

#include "api/json_request.h"
#include "base/str_cat.h"
#include "runtime/embed.h"
#include "server/keep_alive.h"
#include "server/model_resolver.h"
#include "server/native.h"
#include "server/options.h"
#include "server/routes.h"

namespace olla::server {

using nlohmann::json;

NativeReply RunEmbed(ServerContext& ctx, const json& request) {
  const auto start = runtime::Clock::now();
  api::Fields f(request, "EmbedRequest");
  auto model_name = f.String("model");
  auto truncate = f.Bool("truncate");
  auto dims = f.Int("dimensions");
  for (const Status& s : {model_name.status(), truncate.status(), dims.status()})
    if (!s.ok()) return NativeReply::Error(s);
  std::vector<std::string> inputs;
  if (const json* in = f.Raw("input")) {
    if (in->is_string()) {
      if (!in->get<std::string>().empty()) inputs.push_back(in->get<std::string>());
    } else if (in->is_array()) {
      for (const auto& item : *in) {
        if (!item.is_string()) return NativeReply::Error(400, "invalid input type");
        inputs.push_back(item.get<std::string>());
      }
    } else {
      return NativeReply::Error(400, "invalid input type");
    }
  }
  const std::string name = model_name->value_or("");
  if (name.empty()) return NativeReply::Error(404, "model '' not found");
  auto model = ResolveModel(ctx.store, name);
  if (!model.ok()) {
    if (model.status().code() == StatusCode::kNotFound)
      return NativeReply::Error(404,
                                StrCat("model \"", name, "\" not found, try pulling it first"));
    return NativeReply::Error(model.status());
  }
  json request_options = f.Raw("options") ? *f.Raw("options") : json(nullptr);
  auto opts = ResolveOptions(model->params, request_options, ctx.config.default_num_ctx);
  if (!opts.ok()) return NativeReply::Error(opts.status());
  opts->load.kv_type = ctx.config.kv_type;
  opts->load.num_batch = std::min<size_t>(2048, opts->load.num_ctx);  // a whole input in one batch
  auto keep_alive = ParseKeepAlive(f.Raw("keep_alive"));
  if (!keep_alive.ok()) return NativeReply::Error(keep_alive.status());
  auto lease = ctx.scheduler->Acquire(model->short_name, model->model_path, opts->load, *keep_alive,
                                      ctx.shutdown.get_token());
  if (!lease.ok()) return NativeReply::Error(lease.status());
  json embeddings = json::array();
  size_t total_tokens = 0;
  const bool do_truncate = truncate->value_or(true);
  for (const auto& text : inputs) {
    size_t n = 0;
    auto e = runtime::EmbedText(*lease, text, true, do_truncate ? lease->num_ctx() : 0, &n);
    if (!e.ok()) return NativeReply::Error(400, e.status().message());
    std::vector<float> v = std::move(*e);
    for (float x : v)
      if (!std::isfinite(x)) return NativeReply::Error(400, "embedding contains NaN or Inf values");
    const int64_t d = dims->value_or(0);
    if (d > 0 && static_cast<size_t>(d) < v.size()) {
      v.resize(static_cast<size_t>(d));
      double norm = 0;
      for (float x : v) norm += static_cast<double>(x) * x;
      norm = std::max(std::sqrt(norm), 1e-12);
      for (float& x : v) x = static_cast<float>(x / norm);
    }
    embeddings.push_back(v);
    total_tokens += n;
  }
  json out = {{"model", name}, {"embeddings", embeddings}};
  const auto total = runtime::Clock::now() - start;
  out["total_duration"] = std::chrono::duration_cast<std::chrono::nanoseconds>(total).count();
  if (lease->load_duration().count() > 0) out["load_duration"] = lease->load_duration().count();
  if (total_tokens > 0) out["prompt_eval_count"] = total_tokens;
  return NativeReply::Json(out);
}

namespace {

void HandleEmbeddings(ServerContext& ctx, const httplib::Request& req, httplib::Response& res) {
  auto body = api::ParseRequestBody(req.body, "EmbeddingRequest");
  if (!body.ok()) return ReplyError(res, body.status());
  api::Fields f(*body, "EmbeddingRequest");
  auto model_name = f.String("model");
  auto prompt = f.String("prompt");
  if (!model_name.ok()) return ReplyError(res, model_name.status());
  if (!prompt.ok()) return ReplyError(res, prompt.status());
  const std::string name = model_name->value_or("");
  if (name.empty() || !store::ModelName::Parse(name).ok())
    return ReplyError(res, 400, "model is required");
  auto model = ResolveModel(ctx.store, name);
  if (!model.ok()) {
    if (model.status().code() == StatusCode::kNotFound)
      return ReplyError(res, 404, StrCat("model \"", name, "\" not found, try pulling it first"));
    return ReplyError(res, model.status());
  }
  json request_options = f.Raw("options") ? *f.Raw("options") : json(nullptr);
  auto opts = ResolveOptions(model->params, request_options, ctx.config.default_num_ctx);
  if (!opts.ok()) return ReplyError(res, opts.status());
  opts->load.kv_type = ctx.config.kv_type;
  opts->load.num_batch = std::min<size_t>(2048, opts->load.num_ctx);
  auto keep_alive = ParseKeepAlive(f.Raw("keep_alive"));
  if (!keep_alive.ok()) return ReplyError(res, keep_alive.status());
  auto lease = ctx.scheduler->Acquire(model->short_name, model->model_path, opts->load, *keep_alive,
                                      ctx.shutdown.get_token());
  if (!lease.ok()) return ReplyError(res, lease.status());
  if (prompt->value_or("").empty()) return ReplyJson(res, {{"embedding", json::array()}});
  auto e = runtime::EmbedText(*lease, *prompt.value(), false, lease->num_ctx(), nullptr);
  if (!e.ok()) return ReplyError(res, 500, e.status().message());
  std::vector<double> v(e->begin(), e->end());
  ReplyJson(res, {{"embedding", v}});
}

}  // namespace

void RegisterEmbedRoutes(httplib::Server& http, ServerContext& ctx) {
  HandleInference(http, ctx, "/api/embed",
                  [&ctx](const httplib::Request& req, httplib::Response& res) {
                    auto body = api::ParseRequestBody(req.body, "EmbedRequest");
                    if (!body.ok()) return ReplyError(res, body.status());
                    SendNative(res, RunEmbed(ctx, *body));
                  });
  HandleInference(http, ctx, "/api/embeddings",
                  [&ctx](const httplib::Request& req, httplib::Response& res) {
                    HandleEmbeddings(ctx, req, res);
                  });
}

}  // namespace olla::server
