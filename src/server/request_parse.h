#pragma once
// /api/generate and /api/chat request bodies → typed requests for the runtime pipeline
// (runtime/pipeline.h). Errors are the Go-shaped messages Ollama gives (kInvalidArgument, or
// kNotFound for a missing generate model), in the order Ollama checks them.

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "base/status.h"
#include "runtime/pipeline.h"
#include "server/model_resolver.h"
#include "server/server.h"

namespace olla::server {

// olla's own bounds on what a request may make the server render or compile (issue #17), each a
// 400 naming the bound: messages of a chat, and the JSON text of `format` and of `tools`.
inline constexpr size_t kMaxChatMessages = 10000;
inline constexpr size_t kMaxFormatBytes = size_t{1} << 20;
inline constexpr size_t kMaxToolsBytes = size_t{1} << 20;

// The request features that shape a generation and its answer (spec §3.4, §9.6).
struct OutputRequest {
  std::shared_ptr<const grammar::Grammar> grammar;  // from `format`; nullptr: unconstrained
  bool logprobs = false;
  int32_t top_logprobs = 0;
  chat::ThinkSetting think;  // as sent (is_set false when absent)
};

// Reads format, logprobs, top_logprobs (0-20) and think from a generate or chat request.
// `raw_body`: the request text, so that a `format` schema keeps the client's property order
// (the constrained output then lists properties in that order, as Ollama's does).
Result<OutputRequest> ParseOutputRequest(const nlohmann::json& request, std::string_view go_type,
                                         std::string_view raw_body = {});

// The `format` field's JSON text for runtime::CompileFormat: "" when absent or null; an object
// as the client wrote it in `raw_body` when given (key order kept), else as parsed.
std::string FormatJson(const nlohmann::json* format, std::string_view raw_body);

// What generate and chat requests share.
struct PromptRequest {
  std::string model;
  bool stream = true;
  bool truncate = true;       // cut a prompt that does not fit (spec §10.6)
  std::optional<bool> shift;  // context shift; default on (off for deepseek2)
  nlohmann::json options;     // object or null
  std::optional<runtime::Duration> keep_alive;
  OutputRequest output;
};

struct GenerateRequest {
  PromptRequest common;
  runtime::GenerateJob job;
  bool has_system = false;  // `system` was sent (raw mode refuses it, even empty)
};
Result<GenerateRequest> ParseGenerateRequest(const nlohmann::json& request,
                                             std::string_view raw_body);

struct ChatRequest {
  PromptRequest common;
  runtime::ChatJob job;
};
// Tools and tool-call arguments reach the template in the client's key order (`raw_body`).
Result<ChatRequest> ParseChatRequest(const nlohmann::json& request, std::string_view raw_body);

// The pipeline's job for `model` (resolved from r.model): its facts, its parameters under the
// request's options (errors: server/options.h), and the request.
Result<runtime::PromptJob> MakePromptJob(
    const ServerContext& ctx, const ResolvedModel& model, const PromptRequest& r,
    std::variant<runtime::GenerateJob, runtime::ChatJob> input);

}  // namespace olla::server
