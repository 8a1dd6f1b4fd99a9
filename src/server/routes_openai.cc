// OpenAI-compatible routes (spec §4): /v1/chat/completions, /v1/completions, /v1/embeddings,
// /v1/responses, /v1/models, /v1/models/:model. Each translates its request with the pure
// converters of api/openai.h, runs the native handler (native.h) and translates the answer; streams
// are server-sent events ending with "data: [DONE]".

#include <algorithm>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>

#include "api/json_order.h"
#include "api/json_request.h"
#include "api/openai.h"
#include "api/openai_responses.h"
#include "base/log.h"
#include "base/str_cat.h"
#include "server/model_resolver.h"
#include "server/converted_stream.h"
#include "server/disconnect.h"
#include "server/native.h"
#include "server/routes.h"
#include "server/status_http.h"

namespace olla::server {

using nlohmann::json;
namespace openai = api::openai;

namespace {

constexpr const char* kJsonType = "application/json";

void ReplyOpenAiError(httplib::Response& res, int http_status, std::string_view message) {
  ReplyJson(res, openai::ErrorObject(http_status, message), http_status, kJsonType);
}

void ReplyOpenAiError(httplib::Response& res, const Status& status) {
  ReplyOpenAiError(res, HttpStatusFor(status), status.message());
}

// A native error reply ({"error": message} with its status) in OpenAI's envelope.
void ReplyOpenAiError(httplib::Response& res, const NativeReply& reply) {
  ReplyOpenAiError(res, reply.status, reply.body.value("error", "error"));
}

Result<json> ParseBody(const httplib::Request& req, std::string_view go_type) {
  return api::ParseRequestBody(req.body, go_type);
}

// The converted native request as text with the client's key order (api/json_order.h), for the
// native handlers' `raw_body`: a `format` schema then keeps its property order.
std::string OrderedText(const json& native, const httplib::Request& req) {
  return api::DumpWithKeyOrderOf(native, req.body);
}

// "<prefix><0..n-1>", upstream's ids (chatcmpl-N, cmpl-N).
std::string RandomId(std::string_view prefix, int n) {
  thread_local std::mt19937 rng{std::random_device{}()};
  return StrCat(prefix, std::uniform_int_distribution<int>(0, n - 1)(rng));
}

int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

// Declared in server/converted_stream.h (the Anthropic route streams with it too).
void StreamConverted(httplib::Response& res, NativeReply reply,
                     std::shared_ptr<openai::StreamConverter> conv) {
  auto native = std::make_shared<NativeReply>(std::move(reply));
  StreamSse(res, [native, conv](SseWriter& sse) {
    auto emit = [&sse, &conv](const json& event) {
      if (!conv->named_events()) return sse.Write(event);
      return sse.WriteRaw(
          StrCat("event: ", event.value("type", ""), "\ndata: ", api::DumpGo(event), "\n\n"));
    };
    class Adapter : public ChunkWriter {
     public:
      Adapter(SseWriter& sse, openai::StreamConverter& conv, decltype(emit)& emit_fn)
          : sse_(sse), conv_(conv), emit_(emit_fn) {}
      bool Write(const json& obj) override {
        if (failed_) return false;
        if (obj.contains("error")) {
          failed_ = true;
          emit_(conv_.Error(obj["error"].is_string() ? obj["error"].get<std::string>() : "error"));
          return false;
        }
        for (const auto& chunk : conv_.Add(obj))
          if (!emit_(chunk)) return false;
        return true;
      }
      std::stop_token stop_token() const override { return sse_.stop_token(); }
      bool failed() const { return failed_; }

     private:
      SseWriter& sse_;
      openai::StreamConverter& conv_;
      decltype(emit)& emit_;
      bool failed_ = false;
    } adapter(sse, *conv, emit);
    for (const auto& chunk : conv->Start()) emit(chunk);
    if (native->stream) {
      native->stream(adapter);
    } else {
      adapter.Write(native->body);  // e.g. the load-only answer of an empty prompt
    }
    if (sse.stop_token().stop_requested()) return;
    if (!adapter.failed())
      for (const auto& chunk : conv->Finish()) emit(chunk);
    if (!conv->named_events()) sse.WriteRaw("data: [DONE]\n\n");
  });
}

namespace {

void HandleChatCompletions(ServerContext& ctx, const httplib::Request& req,
                           httplib::Response& res) {
  auto body = ParseBody(req, "ChatCompletionRequest");
  if (!body.ok()) return ReplyOpenAiError(res, body.status());
  json native;
  openai::StreamOptions so;
  if (Status s = openai::FromChatCompletionRequest(*body, &native, &so); !s.ok())
    return ReplyOpenAiError(res, s);
  auto watch = ctx.watcher->Start(req, ctx.shutdown.get_token());  // the client may go away
  NativeReply reply = RunChat(ctx, native, OrderedText(native, req), watch->token());
  KeepUntilSent(reply, watch);
  if (!reply.ok()) return ReplyOpenAiError(res, reply);
  const std::string id = RandomId("chatcmpl-", 999);
  if (!so.stream)
    return ReplyJson(res, openai::ToChatCompletion(reply.body, id, UnixNow()), 200, kJsonType);
  StreamConverted(res, std::move(reply),
                  std::make_shared<openai::ChatStream>(id, UnixNow(), so.include_usage));
}

void HandleCompletions(ServerContext& ctx, const httplib::Request& req, httplib::Response& res) {
  auto body = ParseBody(req, "CompletionRequest");
  if (!body.ok()) return ReplyOpenAiError(res, body.status());
  json native;
  openai::StreamOptions so;
  if (Status s = openai::FromCompletionRequest(*body, &native, &so); !s.ok())
    return ReplyOpenAiError(res, s);
  auto watch = ctx.watcher->Start(req, ctx.shutdown.get_token());  // the client may go away
  NativeReply reply = RunGenerate(ctx, native, OrderedText(native, req), watch->token());
  KeepUntilSent(reply, watch);
  if (!reply.ok()) return ReplyOpenAiError(res, reply);
  const std::string id = RandomId("cmpl-", 999);
  if (!so.stream)
    return ReplyJson(res, openai::ToCompletion(reply.body, id, UnixNow()), 200, kJsonType);
  StreamConverted(res, std::move(reply),
                  std::make_shared<openai::CompletionStream>(id, UnixNow(), so.include_usage));
}

void HandleEmbeddings(ServerContext& ctx, const httplib::Request& req, httplib::Response& res) {
  auto body = ParseBody(req, "EmbedRequest");
  if (!body.ok()) return ReplyOpenAiError(res, body.status());
  json native;
  bool base64 = false;
  if (Status s = openai::FromEmbeddingRequest(*body, &native, &base64); !s.ok())
    return ReplyOpenAiError(res, s);
  NativeReply reply = RunEmbed(ctx, native);
  if (!reply.ok()) return ReplyOpenAiError(res, reply);
  ReplyJson(res, openai::ToEmbeddingList(reply.body, base64), 200, kJsonType);
}

void HandleResponses(ServerContext& ctx, const httplib::Request& req, httplib::Response& res) {
  auto body = ParseBody(req, "ResponsesRequest");
  if (!body.ok()) return ReplyOpenAiError(res, body.status());
  json native;
  openai::StreamOptions so;
  if (Status s = openai::FromResponsesRequest(*body, &native, &so); !s.ok())
    return ReplyOpenAiError(res, s);
  const int64_t created = UnixNow();
  auto watch = ctx.watcher->Start(req, ctx.shutdown.get_token());  // the client may go away
  NativeReply reply = RunChat(ctx, native, OrderedText(native, req), watch->token());
  KeepUntilSent(reply, watch);
  if (!reply.ok()) return ReplyOpenAiError(res, reply);
  const std::string id = RandomId("resp_", 999999);
  if (!so.stream)
    return ReplyJson(res, openai::ToResponse(*body, reply.body, id, created, UnixNow()), 200,
                     kJsonType);
  StreamConverted(res, std::move(reply),
                  std::make_shared<openai::ResponsesStream>(*body, id, UnixNow));
}

int64_t UnixSeconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

void HandleListModels(ServerContext& ctx, httplib::Response& res) {
  std::vector<std::string> warnings;
  auto models = ctx.store.ListModels(&warnings);
  for (const auto& w : warnings) LogWarn(w);
  if (!models.ok()) return ReplyOpenAiError(res, models.status());
  std::sort(models->begin(), models->end(),
            [](const auto& a, const auto& b) { return a.modified > b.modified; });
  std::vector<json> data;
  for (const auto& e : *models)
    data.push_back(openai::ToModel(e.name.DisplayShortest(), UnixSeconds(e.modified), e.name.ns()));
  ReplyJson(res, openai::ToModelList(data), 200, kJsonType);
}

void HandleRetrieveModel(ServerContext& ctx, const std::string& name, httplib::Response& res) {
  auto model = ResolveModel(ctx.store, name);
  if (!model.ok()) return ReplyOpenAiError(res, model.status());
  ReplyJson(res, openai::ToModel(name, UnixSeconds(model->stored.modified), model->name.ns()), 200,
            kJsonType);
}

}  // namespace

void RegisterOpenAiRoutes(httplib::Server& http, ServerContext& ctx) {
  HandleInference(http, ctx, "/v1/chat/completions",
                  [&ctx](const httplib::Request& req, httplib::Response& res) {
                    HandleChatCompletions(ctx, req, res);
                  });
  HandleInference(http, ctx, "/v1/completions",
                  [&ctx](const httplib::Request& req, httplib::Response& res) {
                    HandleCompletions(ctx, req, res);
                  });
  HandleInference(http, ctx, "/v1/embeddings",
                  [&ctx](const httplib::Request& req, httplib::Response& res) {
                    HandleEmbeddings(ctx, req, res);
                  });
  HandleInference(http, ctx, "/v1/responses",
                  [&ctx](const httplib::Request& req, httplib::Response& res) {
                    HandleResponses(ctx, req, res);
                  });
  http.Get("/v1/models",
           [&ctx](const httplib::Request&, httplib::Response& res) { HandleListModels(ctx, res); });
  // Namespaced names (user/model:tag) span several path segments; we accept them (§4.5 MAY).
  http.Get(R"(/v1/models/(.+))", [&ctx](const httplib::Request& req, httplib::Response& res) {
    HandleRetrieveModel(ctx, req.matches[1].str(), res);
  });
}

}  // namespace olla::server
