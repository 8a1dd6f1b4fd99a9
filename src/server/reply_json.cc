#include "server/reply_json.h"

#include <nlohmann/json.hpp>

namespace olla::server {

using nlohmann::json;

namespace {

json TokenJson(const runtime::TokenLogprob& t) {
  json j = {{"token", t.token}, {"logprob", t.logprob}};
  if (!t.token.empty()) {
    json bytes = json::array();
    for (unsigned char c : t.token) bytes.push_back(static_cast<int>(c));
    j["bytes"] = std::move(bytes);
  }
  return j;
}

}  // namespace

json LogprobsJson(std::span<const runtime::Logprob> logprobs) {
  json out = json::array();
  for (const auto& lp : logprobs) {
    json j = TokenJson(lp.token);
    if (!lp.top.empty()) {
      json top = json::array();
      for (const auto& t : lp.top) top.push_back(TokenJson(t));
      j["top_logprobs"] = std::move(top);
    }
    out.push_back(std::move(j));
  }
  return out;
}

void PutChatPart(json& response, const OutputPart& part, bool with_logprobs) {
  json& message = response["message"];
  message["role"] = "assistant";
  message["content"] = part.content;
  if (!part.thinking.empty()) message["thinking"] = part.thinking;
  if (!part.tool_calls.empty()) {
    json calls = json::array();
    for (const auto& c : part.tool_calls) {
      json args = json::parse(c.arguments_json, nullptr, false);
      if (args.is_discarded()) args = json::object();
      calls.push_back(
          {{"id", c.id},
           {"function", {{"index", c.index}, {"name", c.name}, {"arguments", std::move(args)}}}});
    }
    message["tool_calls"] = std::move(calls);
  }
  if (with_logprobs && !part.logprobs.empty()) response["logprobs"] = LogprobsJson(part.logprobs);
}

std::string ToolCallKeyOrder(const OutputPart& part) {
  if (part.tool_calls.empty()) return "";
  std::string out = "[";
  for (const auto& c : part.tool_calls) {
    if (out.size() > 1) out += ',';
    out += c.arguments_json.empty() ? "{}" : c.arguments_json;
  }
  out += ']';
  return out;
}

void PutGeneratePart(json& response, const OutputPart& part, bool with_logprobs) {
  response["response"] = part.content;
  if (!part.thinking.empty()) response["thinking"] = part.thinking;
  if (with_logprobs && !part.logprobs.empty()) response["logprobs"] = LogprobsJson(part.logprobs);
}

}  // namespace olla::server
