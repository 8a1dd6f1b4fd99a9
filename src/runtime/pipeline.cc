#include "runtime/pipeline.h"

#include <map>

#include "base/log.h"
#include "base/str_cat.h"
#include "chat/harmony_parser.h"
#include "chat/prompt.h"
#include "chat/thinking_parser.h"
#include "chat/tool_call_parser.h"
#include "runtime/chat_truncation.h"
#include "runtime/context_window.h"
#include "runtime/prompt.h"

namespace olla::runtime {

namespace {

// A rendered and tokenized prompt.
struct Prompt {
  std::vector<TokenId> tokens;
  std::string text;
  size_t dropped_tokens = 0;  // what chat truncation cut
};

// A template that fails to render is the server's fault (500), whatever the engine said.
Status RenderError(const Status& s) { return Status::Internal(std::string(s.message())); }

Result<Prompt> GeneratePrompt(const GenerateJob& in, const ModelFacts& model,
                              const std::string& template_text, const chat::ThinkSetting& think,
                              const Lease& lease) {
  PromptInput p;
  p.raw = in.raw;
  p.prompt = in.prompt;
  p.suffix = in.suffix;
  p.system = in.system;
  p.model_system = model.system;
  p.template_text = template_text;
  p.model_messages = model.messages;
  p.has_context = !in.context.empty();
  p.think = think;
  auto rendered = RenderGeneratePrompt(p, lease.model().file().metadata(), lease.tokenizer());
  if (!rendered.ok()) return RenderError(rendered.status());
  // Template text may hold special tokens, user text may not. `context` goes first (with its BOS).
  Prompt out{TokenizePrompt(lease.tokenizer(), *rendered, /*add_bos=*/in.context.empty()),
             std::move(rendered->text)};
  out.tokens.insert(out.tokens.begin(), in.context.begin(), in.context.end());
  return out;
}

// The model's SYSTEM and MESSAGE history, then the request's messages; when the prompt does not
// fit and `truncate` allows, without the oldest messages (runtime/chat_truncation.h).
Result<Prompt> ChatPrompt(const ChatJob& in, const ModelFacts& model,
                          const chat::ThinkSetting& think, bool truncate, const Lease& lease) {
  const std::vector<chat::Message> messages =
      chat::AssembleChatMessages(model.system, model.messages, in.messages);
  std::map<size_t, Prompt> renders;  // by the number of messages dropped
  auto render = [&](size_t n) -> Result<Prompt> {
    ChatInput c{DropOldestMessages(messages, n), model.template_text, in.tools_json, think};
    auto rendered = RenderChatPrompt(c, lease.model().file().metadata(), lease.tokenizer());
    if (!rendered.ok()) return RenderError(rendered.status());
    return Prompt{TokenizePrompt(lease.tokenizer(), *rendered, /*add_bos=*/true),
                  std::move(rendered->text)};
  };
  auto size_after_dropping = [&](size_t n) -> Result<size_t> {
    OLLA_ASSIGN_OR_RETURN(Prompt p, render(n));
    const size_t size = p.tokens.size();
    renders[n] = std::move(p);
    return size;
  };
  const size_t max_drop = truncate ? DroppableMessages(messages) : 0;
  OLLA_ASSIGN_OR_RETURN(size_t drop,
                        MessagesToDrop(max_drop, lease.num_ctx(), size_after_dropping));
  if (!renders.contains(drop)) OLLA_RETURN_IF_ERROR(size_after_dropping(drop).status());
  const size_t whole = renders[0].tokens.size();
  Prompt out = std::move(renders[drop]);
  out.dropped_tokens = whole - out.tokens.size();
  if (GetLogLevel() <= LogLevel::kDebug) LogDebug(StrCat("chat request prompt=", out.text));
  return out;
}

}  // namespace

Result<PreparedRequest> Prepare(Scheduler& scheduler, const PromptJob& job, std::stop_token stop) {
  PreparedRequest p;
  LoadParams load = job.options.load;
  load.adapters = job.model.adapters;
  OLLA_ASSIGN_OR_RETURN(p.lease_, scheduler.Acquire(job.model.short_name, job.model.path, load,
                                                    job.keep_alive, stop));
  const GenerateJob* generate = std::get_if<GenerateJob>(&job.input);
  const ChatJob* chat = std::get_if<ChatJob>(&job.input);
  if (generate ? generate->prompt.empty() && generate->suffix.empty() : chat->messages.empty())
    return p;
  // Embedding models (no output head) lack the completion capability: Ollama's 400.
  if (!p.lease_.model().config().output_head)
    return Status::InvalidArgument(
        StrCat("\"", job.model.name, "\" does not support ", generate ? "generate" : "chat"));

  const std::string& template_text = generate && !generate->template_text.empty()
                                         ? generate->template_text
                                         : job.model.template_text;
  const ModelOutputFormat format =
      ModelOutputFormatFor(template_text, p.lease_.model().file().metadata(),
                           {.parser = job.model.parser,
                            .family = job.model.family,
                            .model_template = &job.model.template_text});
  chat::ThinkSetting think = job.think;
  OLLA_RETURN_IF_ERROR(ResolveThink(format, job.model.name, think));
  if (chat && !chat->tools_json.empty() && !format.supports_tools)
    return Status::InvalidArgument(StrCat(job.model.full_name, " does not support tools"));
  // Ollama fails on a renderer it does not know when it renders; for the renderers it has we
  // render with the template (chat::CheckRendererName).
  if (!(generate && generate->raw))
    OLLA_RETURN_IF_ERROR(chat::CheckRendererName(job.model.renderer));
  // A raw prompt is not parsed (Ollama: no built-in parser with raw).
  const bool harmony = format.harmony && !(generate && generate->raw);
  chat::HarmonyFunctionNames harmony_names;
  Prompt prompt;
  if (generate) {
    OLLA_ASSIGN_OR_RETURN(prompt,
                          GeneratePrompt(*generate, job.model, template_text, think, p.lease_));
  } else if (harmony) {
    // The template sees the harmony names of the tools; the parser maps calls back.
    ChatJob renamed = *chat;
    renamed.tools_json = chat::RenameHarmonyTools(chat->tools_json, harmony_names);
    OLLA_ASSIGN_OR_RETURN(prompt, ChatPrompt(renamed, job.model, think, job.truncate, p.lease_));
  } else {
    OLLA_ASSIGN_OR_RETURN(prompt, ChatPrompt(*chat, job.model, think, job.truncate, p.lease_));
  }

  GenerateOptions& gen = p.gen_;
  gen = job.options.gen;
  gen.num_keep = job.options.num_keep;
  gen.truncate = job.truncate;
  gen.shift = job.shift.value_or(DefaultShift(p.lease_.model()));
  // Checked here, once, so that the client gets a 400 rather than an error in the stream.
  OLLA_RETURN_IF_ERROR(
      CheckPromptFits(prompt.tokens.size(), p.lease_.num_ctx(), gen.truncate, gen.shift));
  gen.prompt_checked = true;
  gen.add_special = false;  // BOS was added by TokenizePrompt
  gen.grammar = job.grammar;
  gen.logprobs = job.logprobs;
  gen.top_logprobs = job.top_logprobs;
  if (harmony) {
    gen.preserved_tokens = {"<|start|>", "<|end|>", "<|message|>", "<|channel|>", "<|constrain|>"};
    // With `format`, the analysis (thinking) and commentary (tool calls) channels stay free and
    // the final channel's message follows the grammar: what Ollama gets by generating the
    // thinking unconstrained, then restarting after the final-channel header (spec §3.5).
    if (gen.grammar)
      gen.grammar_after_thinking = {"<|channel|>", "<|channel|>final<|message|>",
                                    /*start_inside=*/true};
    p.shaper_ = std::make_unique<OutputShaper>(std::make_unique<chat::HarmonyParser>(
        std::move(harmony_names), chat ? &chat->messages.back() : nullptr));
  } else {
    const bool thinking = think.enabled && !(generate && generate->raw);
    const bool starts_inside =
        thinking && chat::PromptEndsInThinking(prompt.text, format.thinking.open);
    if (chat && thinking && format.has_thinking_tags())  // the thinking stays free (§3.5)
      gen.grammar_after_thinking = {format.thinking.open, format.thinking.close, starts_inside};
    p.shaper_ = std::make_unique<OutputShaper>(
        format, thinking, starts_inside,
        chat ? chat::ToolNames(chat->tools_json) : std::vector<std::string>{});
  }
  p.tokens_ = std::move(prompt.tokens);
  p.dropped_tokens_ = prompt.dropped_tokens;
  return p;
}

Result<Finished> PreparedRequest::Run(const PartSink& on_part, std::stop_token stop) {
  auto on_chunk = [&](const Chunk& c) {
    const OutputPart part = shaper_->Add(c);
    return part.empty() || on_part(part);
  };
  OLLA_ASSIGN_OR_RETURN(GenerateStats stats,
                        lease_.sequence().GenerateChunks(std::move(tokens_), gen_, on_chunk, stop));
  stats.prompt_truncated += dropped_tokens_;
  OLLA_ASSIGN_OR_RETURN(OutputPart last, shaper_->Flush());
  return Finished{std::move(stats), std::move(last)};
}

bool DefaultShift(const engine::Model& model) { return engine::CanShiftContext(model); }

}  // namespace olla::runtime
