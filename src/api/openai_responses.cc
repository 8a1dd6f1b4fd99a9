#include "api/openai_responses.h"

#include <nlohmann/json.hpp>

#include "api/json_request.h"
#include "api/openai.h"
#include "base/str_cat.h"

namespace olla::api::openai {

using nlohmann::json;

namespace {

std::string Str(const json& obj, const char* key) {
  if (!obj.is_object()) return "";
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : "";
}

const json* Get(const json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}

// A message's content (string or parts) → text and images.
Status ReadContent(const json& content, std::string* text, json* images) {
  if (content.is_string()) {
    *text = content.get<std::string>();
    return Status::Ok();
  }
  if (!content.is_array()) return Status::InvalidArgument("invalid message content");
  for (size_t i = 0; i < content.size(); ++i) {
    const json& part = content[i];
    const std::string type = Str(part, "type");
    if (type == "input_text" || type == "output_text" || type == "text") {
      *text += Str(part, "text");
    } else if (type == "input_image") {
      const std::string url = Str(part, "image_url");
      if (url.empty()) continue;  // file_id images are not supported and ignored
      OLLA_ASSIGN_OR_RETURN(std::string data, ImageFromUrl(url));
      images->push_back(std::move(data));
    } else if (type == "input_file") {
      return Status::InvalidArgument("file inputs are not currently supported");
    } else {
      return Status::InvalidArgument(StrCat("content[", i, "]: unknown content type: ", type));
    }
  }
  return Status::Ok();
}

// Responses tools → native tools; namespaces flatten to "<ns>.<name>"; web_search is dropped.
void AddTools(const json& tools, const std::string& prefix, json& out) {
  if (!tools.is_array()) return;
  for (const auto& t : tools) {
    const std::string type = Str(t, "type");
    if (type == "function") {
      json fn = {{"name", prefix + Str(t, "name")}};
      if (const json* d = Get(t, "description")) fn["description"] = *d;
      if (const json* p = Get(t, "parameters")) fn["parameters"] = *p;
      out.push_back({{"type", "function"}, {"function", std::move(fn)}});
    } else if (type == "namespace") {
      AddTools(t.value("tools", json::array()), prefix + Str(t, "name") + ".", out);
    }
  }
}

// Input items → native messages (§4.6 "Input items").
Result<json> InputMessages(const json& input) {
  json out = json::array();
  if (input.is_string()) {
    out.push_back({{"role", "user"}, {"content", input}});
    return out;
  }
  if (!input.is_array()) return Status::InvalidArgument("invalid input");
  std::string pending_thinking;  // a reasoning item's text goes to the next assistant message
  for (size_t i = 0; i < input.size(); ++i) {
    const json& item = input[i];
    std::string type = Str(item, "type");
    if (type.empty() && !Str(item, "role").empty()) type = "message";
    if (type.empty())
      return Status::InvalidArgument(
          StrCat("input[", i, "]: input item missing required 'type' field"));
    if (type == "message") {
      json msg = {{"role", Str(item, "role")}, {"content", ""}};
      std::string text;
      json images = json::array();
      if (const json* c = Get(item, "content"))
        OLLA_RETURN_IF_ERROR(ReadContent(*c, &text, &images));
      msg["content"] = text;
      if (!images.empty()) msg["images"] = std::move(images);
      if (msg["role"] == "assistant" && !pending_thinking.empty()) {
        msg["thinking"] = pending_thinking;
        pending_thinking.clear();
      }
      out.push_back(std::move(msg));
    } else if (type == "function_call") {
      json args = json::parse(Str(item, "arguments"), nullptr, false);
      if (args.is_discarded() || !args.is_object())
        return Status::InvalidArgument(
            StrCat("failed to parse function call arguments: invalid JSON in input[", i, "]"));
      // Calls join the preceding assistant message, or start one.
      if (out.empty() || out.back().value("role", "") != "assistant")
        out.push_back({{"role", "assistant"}, {"content", ""}});
      json& msg = out.back();
      if (!pending_thinking.empty()) {
        msg["thinking"] = pending_thinking;
        pending_thinking.clear();
      }
      json& calls = msg["tool_calls"];
      if (!calls.is_array()) calls = json::array();
      calls.push_back(
          {{"id", Str(item, "call_id")},
           {"function",
            {{"index", calls.size()}, {"name", Str(item, "name")}, {"arguments", args}}}});
    } else if (type == "function_call_output") {
      std::string text;
      json images = json::array();
      if (const json* o = Get(item, "output"))
        OLLA_RETURN_IF_ERROR(ReadContent(*o, &text, &images));
      json msg = {{"role", "tool"}, {"content", text}, {"tool_call_id", Str(item, "call_id")}};
      for (const auto& prev : out)  // the name of the call this answers
        if (prev.contains("tool_calls"))
          for (const auto& tc : prev["tool_calls"])
            if (tc.value("id", "") == Str(item, "call_id"))
              msg["tool_name"] = tc["function"].value("name", "");
      out.push_back(std::move(msg));
    } else if (type == "reasoning") {
      pending_thinking = Str(item, "encrypted_content");
    } else if (type == "web_search_call") {
      continue;
    } else {
      return Status::InvalidArgument(
          StrCat("input[", i, "]: unknown input item type: \"", type, "\""));
    }
  }
  return out;
}

json UsageOf(int64_t in, int64_t out) {
  return {{"input_tokens", in},
          {"output_tokens", out},
          {"total_tokens", in + out},
          {"input_tokens_details", {{"cached_tokens", 0}}},
          {"output_tokens_details", {{"reasoning_tokens", 0}}}};
}

// The response object with the request's echoes; `output` and `usage` filled by the caller.
json ResponseSkeleton(const json& req, std::string_view id, int64_t created_at,
                      const char* status) {
  auto echo = [&](const char* key, json fallback) {
    const json* v = Get(req, key);
    return v ? *v : fallback;
  };
  json text = {{"format", {{"type", "text"}}}};
  if (const json* t = Get(req, "text"); t && t->is_object() && Get(*t, "format"))
    text = {{"format", (*t)["format"]}};
  json reasoning = nullptr;
  if (const json* r = Get(req, "reasoning"); r && r->is_object())
    reasoning = {{"effort", r->value("effort", json(nullptr))},
                 {"summary", r->value("summary", json(nullptr))}};
  return {{"id", std::string(id)},
          {"object", "response"},
          {"created_at", created_at},
          {"completed_at", nullptr},
          {"status", status},
          {"incomplete_details", nullptr},
          {"model", Str(req, "model")},
          {"previous_response_id", nullptr},
          {"instructions", echo("instructions", nullptr)},
          {"output", json::array()},
          {"error", nullptr},
          {"tools", echo("tools", json::array())},
          {"tool_choice", "auto"},
          {"truncation", echo("truncation", "disabled")},
          {"parallel_tool_calls", true},
          {"text", std::move(text)},
          {"top_p", echo("top_p", 1.0)},
          {"presence_penalty", 0},
          {"frequency_penalty", 0},
          {"top_logprobs", 0},
          {"temperature", echo("temperature", 1.0)},
          {"reasoning", std::move(reasoning)},
          {"usage", nullptr},
          {"max_output_tokens", echo("max_output_tokens", nullptr)},
          {"max_tool_calls", nullptr},
          {"store", false},
          {"background", echo("background", false)},
          {"service_tier", "default"},
          {"metadata", json::object()},
          {"safety_identifier", nullptr},
          {"prompt_cache_key", nullptr}};
}

json ReasoningItem(std::string_view resp_id, const std::string& thinking) {
  return {{"id", StrCat("rs_", resp_id)},
          {"type", "reasoning"},
          {"summary", json::array({{{"type", "summary_text"}, {"text", thinking}}})},
          {"encrypted_content", thinking}};
}

json FunctionCallItem(std::string_view resp_id, size_t i, const json& native_call) {
  const json fn = native_call.value("function", json::object());
  return {{"id", StrCat("fc_", resp_id, "_", i)},
          {"type", "function_call"},
          {"status", "completed"},
          {"call_id", native_call.value("id", "")},
          {"name", fn.value("name", "")},
          {"arguments", DumpGo(fn.contains("arguments") ? fn["arguments"] : json::object())}};
}

json TextPart(const std::string& text) {
  return {{"type", "output_text"},
          {"text", text},
          {"annotations", json::array()},
          {"logprobs", json::array()}};
}

json MessageItem(std::string_view msg_id, const char* status, json content) {
  return {{"id", std::string(msg_id)},
          {"type", "message"},
          {"status", status},
          {"role", "assistant"},
          {"content", std::move(content)}};
}

std::string MessageId(std::string_view resp_id) {
  return StrCat(
      "msg_",
      resp_id.substr(resp_id.find('_') == std::string_view::npos ? 0 : resp_id.find('_') + 1));
}

}  // namespace

Status FromResponsesRequest(const json& request, json* native, StreamOptions* stream) {
  Fields f(request, "ResponsesRequest");
  OLLA_ASSIGN_OR_RETURN(auto model, f.String("model"));
  OLLA_ASSIGN_OR_RETURN(auto s, f.Bool("stream"));
  stream->stream = s.value_or(false);
  stream->include_usage = false;
  json messages = json::array();
  OLLA_ASSIGN_OR_RETURN(auto instructions, f.String("instructions"));
  if (instructions && !instructions->empty())
    messages.push_back({{"role", "system"}, {"content", *instructions}});
  if (const json* input = f.Raw("input")) {
    OLLA_ASSIGN_OR_RETURN(json items, InputMessages(*input));
    for (auto& m : items) messages.push_back(std::move(m));
  }
  json options = json::object();
  OLLA_ASSIGN_OR_RETURN(auto temperature, f.Number("temperature"));
  options["temperature"] = temperature.value_or(1.0);
  OLLA_ASSIGN_OR_RETURN(auto top_p, f.Number("top_p"));
  if (top_p) options["top_p"] = *top_p;
  OLLA_ASSIGN_OR_RETURN(auto max_output, f.Int("max_output_tokens"));
  if (max_output) options["num_predict"] = *max_output;
  OLLA_RETURN_IF_ERROR(MergeNativeOptions(request, options));
  json out = {{"model", model.value_or("")},
              {"messages", std::move(messages)},
              {"options", std::move(options)},
              {"stream", stream->stream}};
  json tools = json::array();
  if (const json* t = f.Raw("tools")) AddTools(*t, "", tools);
  if (!tools.empty()) out["tools"] = std::move(tools);
  if (const json* r = f.Raw("reasoning"); r && r->is_object()) {
    OLLA_ASSIGN_OR_RETURN(json think, ThinkFromEffort(Str(*r, "effort")));
    if (!think.is_null()) out["think"] = think;
  }
  if (const json* t = f.Raw("text"); t && t->is_object()) {
    if (const json* fmt = Get(*t, "format"); fmt && fmt->is_object()) {
      if (Str(*fmt, "type") == "json_schema" && Get(*fmt, "schema"))
        out["format"] = (*fmt)["schema"];
      if (Str(*fmt, "type") == "json_object") out["format"] = "json";
    }
  }
  *native = std::move(out);
  return Status::Ok();
}

json ToResponse(const json& request, const json& native, std::string_view id, int64_t created_at,
                int64_t completed_at) {
  json r = ResponseSkeleton(request, id, created_at, "completed");
  r["completed_at"] = completed_at;
  const json msg = native.value("message", json::object());
  json output = json::array();
  if (std::string thinking = msg.value("thinking", ""); !thinking.empty())
    output.push_back(ReasoningItem(id, thinking));
  const json calls = msg.value("tool_calls", json::array());
  if (calls.is_array() && !calls.empty()) {
    for (size_t i = 0; i < calls.size(); ++i) output.push_back(FunctionCallItem(id, i, calls[i]));
  } else {
    output.push_back(
        MessageItem(MessageId(id), "completed", json::array({TextPart(msg.value("content", ""))})));
  }
  r["output"] = std::move(output);
  r["usage"] = UsageOf(native.value("prompt_eval_count", 0), native.value("eval_count", 0));
  return r;
}

// ---- streaming

struct ResponsesStream::State {
  json request;
  std::string id;
  std::function<int64_t()> now;
  int64_t created_at = 0;
  int64_t seq = 0;
  json output = json::array();  // completed items, in order
  std::string thinking, text;
  bool thinking_open = false, text_open = false;
  size_t thinking_index = 0, text_index = 0, n_calls = 0;
  int64_t input_tokens = 0, output_tokens = 0;

