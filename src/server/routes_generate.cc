// POST /api/generate (spec §3.4).

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>

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
#include "server/status_http.h"
#include "server/stream.h"

namespace olla::server {

using nlohmann::json;
using SysClock = std::chrono::system_clock;

namespace {

struct GenerateRequest {
  std::string model, prompt, suffix, system, template_text;
  bool has_system = false, has_template = false;
  std::vector<int32_t> context;
  bool stream = true, raw = false;
  bool truncate = true;              // cut a prompt that does not fit (spec §10.6)
  std::optional<bool> shift;         // context shift; default on (off for deepseek2)
  json options;
  std::optional<runtime::Duration> keep_alive;
  bool keep_alive_present = false;
};

Result<GenerateRequest> ParseGenerate(const json& j) {
  api::Fields f(j, "GenerateRequest");
  GenerateRequest r;
  OLLA_ASSIGN_OR_RETURN(auto model, f.String("model"));
  r.model = model.value_or("");
  OLLA_ASSIGN_OR_RETURN(auto prompt, f.String("prompt"));
  r.prompt = prompt.value_or("");
  OLLA_ASSIGN_OR_RETURN(auto suffix, f.String("suffix"));
  r.suffix = suffix.value_or("");
  OLLA_ASSIGN_OR_RETURN(auto system, f.String("system"));
  r.has_system = system.has_value();
  r.system = system.value_or("");
  OLLA_ASSIGN_OR_RETURN(auto tmpl, f.String("template"));
  r.has_template = tmpl.has_value() && !tmpl->empty();
  r.template_text = tmpl.value_or("");
  OLLA_ASSIGN_OR_RETURN(auto stream, f.Bool("stream"));
  r.stream = stream.value_or(true);
  OLLA_ASSIGN_OR_RETURN(auto raw, f.Bool("raw"));
  r.raw = raw.value_or(false);
  OLLA_ASSIGN_OR_RETURN(auto truncate, f.Bool("truncate"));
  r.truncate = truncate.value_or(true);
  OLLA_ASSIGN_OR_RETURN(r.shift, f.Bool("shift"));
  if (const json* ctx = f.Raw("context")) {
    if (!ctx->is_array()) return f.TypeError("context", *ctx, "[]int");
    for (const auto& t : *ctx) {
      if (!t.is_number_integer()) return f.TypeError("context", t, "int");
      r.context.push_back(t.get<int32_t>());
    }
  }
  if (const json* o = f.Raw("options")) {
    if (!o->is_object()) return f.TypeError("options", *o, "map[string]interface {}");
    r.options = *o;
  }
  OLLA_ASSIGN_OR_RETURN(auto top_logprobs, f.Int("top_logprobs"));
  if (top_logprobs && (*top_logprobs < 0 || *top_logprobs > 20))
    return Status::InvalidArgument("top_logprobs must be between 0 and 20");
  r.keep_alive_present = f.Raw("keep_alive") != nullptr;
  OLLA_ASSIGN_OR_RETURN(r.keep_alive, ParseKeepAlive(f.Raw("keep_alive")));
  return r;
}

json DoneObject(const std::string& model, const char* reason) {
  return {{"model", model}, {"created_at", api::FormatRfc3339Nano(SysClock::now())}, {"response", ""},
          {"done", true}, {"done_reason", reason}};
}


}  // namespace

NativeReply RunGenerate(ServerContext& ctx, const json& request, std::string_view raw_body, std::stop_token cancel) {
  const auto start = runtime::Clock::now();
  auto parsed = ParseGenerate(request);
  if (!parsed.ok()) return NativeReply::Error(parsed.status());
  GenerateRequest r = std::move(*parsed);
  auto output = ParseOutputRequest(request, "GenerateRequest", raw_body);
  if (!output.ok()) return NativeReply::Error(output.status());
  if (r.model.empty()) return NativeReply::Error(404, "model '' not found");
  auto model = ResolveModel(ctx.store, r.model);
  if (!model.ok()) return NativeReply::Error(model.status());
  // Unload request: empty prompt with keep_alive 0.
  if (r.prompt.empty() && r.keep_alive && r.keep_alive->count() == 0) {
    ctx.scheduler->Expire(model->model_path);
    return NativeReply::Json(DoneObject(r.model, "unload"));
  }
  if (r.raw && (r.has_template || r.has_system || !r.context.empty()))
    return NativeReply::Error(400, "raw mode does not support template, system, or context");
  if (model->model_path.empty()) return NativeReply::Error(400, StrCat("\"", r.model, "\" does not support generate"));
  auto opts = ResolveOptions(model->params, r.options, ctx.config.default_num_ctx);
  if (!opts.ok()) return NativeReply::Error(opts.status());
  opts->load.kv_type = ctx.config.kv_type;
  const std::stop_token shutdown = ctx.shutdown.get_token();
  const std::stop_token stop = cancel.stop_possible() ? cancel : shutdown;
  auto lease = ctx.scheduler->Acquire(model->short_name, model->model_path, opts->load, r.keep_alive, stop);
  if (!lease.ok()) return NativeReply::Error(lease.status());
  if (r.prompt.empty() && r.suffix.empty()) return NativeReply::Json(DoneObject(r.model, "load"));

  PromptInput in;
  in.raw = r.raw;
  in.prompt = r.prompt;
  in.suffix = r.suffix;
  in.system = r.system;
  in.model_system = model->system;
  in.template_text = r.has_template ? r.template_text : model->template_text;
  in.model_messages = &model->messages;
  in.has_context = !r.context.empty();
  const ModelOutputFormat out_format = ModelOutputFormatFor(in.template_text, lease->model().file().metadata());
  in.think = output->think;
  if (Status s = ResolveThink(out_format, r.model, in.think); !s.ok()) return NativeReply::Error(s);
  auto rendered = RenderGeneratePrompt(in, lease->model().file().metadata(), lease->tokenizer());
  if (!rendered.ok()) return NativeReply::Error(500, rendered.status().message());
  // The rendered prompt: template text may hold special tokens, user text may not.
  std::vector<int32_t> tokens = TokenizePrompt(lease->tokenizer(), *rendered, /*add_bos=*/r.context.empty());
  if (!r.context.empty()) tokens.insert(tokens.begin(), r.context.begin(), r.context.end());

  auto gen = opts->gen;
  gen.num_keep = opts->num_keep;
  gen.truncate = r.truncate;
  gen.shift = r.shift.value_or(DefaultShift(lease->model()));
  // Refuse before any output, so that the client gets a 400 rather than an error in the stream.
  if (Status fits = runtime::CheckPromptFits(tokens.size(), lease->num_ctx(), gen.truncate, gen.shift); !fits.ok())
    return NativeReply::Error(fits);
  auto shared = std::make_shared<runtime::Lease>(std::move(*lease));
  gen.add_special = false;  // BOS was added by TokenizePrompt
  gen.grammar = output->grammar;
  gen.logprobs = output->logprobs;
  gen.top_logprobs = output->top_logprobs;
  const bool logprobs = output->logprobs, thinking = in.think.enabled && !r.raw;
  auto shaper = std::make_shared<OutputShaper>(
      out_format, thinking, thinking && chat::PromptEndsInThinking(rendered->text, out_format.thinking.open),
      std::vector<std::string>{});
  const std::string model_name = r.model;
  const bool raw = r.raw;
  auto finish = [start, model_name, raw, shared](const runtime::GenerateStats& s) {
    json done = DoneObject(model_name, runtime::DoneReasonName(s.done_reason));
    if (!raw) done["context"] = s.context;
    AddMetrics(done, s, runtime::Clock::now() - start, shared->load_duration());
    return done;
  };
  if (!r.stream) {
    OutputPart all;
    auto stats = shared->sequence().GenerateChunks(tokens, gen, [&](const runtime::Chunk& c) {
      all.Append(shaper->Add(c));
      return true;
    }, stop);
    if (!stats.ok()) return NativeReply::Error(stats.status());
    if (shutdown.stop_requested()) return NativeReply::Error(503, kShuttingDown);
    all.Append(shaper->Flush());
    json done = finish(*stats);
    PutGeneratePart(done, all, logprobs);
    return NativeReply::Json(done);
  }
  return NativeReply::Stream([shared, tokens, gen, model_name, finish, shaper, logprobs, stop, shutdown](ChunkWriter& w) {
    LinkedStop linked(w.stop_token(), stop);
    auto stats = shared->sequence().GenerateChunks(tokens, gen, [&](const runtime::Chunk& c) {
      const OutputPart part = shaper->Add(c);
      if (part.empty()) return true;
      json chunk = {{"model", model_name}, {"created_at", api::FormatRfc3339Nano(SysClock::now())}, {"done", false}};
      PutGeneratePart(chunk, part, logprobs);
      return w.Write(chunk);
    }, linked.token());
    if (!stats.ok()) {
      w.Write({{"error", stats.status().message()}});
      return;
    }
    if (shutdown.stop_requested()) {
      w.Write({{"error", std::string(kShuttingDown)}});
      return;
    }
    json done = finish(*stats);
    PutGeneratePart(done, shaper->Flush(), logprobs);
    w.Write(done);
  });
}

void RegisterGenerateRoutes(httplib::Server& http, ServerContext& ctx) {
  http.Post("/api/generate", [&ctx](const httplib::Request& req, httplib::Response& res) {
    auto body = api::ParseRequestBody(req.body, "GenerateRequest");
    if (!body.ok()) return ReplyError(res, body.status());
    auto watch = ctx.watcher->Start(req, ctx.shutdown.get_token());
    NativeReply reply = RunGenerate(ctx, *body, req.body, watch->token());
    KeepUntilSent(reply, watch);
    SendNative(res, std::move(reply));
  });
}

}  // namespace olla::server
