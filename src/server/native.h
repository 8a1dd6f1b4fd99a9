#pragma once
// The native generate, chat and embed handlers as functions of the parsed request object, so
// that the /v1 routes (routes_openai.cc) translate a request, run exactly the native code path
// and translate its answer (spec §4.1, CONVENTIONS.md C11). The native routes send the reply as is.

#include <httplib.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <stop_token>
#include <string>
#include <string_view>

#include "base/status.h"
#include "runtime/generate.h"
#include "server/server.h"
#include "server/stream.h"

namespace olla::server {

// A native handler's answer: one object with its HTTP status (an error is {"error": message}),
// or, when `stream` is set, a stream of objects that `stream` writes (errors after the start are
// written as an {"error": message} object).
struct NativeReply {
  int status = 200;
  nlohmann::json body;
  StreamProducer stream;
  // When not empty: JSON text whose objects keep their key order where they occur in `body`
  // (tool-call arguments as the model wrote them; api/json_order.h).
  std::string key_order;

  static NativeReply Json(nlohmann::json body) { return {200, std::move(body), nullptr}; }
  static NativeReply Error(int http_status, std::string_view message);
  static NativeReply Error(const Status& status);
  static NativeReply Stream(StreamProducer producer) { return {200, nullptr, std::move(producer)}; }
  bool ok() const { return status == 200; }
};

// The message of requests ended by Server::Stop().
inline constexpr std::string_view kShuttingDown = "server is shutting down";

// A stop token that fires when either of two others does (client gone, server shutting down).
class LinkedStop {
 public:
  LinkedStop(std::stop_token a, std::stop_token b)
      : a_(std::move(a), Forward{source_}), b_(std::move(b), Forward{source_}) {}
  std::stop_token token() const { return source_.get_token(); }

 private:
  struct Forward {
    std::stop_source source;
    void operator()() const noexcept { std::stop_source(source).request_stop(); }
  };
  std::stop_source source_;
  std::stop_callback<Forward> a_, b_;
};

// `request` is the decoded body (a JSON object) of POST /api/generate, /api/chat, /api/embed.
// `raw_body`, when given, is the request text the object was decoded from: a `format` schema then
// keeps the client's property order (server/request_parse.h).
// `cancel`, when it can fire, ends the request (waiting for a slot, or generating) when it does
// (DisconnectWatcher: the client went away; it must include ctx.shutdown); else ctx.shutdown does.
NativeReply RunGenerate(ServerContext& ctx, const nlohmann::json& request,
                        std::string_view raw_body = {}, std::stop_token cancel = {});
NativeReply RunChat(ServerContext& ctx, const nlohmann::json& request,
                    std::string_view raw_body = {}, std::stop_token cancel = {});
NativeReply RunEmbed(ServerContext& ctx, const nlohmann::json& request);

// The final object's timing and count fields (total_duration, load_duration, prompt_eval_count,
// prompt_truncated_count, prompt_eval_duration, eval_count, eval_duration); zeros are left out.
void AddMetrics(nlohmann::json& j, const runtime::GenerateStats& s, runtime::Duration total,
                runtime::Duration load);

// Keeps `owner` alive until `reply` has been sent (a stream: until it ends).
void KeepUntilSent(NativeReply& reply, std::shared_ptr<void> owner);

// Sends `reply` as the native endpoints do: NDJSON when streaming, else the JSON with its status.
void SendNative(httplib::Response& res, NativeReply reply);

}  // namespace olla::server
