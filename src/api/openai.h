#pragma once
// OpenAI-compatible API (spec §4.1-§4.5): pure conversions between OpenAI's request and response
// objects and Ollama's native ones (/api/chat, /api/generate, /api/embed). No I/O: the server's
// /v1 routes decode a body, call From*Request, run the native handler, and convert its answer
// with To* or a stream converter (CONVENTIONS.md C11).
//
// Request conversion errors are kInvalidArgument (HTTP 400) with upstream's messages, e.g.
// "[] is too short - 'messages'", "invalid message format", "invalid image input".

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace olla::api::openai {

// What a /v1 request asks of the response besides the native request.
struct StreamOptions {
  bool stream = false;         // `stream` (default false on /v1)
  bool include_usage = false;  // `stream_options.include_usage`
};

// ---- errors (§4.1)

// "invalid_request_error" (400), "not_found_error" (404), "api_error" (anything else).
const char* ErrorType(int http_status);
// {"error":{"message":..,"type":..,"param":null,"code":null}}
nlohmann::json ErrorObject(int http_status, std::string_view message);

// ---- shared pieces

// olla extension to §4.1 (issue #7: options on /v1): the request's `options` object (OpenAI
// clients send it through `extra_body`) is merged over `options`, so num_ctx and every other
// native option can be set per request. Not an object → kInvalidArgument.
Status MergeNativeOptions(const nlohmann::json& request, nlohmann::json& options);

// {"prompt_tokens":P,"completion_tokens":C,"total_tokens":P+C} from a native final object's
// prompt_eval_count and eval_count (absent = 0).
nlohmann::json Usage(const nlohmann::json& native);
// Native done_reason → finish_reason: "" → null; "stop" → "tool_calls" when `has_tool_calls`.
nlohmann::json FinishReason(std::string_view done_reason, bool has_tool_calls);
// Native tool calls [{"id","function":{"index","name","arguments":{..}}}] → OpenAI's
// [{"id","index","type":"function","function":{"name","arguments":"<JSON text>"}}].
nlohmann::json ToToolCalls(const nlohmann::json& native_tool_calls);
// OpenAI `reasoning_effort` → native `think`: "none" → false, "minimal" → "low",
// "low|medium|high|max" → same, "xhigh|ultra" → "max"; "" → null (unset); other → 400.
Result<nlohmann::json> ThinkFromEffort(std::string_view effort);
// An image_url / input_image URL → the base64 payload for native `images`: data URIs of JPEG,
// PNG, WebP or no type; http(s) URLs and anything else → 400.
Result<std::string> ImageFromUrl(std::string_view url);

// ---- POST /v1/chat/completions (§4.2) → POST /api/chat

Status FromChatCompletionRequest(const nlohmann::json& request, nlohmann::json* native,
                                 StreamOptions* stream);
// A native non-streamed chat response → "chat.completion". `id` is "chatcmpl-N".
nlohmann::json ToChatCompletion(const nlohmann::json& native, std::string_view id, int64_t created);

// ---- POST /v1/completions (§4.3) → POST /api/generate

Status FromCompletionRequest(const nlohmann::json& request, nlohmann::json* native,
                             StreamOptions* stream);
// A native non-streamed generate response → "text_completion". `id` is "cmpl-N".
nlohmann::json ToCompletion(const nlohmann::json& native, std::string_view id, int64_t created);

// ---- streaming: native chunks in, "chat.completion.chunk" / "text_completion" chunks out

class StreamConverter {
 public:
  virtual ~StreamConverter() = default;
  // Chunks before the first native object (none for chat and completions).
  virtual std::vector<nlohmann::json> Start() { return {}; }
  // The OpenAI chunks (possibly none) for one native streamed object.
  virtual std::vector<nlohmann::json> Add(const nlohmann::json& native_chunk) = 0;
  // The chunks after the last native object (finish and usage chunks), before "[DONE]".
  virtual std::vector<nlohmann::json> Finish() = 0;
  // The chunk for an error met after the start (default: the error envelope, status 500).
  virtual nlohmann::json Error(std::string_view message);
  // Whether events are named by their "type" ("event: <type>\n") and the stream ends without
  // "data: [DONE]" (the Responses API), rather than plain "data:" events.
  virtual bool named_events() const { return false; }
};

class ChatStream : public StreamConverter {
 public:
  ChatStream(std::string id, int64_t created, bool include_usage)
      : id_(std::move(id)), created_(created), include_usage_(include_usage) {}
  std::vector<nlohmann::json> Add(const nlohmann::json& native_chunk) override;
  std::vector<nlohmann::json> Finish() override;

 private:
  nlohmann::json Chunk(nlohmann::json delta, const nlohmann::json* logprobs) const;

  std::string id_, model_, done_reason_;
  int64_t created_;
  bool include_usage_;
  bool first_ = true, saw_tool_calls_ = false;
  int64_t prompt_tokens_ = 0, completion_tokens_ = 0;
};

class CompletionStream : public StreamConverter {
 public:
  CompletionStream(std::string id, int64_t created, bool include_usage)
      : id_(std::move(id)), created_(created), include_usage_(include_usage) {}
  std::vector<nlohmann::json> Add(const nlohmann::json& native_chunk) override;
  std::vector<nlohmann::json> Finish() override;

 private:
  std::string id_, model_;
  int64_t created_;
  bool include_usage_;
  int64_t prompt_tokens_ = 0, completion_tokens_ = 0;
};

// ---- POST /v1/embeddings (§4.4) → POST /api/embed

// `base64`: encoding_format "base64" was asked for.
Status FromEmbeddingRequest(const nlohmann::json& request, nlohmann::json* native, bool* base64);
// {"object":"list","data":[{"object":"embedding","embedding":[..] | "<base64 of float32 LE>",
// "index":i}],"model":M,"usage":{"prompt_tokens":n,"total_tokens":n}}
nlohmann::json ToEmbeddingList(const nlohmann::json& native, bool base64);

// ---- GET /v1/models, /v1/models/:model (§4.5)

// {"id":id,"object":"model","created":created,"owned_by":owned_by}
nlohmann::json ToModel(std::string_view id, int64_t created, std::string_view owned_by);
// {"object":"list","data":[models...]} ([] when empty).
nlohmann::json ToModelList(const std::vector<nlohmann::json>& models);

}  // namespace olla::api::openai
