// Anthropic-compatible route (spec §4.8): POST /v1/messages. Translates the request with the pure
// converters of api/anthropic.h, runs the native chat handler (native.h) and translates its
// answer: one message object, or named server-sent events (message_start ... message_stop).
// API keys (`x-api-key`, `Authorization`) and `anthropic-version` are accepted, not checked.

#include <memory>
#include <nlohmann/json.hpp>
#include <random>

#include "api/anthropic.h"
#include "api/json_order.h"
#include "api/json_request.h"
#include "base/str_cat.h"
#include "server/converted_stream.h"
#include "server/disconnect.h"
#include "server/native.h"
#include "server/routes.h"
#include "server/status_http.h"

namespace olla::server {

using nlohmann::json;
namespace anthropic = api::anthropic;

namespace {

void ReplyAnthropicError(httplib::Response& res, int http_status, std::string_view message) {
  ReplyJson(res, anthropic::ErrorObject(http_status, message), http_status, "application/json");
}

// "msg_" and 24 hex digits, as Anthropic's ids look.
std::string MessageId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id = "msg_";
  for (int i = 0; i < 24; ++i) id += kHex[rng() % 16];
  return id;
}

bool IsThinkingUnsupported(const NativeReply& reply) {
  return reply.status == 400 &&
         reply.body.value("error", "").ends_with("does not support thinking");
}

void HandleMessages(ServerContext& ctx, const httplib::Request& req, httplib::Response& res) {
  auto body = api::ParseRequestBody(req.body, "MessagesRequest");
  if (!body.ok())
    return ReplyAnthropicError(res, HttpStatusFor(body.status()), body.status().message());
  json native;
  bool stream = false;
  if (Status s = anthropic::FromMessagesRequest(*body, &native, &stream); !s.ok())
    return ReplyAnthropicError(res, HttpStatusFor(s), s.message());
  auto watch = ctx.watcher->Start(req, ctx.shutdown.get_token());  // the client may go away
  NativeReply reply =
      RunChat(ctx, native, api::DumpWithKeyOrderOf(native, req.body), watch->token());
  if (IsThinkingUnsupported(reply) && native.contains("think")) {
    // §4.8: a model without thinking answers without it rather than failing.
    native.erase("think");
    reply = RunChat(ctx, native, api::DumpWithKeyOrderOf(native, req.body), watch->token());
  }
  KeepUntilSent(reply, watch);
  if (!reply.ok())
    return ReplyAnthropicError(res, reply.status, reply.body.value("error", "error"));
  const std::string id = MessageId();
  if (!stream) return ReplyJson(res, anthropic::ToMessage(reply.body, id), 200, "application/json");
  StreamConverted(res, std::move(reply),
                  std::make_shared<anthropic::MessagesStream>(
                      id, native.value("model", ""), anthropic::EstimateInputTokens(*body)));
}

}  // namespace

void RegisterAnthropicRoutes(httplib::Server& http, ServerContext& ctx) {
  HandleInference(http, ctx, "/v1/messages",
                  [&ctx](const httplib::Request& req, httplib::Response& res) {
                    HandleMessages(ctx, req, res);
                  });
}

}  // namespace olla::server
