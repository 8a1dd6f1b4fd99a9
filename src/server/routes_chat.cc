// POST /api/chat (spec §3.5).

#include <algorithm>
#include <nlohmann/json.hpp>

#include "api/json_order.h"
#include "api/json_request.h"
#include "api/timefmt.h"
#include "base/log.h"
#include "base/str_cat.h"
#include "runtime/context_window.h"
#include "server/disconnect.h"
#include "server/keep_alive.h"
#include "server/model_resolver.h"
#include "server/native.h"
#include "server/options.h"
#include "server/output.h"
#include "server/prompt.h"
#include "server/routes.h"
#include "server/stream.h"

namespace olla::server {

using nlohmann::json;
using SysClock = std::chrono::system_clock;

namespace {

// `ordered`: the same messages with the client's key order (null: none known), where tool-call
// arguments are taken from, so that the template renders them as the client wrote them.
Result<std::vector<chat::Message>> ParseMessages(const json* arr, const nlohmann::ordered_json* ordered) {
  std::vector<chat::Message> out;
  if (!arr) return out;
  if (!arr->is_array())
    return Status::InvalidArgument(StrCat("json: cannot unmarshal ", api::JsonKindName(*arr),
                                          " into Go struct field ChatRequest.messages of type []api.Message"));
  for (size_t msg_idx = 0; msg_idx < arr->size(); ++msg_idx) {
    const json& m = (*arr)[msg_idx];
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
      const nlohmann::ordered_json* ordered_calls = nullptr;
      if (ordered && ordered->is_array() && msg_idx < ordered->size() && (*ordered)[msg_idx].is_object()) {
        auto it = (*ordered)[msg_idx].find("tool_calls");
        if (it != (*ordered)[msg_idx].end() && it->is_array() && it->size() == calls->size()) ordered_calls = &*it;
      }
      for (const auto& c : *calls) {
        chat::ToolCall tc;
        tc.id = c.value("id", "");
        const json fn = c.value("function", json::object());
        tc.name = fn.value("name", "");
        tc.index = fn.value("index", index);
        tc.arguments_json = fn.contains("arguments") ? api::DumpGo(fn["arguments"]) : "{}";
        if (ordered_calls && fn.contains("arguments")) {
          const auto& oc = (*ordered_calls)[static_cast<size_t>(index)];
          if (oc.is_object() && oc.contains("function") && oc["function"].is_object() && oc["function"].contains("arguments"))
            tc.arguments_json = oc["function"]["arguments"].dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
        }
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


}  // namespace

NativeReply RunChat(ServerContext& ctx, const json& request, std::string_view raw_body, std::stop_token cancel) {
  const auto start = runtime::Clock::now();
  api::Fields f(request, "ChatRequest");
  auto model_name = f.String("model");
  auto stream_flag = f.Bool("stream");
  auto top_logprobs = f.Int("top_logprobs");
  auto truncate_flag = f.Bool("truncate");
  auto shift_flag = f.Bool("shift");
  for (const Status& s : {model_name.status(), stream_flag.status(), top_logprobs.status(), truncate_flag.status(),
                          shift_flag.status()})
    if (!s.ok()) return NativeReply::Error(s);
  if (*top_logprobs && (**top_logprobs < 0 || **top_logprobs > 20))
    return NativeReply::Error(400, "top_logprobs must be between 0 and 20");
  const std::string name = model_name->value_or("");
  if (name.empty()) return NativeReply::Error(400, "model is required");
  auto output = ParseOutputRequest(request, "ChatRequest", raw_body);
  if (!output.ok()) return NativeReply::Error(output.status());
  // Tools and tool-call arguments reach the template in the client's key order (raw_body).
  const json* tools = f.Raw("tools");
  const bool has_tools = tools && tools->is_array() && !tools->empty();
  nlohmann::ordered_json ordered;
  const json* messages_json = f.Raw("messages");
  const bool has_tool_calls = messages_json && messages_json->is_array() &&
                              std::any_of(messages_json->begin(), messages_json->end(),
                                          [](const json& m) { return m.is_object() && m.contains("tool_calls"); });
  if (!raw_body.empty() && (has_tools || has_tool_calls)) {
    ordered = nlohmann::ordered_json::parse(api::DumpWithKeyOrderOf(request, raw_body), nullptr, false);
    if (ordered.is_discarded() || !ordered.is_object()) ordered = nullptr;
  }
  const nlohmann::ordered_json* ordered_messages =
      ordered.is_object() && ordered.contains("messages") ? &ordered["messages"] : nullptr;
  auto messages = ParseMessages(messages_json, ordered_messages);
  if (!messages.ok()) return NativeReply::Error(messages.status());
  auto keep_alive = ParseKeepAlive(f.Raw("keep_alive"));
  if (!keep_alive.ok()) return NativeReply::Error(keep_alive.status());
  auto model = ResolveModel(ctx.store, name);
  if (!model.ok()) return NativeReply::Error(model.status());
  if (messages->empty() && *keep_alive && (*keep_alive)->count() == 0) {
    ctx.scheduler->Expire(model->model_path);
    json done = ChatChunk(name, "", true);
    done["done_reason"] = "unload";
    return NativeReply::Json(done);
  }
  if (model->model_path.empty()) return NativeReply::Error(400, StrCat("\"", name, "\" does not support chat"));
  const json request_options = f.Raw("options") ? *f.Raw("options") : json(nullptr);
  auto opts = ResolveOptions(model->params, request_options, ctx.config.default_num_ctx);
  if (!opts.ok()) return NativeReply::Error(opts.status());
  opts->load.kv_type = ctx.config.kv_type;
  const std::stop_token shutdown = ctx.shutdown.get_token();
  const std::stop_token stop = cancel.stop_possible() ? cancel : shutdown;
  auto lease = ctx.scheduler->Acquire(model->short_name, model->model_path, opts->load, *keep_alive, stop);
  if (!lease.ok()) return NativeReply::Error(lease.status());
  if (messages->empty()) {
    json done = ChatChunk(name, "", true);
    done["done_reason"] = "load";
    return NativeReply::Json(done);
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
  if (has_tools) {
    in.tools_json = ordered.is_object() && ordered.contains("tools")
                        ? ordered["tools"].dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
                        : api::DumpGo(*tools);
  }
  const ModelOutputFormat out_format = ModelOutputFormatFor(in.template_text, lease->model().file().metadata());
  in.think = output->think;
  if (Status s = ResolveThink(out_format, name, in.think); !s.ok()) return NativeReply::Error(s);
  if (!in.tools_json.empty() && !out_format.supports_tools)
    return NativeReply::Error(400, StrCat(model->name.String(), " does not support tools"));

  // Truncation (§10.6): drop the oldest non-system messages until the prompt fits, keeping the last.
  const bool truncate = truncate_flag->value_or(true);
  const auto& md = lease->model().file().metadata();
  std::vector<int32_t> tokens;
  bool starts_in_thinking = false;
  size_t untruncated_size = 0;
  for (;;) {
    auto rendered = RenderChatPrompt(in, md, lease->tokenizer());
    if (!rendered.ok()) return NativeReply::Error(500, rendered.status().message());
    tokens = TokenizePrompt(lease->tokenizer(), *rendered, true);
    if (GetLogLevel() <= LogLevel::kDebug) LogDebug(StrCat("chat request prompt=", rendered->text));
    starts_in_thinking = in.think.enabled && chat::PromptEndsInThinking(rendered->text, out_format.thinking.open);
    if (untruncated_size == 0) untruncated_size = tokens.size();
    if (tokens.size() < lease->num_ctx() || !truncate) break;
    auto victim = std::find_if(in.messages.begin(), in.messages.end() - 1, [](const chat::Message& m) { return m.role != "system"; });
    if (victim == in.messages.end() - 1) break;  // only the last message is left: send it as is
    in.messages.erase(victim);
  }

  const size_t dropped_by_messages = untruncated_size - tokens.size();
  auto gen = opts->gen;
  gen.num_keep = opts->num_keep;
  gen.truncate = truncate;
  gen.shift = shift_flag->value_or(DefaultShift(lease->model()));
  // Refuse before any output, so that the client gets a 400 rather than an error in the stream.
  if (Status fits = runtime::CheckPromptFits(tokens.size(), lease->num_ctx(), gen.truncate, gen.shift); !fits.ok())
    return NativeReply::Error(fits);
  auto shared = std::make_shared<runtime::Lease>(std::move(*lease));
  gen.add_special = false;
  gen.grammar = output->grammar;
  if (in.think.enabled && out_format.supports_thinking())  // the thinking stays free (§3.5)
    gen.grammar_after_thinking = {out_format.thinking.open, out_format.thinking.close, starts_in_thinking};
  gen.logprobs = output->logprobs;
  gen.top_logprobs = output->top_logprobs;
  const bool logprobs = output->logprobs;
  auto shaper = std::make_shared<OutputShaper>(out_format, in.think.enabled, starts_in_thinking,
                                               chat::ToolNames(in.tools_json));
  auto finish = [start, name, shared, logprobs, dropped_by_messages](runtime::GenerateStats s, const OutputPart& part) {
    json done = ChatChunk(name, "", true);
    PutChatPart(done, part, logprobs);
    done["done_reason"] = runtime::DoneReasonName(s.done_reason);
    s.prompt_truncated += dropped_by_messages;
    AddMetrics(done, s, runtime::Clock::now() - start, shared->load_duration());
    return done;
  };
  if (!stream_flag->value_or(true)) {
    OutputPart all;
    auto stats = shared->sequence().GenerateChunks(tokens, gen, [&](const runtime::Chunk& c) {
      all.Append(shaper->Add(c));
      return true;
    }, stop);
    if (!stats.ok()) return NativeReply::Error(stats.status());
    if (shutdown.stop_requested()) return NativeReply::Error(503, kShuttingDown);
    all.Append(shaper->Flush());
    NativeReply reply = NativeReply::Json(finish(*stats, all));
    reply.key_order = ToolCallKeyOrder(all);
    return reply;
  }
  return NativeReply::Stream([shared, tokens, gen, name, finish, shaper, logprobs, stop, shutdown](ChunkWriter& w) {
    LinkedStop linked(w.stop_token(), stop);
    auto stats = shared->sequence().GenerateChunks(tokens, gen, [&](const runtime::Chunk& c) {
      const OutputPart part = shaper->Add(c);
      if (part.empty()) return true;
      json chunk = ChatChunk(name, "", false);
      PutChatPart(chunk, part, logprobs);
      return w.WriteOrdered(chunk, ToolCallKeyOrder(part));
    }, linked.token());
    if (!stats.ok()) {
      w.Write({{"error", stats.status().message()}});
      return;
    }
    if (shutdown.stop_requested()) {
      w.Write({{"error", std::string(kShuttingDown)}});
      return;
    }
    const OutputPart last = shaper->Flush();
    w.WriteOrdered(finish(*stats, last), ToolCallKeyOrder(last));
  });
}

void RegisterChatRoutes(httplib::Server& http, ServerContext& ctx) {
  http.Post("/api/chat", [&ctx](const httplib::Request& req, httplib::Response& res) {
    auto body = api::ParseRequestBody(req.body, "ChatRequest");
    if (!body.ok()) return ReplyError(res, body.status());
    auto watch = ctx.watcher->Start(req, ctx.shutdown.get_token());
    NativeReply reply = RunChat(ctx, *body, req.body, watch->token());
    KeepUntilSent(reply, watch);
    SendNative(res, std::move(reply));
  });
}

}  // namespace olla::server
