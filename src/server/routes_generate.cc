// POST /api/generate (spec §3.4): the request → runtime/pipeline.h → response chunks.

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>

#include "api/json_request.h"
#include "api/timefmt.h"
#include "base/str_cat.h"
#include "server/answer.h"
#include "server/disconnect.h"
#include "server/model_resolver.h"
#include "server/native.h"
#include "server/reply_json.h"
#include "server/request_parse.h"
#include "server/routes.h"

namespace olla::server {

using nlohmann::json;

namespace {

// `raw`: the answer carries no `context` (it could not be continued from).
AnswerShape GenerateShape(const std::string& model, bool logprobs, bool raw) {
  AnswerShape shape;
  shape.object = [model](bool done) -> json {
    return {{"model", model},
            {"created_at", api::FormatRfc3339Nano(std::chrono::system_clock::now())},
            {"response", ""},
            {"done", done}};
  };
  shape.put_part = PutGeneratePart;
  if (!raw)
    shape.put_end = [](json& done, const runtime::GenerateStats& s) {
      done["context"] = s.context;
    };
  shape.logprobs = logprobs;
  return shape;
}

}  // namespace

NativeReply RunGenerate(ServerContext& ctx, const json& request, std::string_view raw_body,
                        std::stop_token cancel) {
  const auto start = runtime::Clock::now();
  auto r = ParseGenerateRequest(request, raw_body);
  if (!r.ok()) return NativeReply::Error(r.status());
  const std::string name = r->common.model;
  const runtime::GenerateJob& in = r->job;
  const AnswerShape shape = GenerateShape(name, r->common.output.logprobs, in.raw);
  auto model = ResolveModel(ctx.store, name);
  if (!model.ok()) return NativeReply::Error(model.status());
  // Unload request: empty prompt with keep_alive 0.
  if (in.prompt.empty() && r->common.keep_alive && r->common.keep_alive->count() == 0) {
    ctx.scheduler->Expire(model->model_path);
    return NativeReply::Json(DoneWithoutOutput(shape, "unload"));
  }
  if (in.raw && (!in.template_text.empty() || r->has_system || !in.context.empty()))
    return NativeReply::Error(400, "raw mode does not support template, system, or context");
  if (model->model_path.empty())
    return NativeReply::Error(400, StrCat("\"", name, "\" does not support generate"));
  return PrepareAndAnswer(ctx, *model, r->common, in, shape, start, cancel);
}

void RegisterGenerateRoutes(httplib::Server& http, ServerContext& ctx) {
  HandleInference(http, ctx, "/api/generate",
                  [&ctx](const httplib::Request& req, httplib::Response& res) {
                    auto body = api::ParseRequestBody(req.body, "GenerateRequest");
                    if (!body.ok()) return ReplyError(res, body.status());
                    auto watch = ctx.watcher->Start(req, ctx.shutdown.get_token());
                    NativeReply reply = RunGenerate(ctx, *body, req.body, watch->token());
                    KeepUntilSent(reply, watch);
                    SendNative(res, std::move(reply));
                  });
}

}  // namespace olla::server
