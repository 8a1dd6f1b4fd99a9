// POST /api/chat (spec §3.5): the request → runtime/pipeline.h → message chunks.

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

AnswerShape ChatShape(const std::string& model, bool logprobs) {
  AnswerShape shape;
  shape.object = [model](bool done) -> json {
    return {{"model", model},
            {"created_at", api::FormatRfc3339Nano(std::chrono::system_clock::now())},
            {"message", {{"role", "assistant"}, {"content", ""}}},
            {"done", done}};
  };
  shape.put_part = PutChatPart;
  shape.logprobs = logprobs;
  return shape;
}

}  // namespace

NativeReply RunChat(ServerContext& ctx, const json& request, std::string_view raw_body,
                    std::stop_token cancel) {
  const auto start = runtime::Clock::now();
  auto r = ParseChatRequest(request, raw_body);
  if (!r.ok()) return NativeReply::Error(r.status());
  const std::string name = r->common.model;
  const AnswerShape shape = ChatShape(name, r->common.output.logprobs);
  auto model = ResolveModel(ctx.store, name);
  if (!model.ok()) return NativeReply::Error(model.status());
  if (r->job.messages.empty() && r->common.keep_alive && r->common.keep_alive->count() == 0) {
    ctx.scheduler->Expire(model->model_path);
    return NativeReply::Json(DoneWithoutOutput(shape, "unload"));
  }
  if (model->model_path.empty())
    return NativeReply::Error(400, StrCat("\"", name, "\" does not support chat"));
  return PrepareAndAnswer(ctx, *model, r->common, std::move(r->job), shape, start, cancel);
}

void RegisterChatRoutes(httplib::Server& http, ServerContext& ctx) {
  HandleInference(http, ctx, "/api/chat",
                  [&ctx](const httplib::Request& req, httplib::Response& res) {
                    auto body = api::ParseRequestBody(req.body, "ChatRequest");
                    if (!body.ok()) return ReplyError(res, body.status());
                    auto watch = ctx.watcher->Start(req, ctx.shutdown.get_token());
                    NativeReply reply = RunChat(ctx, *body, req.body, watch->token());
                    KeepUntilSent(reply, watch);
                    SendNative(res, std::move(reply));
                  });
}

}  // namespace olla::server
