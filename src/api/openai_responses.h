#pragma once
// OpenAI Responses API, non-stateful (spec §4.6): pure conversions between POST /v1/responses and
// the native /api/chat. previous_response_id and conversation are ignored; nothing is stored.

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "api/openai.h"
#include "base/status.h"

namespace olla::api::openai {

// Request → native chat request. Errors are kInvalidArgument with upstream's messages
// ("input[2]: unknown input item type: \"x\"", "file inputs are not currently supported", ...).
Status FromResponsesRequest(const nlohmann::json& request, nlohmann::json* native,
                            StreamOptions* stream);

// A native non-streamed chat response → the "response" object. `id` is "resp_N"; times in Unix
// seconds; `request` is echoed (instructions, tools, temperature, ...).
nlohmann::json ToResponse(const nlohmann::json& request, const nlohmann::json& native,
                          std::string_view id, int64_t created_at, int64_t completed_at);

// Native chat chunks → the Responses event sequence (each event {"type", "sequence_number", ...};
// the server writes "event: <type>\ndata: <json>\n\n"). Start() gives response.created and
// response.in_progress; Finish() closes open items and gives response.completed.
class ResponsesStream : public StreamConverter {
 public:
  // `now`: the clock (Unix seconds) for created_at and completed_at.
  ResponsesStream(const nlohmann::json& request, std::string id, std::function<int64_t()> now);
  ~ResponsesStream() override;
  std::vector<nlohmann::json> Start() override;
  std::vector<nlohmann::json> Add(const nlohmann::json& native_chunk) override;
  std::vector<nlohmann::json> Finish() override;
  // response.failed for an error met after the start.
  nlohmann::json Error(std::string_view message) override;
  bool named_events() const override { return true; }

 private:
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace olla::api::openai
