#pragma once
// Anthropic Messages API compatibility (spec §4.8): pure conversions between a POST /v1/messages
// request and the native /api/chat request, and from native chat answers (one object or a stream
// of chunks) to Anthropic's message object and server-sent events. No I/O (CONVENTIONS.md C11).
//
// Request errors are kInvalidArgument (HTTP 400) with upstream's messages ("model is required",
// "max_tokens is required and must be positive", "messages is required", "invalid image source",
// "tool_use block missing required 'id' field", ...).

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "api/openai.h"
#include "base/status.h"

namespace olla::api::anthropic {

// ---- errors

// invalid_request_error (400), authentication_error (401), permission_error (403),
// not_found_error (404), rate_limit_error (429), overloaded_error (503, 529), api_error (other).
const char* ErrorType(int http_status);
// {"type":"error","error":{"type":<ErrorType>,"message":message}}
nlohmann::json ErrorObject(int http_status, std::string_view message);

// ---- POST /v1/messages → POST /api/chat

// `model`, `max_tokens` (→ options.num_predict), `messages` (content a string or blocks: text,
// image with a base64 source, tool_use, tool_result, thinking; other blocks are ignored),
// `system` (string or text blocks → a leading system message), `temperature`, `top_p`, `top_k`,
// `stop_sequences`, `tools` (custom tools → native function tools; server tools such as
// web_search are dropped), `thinking` ({"type":"enabled"|"disabled"} → think true|false) and
// `output_config.effort` (low|medium|high|max, xhigh → high; used when `thinking` is absent),
// `stream` (default false). `tool_choice` and `metadata` are accepted and ignored.
Status FromMessagesRequest(const nlohmann::json& request, nlohmann::json* native, bool* stream);

// A rough input-token count of a request (bytes of text / 4, at least 1), for message_start,
// which is sent before the native answer reports the real count.
int64_t EstimateInputTokens(const nlohmann::json& request);

// Native done_reason → stop_reason: any tool call → "tool_use"; "stop" → "end_turn";
// "length" → "max_tokens"; other non-empty → "stop_sequence"; "" → null.
nlohmann::json StopReason(std::string_view done_reason, bool has_tool_calls);

// A native non-streamed chat answer → {"id","type":"message","role":"assistant","model",
// "content":[thinking?, text?, tool_use*],"stop_reason","stop_sequence":null,
// "usage":{"input_tokens","output_tokens"}}. `id` is "msg_<hex>".
nlohmann::json ToMessage(const nlohmann::json& native, std::string_view id);

// Native chat chunks → Anthropic's named events: message_start and ping on the first chunk, then
// content_block_start / content_block_delta (thinking_delta, text_delta, input_json_delta) /
// content_block_stop per block, and message_delta (stop_reason, usage) and message_stop on the
// final chunk. Errors after the start are an `error` event.
class MessagesStream : public openai::StreamConverter {
 public:
  MessagesStream(std::string id, std::string model, int64_t estimated_input_tokens)
      : id_(std::move(id)),
        model_(std::move(model)),
        estimated_input_tokens_(estimated_input_tokens) {}
  std::vector<nlohmann::json> Add(const nlohmann::json& native_chunk) override;
  std::vector<nlohmann::json> Finish() override { return {}; }
  nlohmann::json Error(std::string_view message) override;
  bool named_events() const override { return true; }

 private:
  enum class Block { kNone, kThinking, kText };
  // Closes the open block (if any) and, unless `next` is kNone, opens one of kind `next`.
  void SwitchBlock(Block next, std::vector<nlohmann::json>& out);

  std::string id_, model_;
  int64_t estimated_input_tokens_;
  bool started_ = false, tool_calls_ = false;
  Block open_ = Block::kNone;
  int index_ = 0;  // index of the open block, or of the next one
};

}  // namespace olla::api::anthropic
