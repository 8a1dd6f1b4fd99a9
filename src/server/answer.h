#pragma once
// The native answer of a generate or chat request once the pipeline has prepared it
// (runtime::PreparedRequest): one JSON object, or NDJSON lines as the output is produced. Only the
// objects' shape differs between the two endpoints (AnswerShape).

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <stop_token>
#include <variant>

#include "runtime/pipeline.h"
#include "server/model_resolver.h"
#include "server/native.h"
#include "server/request_parse.h"
#include "server/server.h"

namespace olla::server {

struct AnswerShape {
  // A new answer object: model, created_at, done, and the empty content.
  std::function<nlohmann::json(bool done)> object;
  // Writes an output part into an object (PutChatPart or PutGeneratePart).
  void (*put_part)(nlohmann::json& object, const runtime::OutputPart& part,
                   bool with_logprobs) = nullptr;
  // Fields of the last object besides done_reason and the metrics (generate: `context`); may be
  // empty.
  std::function<void(nlohmann::json& done, const runtime::GenerateStats& stats)> put_end;
  bool logprobs = false;  // the request asked for log-probabilities
};

// The object of an answer that only loaded ("load") or unloaded ("unload") the model.
nlohmann::json DoneWithoutOutput(const AnswerShape& shape, const char* done_reason);

// Generates and answers: streamed when `stream`, else one object. `start`: when the request came
// (total_duration); `stop`: the request's cancellation (client gone or server shutting down).
NativeReply Answer(ServerContext& ctx, std::shared_ptr<runtime::PreparedRequest> prepared,
                   bool stream, AnswerShape shape, runtime::Clock::time_point start,
                   std::stop_token stop);

// The common end of /api/generate and /api/chat, after each route's own checks: the typed job
// (MakePromptJob), a slot and the prompt (runtime::Prepare), then Answer; a load-only request
// answers "load". `cancel`, when it can fire, ends the request; else the server's shutdown does.
NativeReply PrepareAndAnswer(ServerContext& ctx, const ResolvedModel& model,
                             const PromptRequest& request,
                             std::variant<runtime::GenerateJob, runtime::ChatJob> input,
                             const AnswerShape& shape, runtime::Clock::time_point start,
                             std::stop_token cancel);

}  // namespace olla::server
