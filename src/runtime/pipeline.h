#pragma once
// The request pipeline of /api/generate and /api/chat (and so of /v1 and /v1/messages): a typed
// job in, shaped output parts out. Prepare() does everything that can fail before the answer
// starts (take a slot of the model, check `think` and tools, render the prompt, fit it into the
// context window once, set up the grammar and the output shaper), so that the server can still
// answer such errors with an HTTP status; PreparedRequest::Run() then generates. Nothing here
// knows JSON or HTTP: server/ parses requests into jobs and writes the parts as replies.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <variant>
#include <vector>

#include "base/status.h"
#include "chat/messages.h"
#include "engine/model.h"
#include "grammar/grammar.h"
#include "runtime/generate.h"
#include "runtime/options.h"
#include "runtime/output.h"
#include "runtime/scheduler.h"

namespace olla::runtime {

// What the store says of the model a request names (server/model_resolver.h reads it).
struct ModelFacts {
  std::string name;        // as the request named it: "\"<name>\" does not support thinking"
  std::string full_name;   // resolved: "<full_name> does not support tools"
  std::string short_name;  // the scheduler's name for it, e.g. "llama3.2:latest"
  std::string path;        // the GGUF blob
  std::vector<std::string> adapters;  // LoRA adapter blobs (ADAPTER layers), applied at load
  std::string
      template_text;   // its Go TEMPLATE ("" = none: the GGUF's Jinja template, or the default)
  std::string system;  // its SYSTEM
  std::vector<chat::Message> messages;  // its MESSAGE history
  // From the config blob (spec §9.4, §9.5): RENDERER and PARSER ("" = none) and model_family
  // ("" = the GGUF's general.architecture).
  std::string renderer, parser, family;
};

// /api/generate's input (spec §3.4).
struct GenerateJob {
  std::string prompt, suffix;
  std::string system;            // "" = the model's
  std::string template_text;     // the request's template ("" = the model's)
  bool raw = false;              // the prompt as is, no template
  std::vector<int32_t> context;  // the deprecated `context` (token ids of an earlier exchange)
};

// /api/chat's input (spec §3.5).
struct ChatJob {
  std::vector<chat::Message> messages;
  std::string tools_json;  // JSON array of tool definitions in the client's key order, or ""
};

struct PromptJob {
  ModelFacts model;
  std::variant<GenerateJob, ChatJob> input;
  ResolvedOptions options;
  std::optional<Duration> keep_alive;               // nullopt: the scheduler's default
  chat::ThinkSetting think;                         // as sent
  std::shared_ptr<const grammar::Grammar> grammar;  // from `format` (runtime/format.h); null: none
  bool logprobs = false;
  int32_t top_logprobs = 0;
  bool truncate = true;       // cut a prompt that does not fit (§10.6)
  std::optional<bool> shift;  // context shift; nullopt: DefaultShift()
};

// Receives each non-empty part of the answer as it is produced. Return false to stop.
using PartSink = std::function<bool(const OutputPart& part)>;

// How generation ended: the stats (prompt_truncated includes the tokens of the messages chat
// truncation dropped) and the output the shaper held until the end.
struct Finished {
  GenerateStats stats;
  OutputPart last;
};

class PreparedRequest {
 public:
  // The request only loads the model (empty prompt or no messages): nothing to generate.
  bool load_only() const { return tokens_.empty(); }
  Duration load_duration() const { return lease_.load_duration(); }

  // Generates the answer until it ends or `stop` fires. Call once.
  Result<Finished> Run(const PartSink& on_part, std::stop_token stop);

 private:
  friend Result<PreparedRequest> Prepare(Scheduler& scheduler, const PromptJob& job,
                                         std::stop_token stop);
  Lease lease_;
  std::vector<TokenId> tokens_;
  GenerateOptions gen_;
  std::unique_ptr<OutputShaper> shaper_;
  size_t dropped_tokens_ = 0;  // what chat truncation cut
};

// Errors, in this order: the scheduler's (loading, queue full, cancelled); kInvalidArgument for
// `think` or tools the model does not support; kInternal when the template fails to render or the
// RENDERER is not one of Ollama's (`unknown renderer "<name>"`); kInvalidArgument when the prompt
// does not fit (CheckPromptFits).
//
// Harmony models (gpt-oss, spec §9.4 item 1): rendered with their Go template as Ollama does,
// with the request's tools renamed to harmony identifiers, and parsed by chat::HarmonyParser;
// the structural tokens (<|start|>, <|channel|>, <|message|>, <|end|>, <|constrain|>) are
// rendered into the output and <|end|> does not end generation (<|return|> and <|call|> do).
Result<PreparedRequest> Prepare(Scheduler& scheduler, const PromptJob& job, std::stop_token stop);

// Whether context shifting is on when the request does not say (spec §3.4): as the
// architecture's traits say (engine::CanShiftContext; deepseek2 cannot shift in Ollama).
bool DefaultShift(const engine::Model& model);

}  // namespace olla::runtime