  json Event(const char* type, json fields) {
    fields["type"] = type;
    fields["sequence_number"] = seq++;
    return fields;
  }
  size_t NextIndex() const { return output.size() + (thinking_open ? 1 : 0) + (text_open ? 1 : 0); }
  void CloseThinking(std::vector<json>& ev) {
    if (!thinking_open) return;
    thinking_open = false;
    const std::string item_id = StrCat("rs_", id);
    ev.push_back(Event("response.reasoning_summary_text.done", {{"item_id", item_id},
                                                                {"output_index", thinking_index},
                                                                {"summary_index", 0},
                                                                {"text", thinking}}));
    json item = ReasoningItem(id, thinking);
    ev.push_back(
        Event("response.output_item.done", {{"output_index", thinking_index}, {"item", item}}));
    output.push_back(std::move(item));
  }
  void CloseText(std::vector<json>& ev) {
    if (!text_open) return;
    text_open = false;
    const std::string item_id = MessageId(id);
    const json where = {{"item_id", item_id}, {"output_index", text_index}, {"content_index", 0}};
    json done = where;
    done["text"] = text;
    done["logprobs"] = json::array();
    ev.push_back(Event("response.output_text.done", std::move(done)));
    json part = where;
    part["part"] = TextPart(text);
    ev.push_back(Event("response.content_part.done", std::move(part)));
    json item = MessageItem(item_id, "completed", json::array({TextPart(text)}));
    ev.push_back(
        Event("response.output_item.done", {{"output_index", text_index}, {"item", item}}));
    output.push_back(std::move(item));
  }
  json Response(const char* status) const {
    json r = ResponseSkeleton(request, id, created_at, status);
    return r;
  }
};

ResponsesStream::ResponsesStream(const json& request, std::string id, std::function<int64_t()> now)
    : s_(std::make_unique<State>()) {
  s_->request = request;
  s_->id = std::move(id);
  s_->now = std::move(now);
  s_->created_at = s_->now();
}

ResponsesStream::~ResponsesStream() = default;

std::vector<json> ResponsesStream::Start() {
  std::vector<json> ev;
  ev.push_back(s_->Event("response.created", {{"response", s_->Response("in_progress")}}));
  ev.push_back(s_->Event("response.in_progress", {{"response", s_->Response("in_progress")}}));
  return ev;
}

std::vector<json> ResponsesStream::Add(const json& native) {
  State& s = *s_;
  std::vector<json> ev;
  const json msg = native.value("message", json::object());
  const std::string thinking = msg.value("thinking", ""), content = msg.value("content", "");
  if (native.value("done", false)) {
    s.input_tokens = native.value("prompt_eval_count", 0);
    s.output_tokens = native.value("eval_count", 0);
  }
  if (!thinking.empty()) {
    if (!s.thinking_open) {
      s.thinking_open = true;
      s.thinking_index = s.output.size();
      json item = {{"id", StrCat("rs_", s.id)}, {"type", "reasoning"}, {"summary", json::array()}};
      ev.push_back(s.Event("response.output_item.added",
                           {{"output_index", s.thinking_index}, {"item", item}}));
    }
    s.thinking += thinking;
    ev.push_back(
        s.Event("response.reasoning_summary_text.delta", {{"item_id", StrCat("rs_", s.id)},
                                                          {"output_index", s.thinking_index},
                                                          {"summary_index", 0},
                                                          {"delta", thinking}}));
  }
  const json calls = msg.value("tool_calls", json::array());
  if (!content.empty() || (calls.is_array() && !calls.empty())) s.CloseThinking(ev);
  if (!content.empty()) {
    const std::string item_id = MessageId(s.id);
    if (!s.text_open) {
      s.text_open = true;
      s.text_index = s.NextIndex() - 1;
      ev.push_back(s.Event("response.output_item.added",
                           {{"output_index", s.text_index},
                            {"item", MessageItem(item_id, "in_progress", json::array())}}));
      ev.push_back(s.Event("response.content_part.added", {{"item_id", item_id},
                                                           {"output_index", s.text_index},
                                                           {"content_index", 0},
                                                           {"part", TextPart("")}}));
    }
    s.text += content;
    ev.push_back(s.Event("response.output_text.delta", {{"item_id", item_id},
                                                        {"output_index", s.text_index},
                                                        {"content_index", 0},
                                                        {"delta", content},
                                                        {"logprobs", json::array()}}));
  }
  if (calls.is_array()) {
    for (const auto& call : calls) {
      json item = FunctionCallItem(s.id, s.n_calls++, call);
      const size_t index = s.NextIndex();
      json added = item;
      added["status"] = "in_progress";
      added["arguments"] = "";
      ev.push_back(
          s.Event("response.output_item.added", {{"output_index", index}, {"item", added}}));
      ev.push_back(s.Event(
          "response.function_call_arguments.delta",
          {{"item_id", item["id"]}, {"output_index", index}, {"delta", item["arguments"]}}));
      ev.push_back(
          s.Event("response.function_call_arguments.done", {{"item_id", item["id"]},
                                                            {"output_index", index},
                                                            {"name", item["name"]},
                                                            {"arguments", item["arguments"]}}));
      ev.push_back(s.Event("response.output_item.done", {{"output_index", index}, {"item", item}}));
      s.output.push_back(std::move(item));
    }
  }
  return ev;
}

std::vector<json> ResponsesStream::Finish() {
  State& s = *s_;
  std::vector<json> ev;
  s.CloseThinking(ev);
  s.CloseText(ev);
  json r = s.Response("completed");
  r["completed_at"] = s.now();
  r["output"] = s.output;
  r["usage"] = UsageOf(s.input_tokens, s.output_tokens);
  ev.push_back(s.Event("response.completed", {{"response", std::move(r)}}));
  return ev;
}

json ResponsesStream::Error(std::string_view message) {
  json r = s_->Response("failed");
  r["output"] = s_->output;
  r["error"] = {{"code", "server_error"}, {"message", std::string(message)}};
  return s_->Event("response.failed", {{"response", std::move(r)}});
}

}  // namespace olla::api::openai
