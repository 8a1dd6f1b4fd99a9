// POST /api/chat (spec §3.5).

#include <nlohmann/json.hpp>

#include "api/json_request.h"
#include "api/timefmt.h"
#include "base/str_cat.h"
#include "server/keep_alive.h"
#include "server/model_resolver.h"
#include "server/options.h"
#include "server/prompt.h"
#include "server/routes.h"
#include "server/stream.h"

namespace olla::server {

using nlohmann::json;
using SysClock = std::chrono::system_clock;

namespace {

Result<std::vector<chat::Message>> ParseMessages(const json* arr) {
  std::vector<chat::Message> out;
  if (!arr) return out;
  if (!arr->is_array())
    return Status::InvalidArgument(StrCat("json: cannot unmarshal ", api::JsonKindName(*arr),
                                          " into Go struct field ChatRequest.messages of type []api.Message"));
  for (const auto& m : *arr) {
    if (!m.is_object()) return Status::InvalidArgument("json: cannot unmarshal message: expected an object");
    api::Fields f(m, "Message");
    chat::Message msg;
    OLLA_ASSIGN_OR_RETURN(auto role, f.String("role"));
    OLLA_ASSIGN_OR_RETURN(auto content, f.String("content"));
    OLLA_ASSIGN_OR_RETURN(auto thinking, f.String("thinking"));
    OLLA_ASSIGN_OR_RETURN(auto tool_name, f.String("tool_name"));
    OLLA_ASSIGN_OR_RETURN(auto tool_call_id, f.String("tool_call_id"));
    OLLA_ASSIGN_OR_RETURN(auto images, f.Strings("images"));
    msg.role = role.value_or("");
    for (char& c : msg.role) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    msg.content = content.value_or("");
    msg.thinking = thinking.value_or("");
    msg.tool_name = tool_name.value_or("");
    msg.tool_call_id = tool_call_id.value_or("");
    msg.images = images.value_or(std::vector<std::string>{});
    if (const json* calls = f.Raw("tool_calls"); calls && calls->is_array()) {
      int index = 0;
      for (const auto& c : *calls) {
        chat::ToolCall tc;
        tc.id = c.value("id", "");
        const json fn = c.value("function", json::object());
        tc.name = fn.value("name", "");
        tc.index = fn.value("index", index);
        tc.arguments_json = fn.contains("arguments") ? api::DumpGo(fn["arguments"]) : "{}";
        msg.tool_calls.push_back(std::move(tc));
        ++index;
      }
    }
    out.push_back(std::move(msg));
  }
  return out;
}

json ChatChunk(const std::string& model, const std::string& content, bool done) {
  return {{"model", model}, {"created_at", api::FormatRfc3339Nano(SysClock::now())},
          {"message", {{"role", "assistant"}, {"content", content}}}, {"done", done}};
}

void AddMetrics(json& j, const runtime::GenerateStats& s, runtime::Duration total, runtime::Duration load) {
  auto put = [&](const char* k, int64_t v) {
    if (v > 0) j[k] = v;
  };
  put("total_duration", total.count());
  put("load_duration", load.count());
  put("prompt_eval_count", static_cast<int64_t>(s.prompt_tokens));
  put("prompt_eval_duration", s.prompt_eval_duration.count());
  put("eval_count", static_cast<int64_t>(s.eval_count));
  put("eval_duration", s.eval_duration.count());
}

void HandleChat(ServerContext& ctx, const httplib::Request& req, httplib::Response& res) {
  const auto start = runtime::Clock::now();
  auto body = api::ParseRequestBody(req.body, "ChatRequest");
  if (!body.ok()) return ReplyError(res, body.status());
  api::Fields f(*body, "ChatRequest");
  auto model_name = f.String("model");
  auto stream_flag = f.Bool("stream");
  auto top_logprobs = f.Int("top_logprobs");
  for (const Status& s : {model_name.status(), stream_flag.status(), top_logprobs.status()})
    if (!s.ok()) return ReplyError(res, s);
  if (*top_logprobs && (**top_logprobs < 0 || **top_logprobs > 20))
    return ReplyError(res, 400, "top_logprobs must be between 0 and 20");
  const std::string name = model_name->value_or("");
  if (name.empty()) return ReplyError(res, 400, "model is required");
  auto messages = ParseMessages(f.Raw("messages"));
  if (!messages.ok()) return ReplyError(res, messages.status());
  auto keep_alive = ParseKeepAlive(f.Raw("keep_alive"));
  if (!keep_alive.ok()) return ReplyError(res, keep_alive.status());
  auto model = ResolveModel(ctx.store, name);
  if (!model.ok()) return ReplyError(res, model.status());
  if (messages->empty() && *keep_alive && (*keep_alive)->count() == 0) {
    ctx.scheduler->Expire(model->model_path);
    json done = ChatChunk(name, "", true);
    done["done_reason"] = "unload";
    return ReplyJson(res, done);
  }
  if (model->model_path.empty()) return ReplyError(res, 400, StrCat("\"", name, "\" does not support chat"));
  const json request_options = f.Raw("options") ? *f.Raw("options") : json(nullptr);
  auto opts = ResolveOptions(model->params, request_options, ctx.config.default_num_ctx);
  if (!opts.ok()) return ReplyError(res, opts.status());
  opts->load.kv_type = ctx.config.kv_type;
  auto lease = ctx.scheduler->Acquire(model->short_name, model->model_path, opts->load, *keep_alive);
  if (!lease.ok()) return ReplyError(res, lease.status());
  if (messages->empty()) {
    json done = ChatChunk(name, "", true);
    done["done_reason"] = "load";
    return ReplyJson(res, done);
  }

  // The model's MESSAGE history goes first; its SYSTEM leads unless the request has its own.
  ChatInput in;
  if (model->messages.is_array())
    for (const auto& m : model->messages)
      in.messages.push_back({m.value("role", ""), m.value("content", ""), "", {}, {}, "", ""});
  if (!model->system.empty() && (messages->empty() || messages->front().role != "system"))
    in.messages.insert(in.messages.begin(), chat::Message{"system", model->system, "", {}, {}, "", ""});
  in.messages.insert(in.messages.end(), messages->begin(), messages->end());
  in.template_text = model->template_text;
  if (const json* tools = f.Raw("tools"); tools && tools->is_array() && !tools->empty()) in.tools_json = api::DumpGo(*tools);

  // Truncation (§10.6): drop the oldest non-system messages until the prompt fits, keeping the last.
  const auto& md = lease->model().file().metadata();
  std::vector<int32_t> tokens;
  for (;;) {
    auto rendered = RenderChatPrompt(in, md, lease->tokenizer());
    if (!rendered.ok()) return ReplyError(res, 500, rendered.status().message());
    tokens = TokenizePrompt(lease->tokenizer(), *rendered, true);
    if (tokens.size() < lease->num_ctx()) break;
    auto victim = std::find_if(in.messages.begin(), in.messages.end() - 1, [](const chat::Message& m) { return m.role != "system"; });
    if (victim == in.messages.end() - 1) break;  // only the last message is left: send it as is
    in.messages.erase(victim);
  }

  auto shared = std::make_shared<runtime::Lease>(std::move(*lease));
  auto gen = opts->gen;
  gen.add_special = false;
  auto finish = [start, name, shared](const runtime::GenerateStats& s, const std::string& content) {
    json done = ChatChunk(name, content, true);
    done["done_reason"] = runtime::DoneReasonName(s.done_reason);
    AddMetrics(done, s, runtime::Clock::now() - start, shared->load_duration());
    return done;
  };
  if (!stream_flag->value_or(true)) {
    std::string text;
    auto stats = shared->sequence().GenerateFromTokens(tokens, gen, [&](std::string_view t) {
      text += t;
      return true;
    });
    if (!stats.ok()) return ReplyError(res, stats.status());
    return ReplyJson(res, finish(*stats, text));
  }
  StreamNdjson(res, [shared, tokens, gen, name, finish](NdjsonWriter& w) {
    auto stats = shared->sequence().GenerateFromTokens(tokens, gen, [&](std::string_view t) {
      return w.Write(ChatChunk(name, std::string(t), false));
    }, w.stop_token());
    if (!stats.ok()) {
      w.Write({{"error", stats.status().message()}});
      return;
    }
    w.Write(finish(*stats, ""));
  });
}

}  // namespace

void RegisterChatRoutes(httplib::Server& http, ServerContext& ctx) {
  http.Post("/api/chat", [&ctx](const httplib::Request& req, httplib::Response& res) { HandleChat(ctx, req, res); });
}

}  // namespace olla::server
