#pragma once
// The JSON of generate and chat answers: output parts (content, thinking, tool calls,
// log-probabilities) written into response objects as Ollama shapes them (spec §3.4, §3.5).

#include <nlohmann/json_fwd.hpp>
#include <span>
#include <string>

#include "runtime/pipeline.h"

namespace olla::server {

using runtime::OutputPart;

// [{token, logprob, bytes, top_logprobs: [{token, logprob, bytes}]}] (spec §3.4; bytes and
// top_logprobs omitted when empty, as Ollama's omitempty does).
nlohmann::json LogprobsJson(std::span<const runtime::Logprob> logprobs);

// Writes `part` into a chat response object: message.content (always), message.thinking and
// message.tool_calls when present, and logprobs when `with_logprobs`.
void PutChatPart(nlohmann::json& response, const OutputPart& part, bool with_logprobs);
// The key order of `part`'s tool-call arguments as the model wrote them: JSON text to serialize a
// response with (NativeReply::key_order, ChunkWriter::WriteOrdered); "" when there are none.
std::string ToolCallKeyOrder(const OutputPart& part);
// Writes `part` into a generate response object: response (always), thinking when present, and
// logprobs when `with_logprobs`.
void PutGeneratePart(nlohmann::json& response, const OutputPart& part, bool with_logprobs);

}  // namespace olla::server
