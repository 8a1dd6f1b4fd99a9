#include "api/anthropic.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "base/ascii.h"
#include "base/base64.h"
#include "api/json_request.h"
#include "base/str_cat.h"

namespace olla::api::anthropic {

using nlohmann::json;

namespace {

const json* Get(const json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}

std::string StringOr(const json& obj, const char* key) {
  const json* v = Get(obj, key);
  return v && v->is_string() ? v->get<std::string>() : "";
}

// An image block's source → base64 for native `images` (only base64 sources are supported).
Result<std::string> ImageFromSource(const json* source) {
  if (!source || !source->is_object()) return Status::InvalidArgument("invalid image source");
  const std::string type = StringOr(*source, "type");
  if (type != "base64")
    return Status::InvalidArgument(
        StrCat("invalid image source type: ", type, ". Only base64 images are supported."));
  auto bytes = Base64Decode(StringOr(*source, "data"));
  if (!bytes.ok())
    return Status::InvalidArgument(StrCat("invalid base64 image data: ", bytes.status().message()));
  return Base64Encode(*bytes);
}

// A tool_result's content (string, or text and image blocks) → text and images.
Status ToolResultContent(const json* content, std::string* text, json* images) {
  if (!content) return Status::Ok();
  if (content->is_string()) {
    *text = content->get<std::string>();
  } else if (content->is_array()) {
    for (const auto& block : *content) {
      const std::string type = StringOr(block, "type");
      if (type == "text") {
        *text += StringOr(block, "text");
      } else if (type == "image") {
        const json* source = Get(block, "source");
        if (!source || !source->is_object())
          return Status::InvalidArgument("invalid tool_result image source");
        OLLA_ASSIGN_OR_RETURN(std::string image, ImageFromSource(source));
        images->push_back(std::move(image));
      }
    }
  }
  return Status::Ok();
}

// One Anthropic message → native messages (§4.8): its text, images, tool calls and thinking make
// one message; each tool_result block becomes a "tool" message, placed before a user's text.
Status ConvertMessage(const json& msg, json& out) {
  if (!msg.is_object())
    return Status::InvalidArgument("json: cannot unmarshal message: expected an object");
  const std::string role = AsciiToLower(StringOr(msg, "role"));
  json blocks = json::array();
  if (const json* content = Get(msg, "content")) {
    if (content->is_string()) {
      blocks.push_back({{"type", "text"}, {"text", *content}});
    } else if (content->is_array()) {
      blocks = *content;
    } else {
      return Status::InvalidArgument(
          StrCat("json: cannot unmarshal ", JsonKindName(*content),
                 " into Go struct field MessageParam.content of type []anthropic.ContentBlock"));
    }
  }
  std::string text, thinking;
  json images = json::array(), tool_calls = json::array(), tool_results = json::array();
  for (const auto& block : blocks) {
    if (!block.is_object()) return Status::InvalidArgument("invalid content block");
    const std::string type = StringOr(block, "type");
    if (type == "text") {
      text += StringOr(block, "text");
    } else if (type == "image") {
      OLLA_ASSIGN_OR_RETURN(std::string image, ImageFromSource(Get(block, "source")));
      images.push_back(std::move(image));
    } else if (type == "tool_use" || type == "server_tool_use") {
      const std::string id = StringOr(block, "id"), name = StringOr(block, "name");
      if (type == "tool_use" && id.empty())
        return Status::InvalidArgument("tool_use block missing required 'id' field");
      if (type == "tool_use" && name.empty())
        return Status::InvalidArgument("tool_use block missing required 'name' field");
      const json* input = Get(block, "input");
      if (input && !input->is_object())
        return Status::InvalidArgument("invalid tool_use input: expected an object");
      json call = {{"function",
                    {{"index", tool_calls.size()},
                     {"name", name},
                     {"arguments", input ? *input : json::object()}}}};
      if (!id.empty()) call["id"] = id;
      tool_calls.push_back(std::move(call));
    } else if (type == "tool_result" || type == "web_search_tool_result") {
      std::string result;
      json result_images = json::array();
      OLLA_RETURN_IF_ERROR(ToolResultContent(Get(block, "content"), &result, &result_images));
      json tool = {
          {"role", "tool"}, {"content", result}, {"tool_call_id", StringOr(block, "tool_use_id")}};
      if (!result_images.empty()) tool["images"] = std::move(result_images);
      tool_results.push_back(std::move(tool));
    } else if (type == "thinking") {
      thinking = StringOr(block, "thinking");
    }
    // redacted_thinking, document, ... carry nothing a local model can use: ignored.
  }
  const bool user = role == "user";
  if (user)
    for (auto& t : tool_results) out.push_back(std::move(t));
  if (!text.empty() || !images.empty() || !tool_calls.empty() || !thinking.empty()) {
    json m = {{"role", role}, {"content", text}};
    if (!images.empty()) m["images"] = std::move(images);
    if (!tool_calls.empty()) m["tool_calls"] = std::move(tool_calls);
    if (!thinking.empty()) m["thinking"] = thinking;
    out.push_back(std::move(m));
  }
  if (!user)
    for (auto& t : tool_results) out.push_back(std::move(t));
  return Status::Ok();
}

// Tool messages name the tool whose call they answer (the last call with that id wins).
void NameToolResults(json& messages) {
  for (size_t i = 0; i < messages.size(); ++i) {
    json& m = messages[i];
    if (m.value("role", "") != "tool" || m.value("tool_call_id", "").empty()) continue;
    const std::string id = m["tool_call_id"];
    std::string name;
    for (size_t j = 0; j < i; ++j)
      if (const json* calls = Get(messages[j], "tool_calls"))
        for (const auto& c : *calls)
          if (c.value("id", "") == id) name = c["function"].value("name", "");
    if (!name.empty()) m["tool_name"] = name;
  }
}

// A native tool call → a tool_use content block.
json ToolUse(const json& native_call) {
  const json fn = native_call.value("function", json::object());
  const json* args = Get(fn, "arguments");
  return {{"type", "tool_use"},
          {"id", native_call.value("id", "")},
          {"name", fn.value("name", "")},
          {"input", args && args->is_object() ? *args : json::object()}};
}

json Usage(const json& native, int64_t fallback_input = 0) {
  int64_t input = native.value("prompt_eval_count", int64_t{0});
  if (input == 0) input = fallback_input;
  return {{"input_tokens", input}, {"output_tokens", native.value("eval_count", int64_t{0})}};
}

size_t TextBytes(const json& v) {
  if (v.is_string()) return v.get_ref<const std::string&>().size();
  size_t n = 0;
  if (v.is_array()) {
    for (const auto& x : v) n += TextBytes(x);
  } else if (v.is_object()) {
    for (const char* key : {"text", "thinking", "content", "role", "name", "description"})
      if (const json* x = Get(v, key)) n += TextBytes(*x);
    for (const char* key : {"input", "input_schema"})
      if (const json* x = Get(v, key)) n += x->dump().size();
  }
  return n;
}

}  // namespace

// ---- errors

const char* ErrorType(int http_status) {
  switch (http_status) {
    case 400:
      return "invalid_request_error";
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 429:
      return "rate_limit_error";
    case 503:
    case 529:
      return "overloaded_error";
    default:
      return "api_error";
  }
}

json ErrorObject(int http_status, std::string_view message) {
  return {{"type", "error"},
          {"error", {{"type", ErrorType(http_status)}, {"message", std::string(message)}}}};
}

// ---- request

Status FromMessagesRequest(const json& request, json* native, bool* stream) {
  Fields f(request, "MessagesRequest");
  OLLA_ASSIGN_OR_RETURN(auto model, f.String("model"));
  OLLA_ASSIGN_OR_RETURN(auto max_tokens, f.Int("max_tokens"));
  OLLA_ASSIGN_OR_RETURN(auto stream_flag, f.Bool("stream"));
  const json* messages = f.Raw("messages");
  if (messages && !messages->is_array())
    return f.TypeError("messages", *messages, "[]anthropic.MessageParam");
  if (model.value_or("").empty()) return Status::InvalidArgument("model is required");
  if (max_tokens.value_or(0) <= 0)
    return Status::InvalidArgument("max_tokens is required and must be positive");
  if (!messages || messages->empty()) return Status::InvalidArgument("messages is required");

  json out_messages = json::array();
  if (const json* system = f.Raw("system")) {
    std::string text;
    if (system->is_string()) {
      text = system->get<std::string>();
    } else if (system->is_array()) {
      for (const auto& block : *system)
        if (StringOr(block, "type") == "text") text += StringOr(block, "text");
    }
    if (!text.empty()) out_messages.push_back({{"role", "system"}, {"content", text}});
  }
  for (const auto& m : *messages) OLLA_RETURN_IF_ERROR(ConvertMessage(m, out_messages));
  NameToolResults(out_messages);

  json options = {{"num_predict", *max_tokens}};
  for (const char* key : {"temperature", "top_p"}) {
    OLLA_ASSIGN_OR_RETURN(auto v, f.Number(key));
    if (v) options[key] = *v;
  }
  OLLA_ASSIGN_OR_RETURN(auto top_k, f.Int("top_k"));
  if (top_k) options["top_k"] = *top_k;
  OLLA_ASSIGN_OR_RETURN(auto stop, f.Strings("stop_sequences"));
  if (stop && !stop->empty()) options["stop"] = *stop;

  json out = {{"model", *model},
              {"messages", std::move(out_messages)},
              {"options", std::move(options)},
              {"stream", stream_flag.value_or(false)}};
  if (const json* tools = f.Raw("tools")) {
    if (!tools->is_array()) return f.TypeError("tools", *tools, "[]anthropic.Tool");
    json native_tools = json::array();
    for (const auto& t : *tools) {
      if (!t.is_object()) return Status::InvalidArgument("invalid tool: expected an object");
      const std::string type = StringOr(t, "type");
      if (!type.empty() && type != "custom")
        continue;  // server tools (web_search_*, bash_*, ...) run nowhere here
      json fn = {{"name", StringOr(t, "name")}};
      if (std::string d = StringOr(t, "description"); !d.empty()) fn["description"] = d;
      const json* schema = Get(t, "input_schema");
      if (schema && !schema->is_object())
        return Status::InvalidArgument(
            StrCat("invalid input_schema for tool \"", StringOr(t, "name"), "\""));
      fn["parameters"] =
          schema ? *schema : json{{"type", "object"}, {"properties", json::object()}};
      native_tools.push_back({{"type", "function"}, {"function", std::move(fn)}});
    }
    if (!native_tools.empty()) out["tools"] = std::move(native_tools);
  }
  std::string effort;
  if (const json* oc = f.Raw("output_config"); oc && oc->is_object()) {
    effort = AsciiToLower(StringOr(*oc, "effort"));
    effort.erase(0, effort.find_first_not_of(" \t\r\n"));
    effort.erase(effort.find_last_not_of(" \t\r\n") + 1);
    if (effort == "xhigh") effort = "high";
  }
  const json* thinking = f.Raw("thinking");
  const std::string thinking_type = thinking ? StringOr(*thinking, "type") : "";
  if (thinking_type == "enabled") {
    out["think"] = true;
  } else if (thinking_type == "disabled") {
    out["think"] = false;
  } else if (effort == "low" || effort == "medium" || effort == "high" || effort == "max") {
    out["think"] = effort;
  }
  *stream = stream_flag.value_or(false);
  *native = std::move(out);
  return Status::Ok();
}

int64_t EstimateInputTokens(const json& request) {
  size_t bytes = 0;
  if (const json* system = Get(request, "system")) bytes += TextBytes(*system);
  if (const json* messages = Get(request, "messages")) bytes += TextBytes(*messages);
  if (const json* tools = Get(request, "tools")) bytes += TextBytes(*tools);
  return std::max<int64_t>(1, static_cast<int64_t>(bytes / 4));
}

// ---- responses

json StopReason(std::string_view done_reason, bool has_tool_calls) {
  if (has_tool_calls) return "tool_use";
  if (done_reason == "stop") return "end_turn";
  if (done_reason == "length") return "max_tokens";
  if (done_reason.empty()) return nullptr;
  return "stop_sequence";
}

json ToMessage(const json& native, std::string_view id) {
  const json msg = native.value("message", json::object());
  json content = json::array();
  if (std::string thinking = msg.value("thinking", ""); !thinking.empty())
    content.push_back({{"type", "thinking"}, {"thinking", thinking}, {"signature", ""}});
  if (std::string text = msg.value("content", ""); !text.empty())
    content.push_back({{"type", "text"}, {"text", text}});
  bool has_calls = false;
  if (const json* calls = Get(msg, "tool_calls"); calls && calls->is_array()) {
    for (const auto& c : *calls) content.push_back(ToolUse(c));
    has_calls = !calls->empty();
  }
  return {{"id", std::string(id)},
          {"type", "message"},
          {"role", "assistant"},
          {"model", native.value("model", "")},
          {"content", std::move(content)},
          {"stop_reason", StopReason(native.value("done_reason", ""), has_calls)},
          {"stop_sequence", nullptr},
          {"usage", Usage(native)}};
}

// ---- streaming

void MessagesStream::SwitchBlock(Block next, std::vector<json>& out) {
  if (open_ == next) return;
  if (open_ != Block::kNone) {
    out.push_back({{"type", "content_block_stop"}, {"index", index_}});
    ++index_;
  }
  open_ = next;
  if (next == Block::kNone) return;
  const json block = next == Block::kThinking
                         ? json{{"type", "thinking"}, {"thinking", ""}, {"signature", ""}}
                         : json{{"type", "text"}, {"text", ""}};
  out.push_back({{"type", "content_block_start"}, {"index", index_}, {"content_block", block}});
}

std::vector<json> MessagesStream::Add(const json& native_chunk) {
  std::vector<json> out;
  if (!started_) {
    started_ = true;
    json message = {
        {"id", id_},
        {"type", "message"},
        {"role", "assistant"},
        {"model", model_},
        {"content", json::array()},
        {"stop_reason", nullptr},
        {"stop_sequence", nullptr},
        {"usage",
         {{"input_tokens", native_chunk.value("prompt_eval_count", estimated_input_tokens_)},
          {"output_tokens", 0}}}};
    out.push_back({{"type", "message_start"}, {"message", std::move(message)}});
    out.push_back({{"type", "ping"}});
  }
  const json msg = native_chunk.value("message", json::object());
  if (std::string thinking = msg.value("thinking", ""); !thinking.empty()) {
    SwitchBlock(Block::kThinking, out);
    out.push_back({{"type", "content_block_delta"},
                   {"index", index_},
                   {"delta", {{"type", "thinking_delta"}, {"thinking", thinking}}}});
  }
  if (std::string text = msg.value("content", ""); !text.empty()) {
    SwitchBlock(Block::kText, out);
    out.push_back({{"type", "content_block_delta"},
                   {"index", index_},
                   {"delta", {{"type", "text_delta"}, {"text", text}}}});
  }
  if (const json* calls = Get(msg, "tool_calls"); calls && calls->is_array()) {
    for (const auto& c : *calls) {
      SwitchBlock(Block::kNone, out);
      json block = ToolUse(c);
      const std::string args = DumpGo(block["input"]);
      block["input"] = json::object();
      out.push_back({{"type", "content_block_start"},
                     {"index", index_},
                     {"content_block", std::move(block)}});
      out.push_back({{"type", "content_block_delta"},
                     {"index", index_},
                     {"delta", {{"type", "input_json_delta"}, {"partial_json", args}}}});
      out.push_back({{"type", "content_block_stop"}, {"index", index_}});
      ++index_;
      tool_calls_ = true;
    }
  }
  if (native_chunk.value("done", false)) {
    SwitchBlock(Block::kNone, out);
    out.push_back(
        {{"type", "message_delta"},
         {"delta",
          {{"stop_reason", StopReason(native_chunk.value("done_reason", ""), tool_calls_)},
           {"stop_sequence", nullptr}}},
         {"usage", Usage(native_chunk, estimated_input_tokens_)}});
    out.push_back({{"type", "message_stop"}});
  }
  return out;
}

json MessagesStream::Error(std::string_view message) {
  json e = ErrorObject(500, message);
  return e;
}

}  // namespace olla::api::anthropic
