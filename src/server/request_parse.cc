#include "server/request_parse.h"

#include <algorithm>
#include <cctype>
#include <cstdint>

#include "api/json_order.h"
#include "api/json_request.h"
#include "base/str_cat.h"
#include "runtime/format.h"
#include "server/keep_alive.h"
#include "server/options.h"

namespace olla::server {

using nlohmann::json;

namespace {

constexpr const char* kThinkChoices = R"(("high", "medium", "low", "max", true, or false))";

Status ParseThink(const json* v, chat::ThinkSetting& think) {
  if (v == nullptr) return Status::Ok();
  if (v->is_boolean()) {
    think.is_set = true;
    think.enabled = v->get<bool>();
    return Status::Ok();
  }
  if (!v->is_string())
    return Status::InvalidArgument(StrCat("think must be a boolean or string ", kThinkChoices));
  const std::string s = v->get<std::string>();
  if (s != "high" && s != "medium" && s != "low" && s != "max")
    return Status::InvalidArgument(
        StrCat("invalid think value: \"", s,
               "\" (must be \"high\", \"medium\", \"low\", \"max\", true, or false)"));
  think.is_set = true;
  think.enabled = true;
  think.level = s;
  return Status::Ok();
}

// The `format` object as the client wrote it (key order kept), or "" if the body does not hold
// one.
std::string OrderedFormat(std::string_view raw_body) {
  try {
    const auto body = nlohmann::ordered_json::parse(raw_body);
    if (!body.is_object()) return "";
    const auto it = body.find("format");
    if (it == body.end() || !it->is_object()) return "";
    return it->dump();
  } catch (const nlohmann::json::exception&) {
    return "";
  }
}

// The model's MESSAGE layer (an array of {role, content}, or null) as chat messages.
std::vector<chat::Message> HistoryMessages(const json& messages) {
  std::vector<chat::Message> out;
  if (!messages.is_array()) return out;
  for (const auto& m : messages) {
    if (!m.is_object()) continue;
    chat::Message msg;
    msg.role = m.value("role", "");
    msg.content = m.value("content", "");
    out.push_back(std::move(msg));
  }
  return out;
}

// `ordered`: the same messages with the client's key order (null: none known), where tool-call
// arguments are taken from, so that the template renders them as the client wrote them.
Result<std::vector<chat::Message>> ParseMessages(const json* arr,
                                                 const nlohmann::ordered_json* ordered) {
  std::vector<chat::Message> out;
  if (!arr) return out;
  if (!arr->is_array())
    return Status::InvalidArgument(
        StrCat("json: cannot unmarshal ", api::JsonKindName(*arr),
               " into Go struct field ChatRequest.messages of type []api.Message"));
  for (size_t msg_idx = 0; msg_idx < arr->size(); ++msg_idx) {
    const json& m = (*arr)[msg_idx];
    if (!m.is_object())
      return Status::InvalidArgument("json: cannot unmarshal message: expected an object");
    api::Fields f(m, "Message");
    chat::Message msg;
    OLLA_ASSIGN_OR_RETURN(auto role, f.String("role"));
    OLLA_ASSIGN_OR_RETURN(auto content, f.String("content"));
    OLLA_ASSIGN_OR_RETURN(auto thinking, f.String("thinking"));
    OLLA_ASSIGN_OR_RETURN(auto tool_name, f.String("tool_name"));
    OLLA_ASSIGN_OR_RETURN(auto tool_call_id, f.String("tool_call_id"));
    OLLA_ASSIGN_OR_RETURN(auto images, f.Strings("images"));
    msg.role = role.value_or("");
    for (char& c : msg.role) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    msg.content = content.value_or("");
    msg.thinking = thinking.value_or("");
    msg.tool_name = tool_name.value_or("");
    msg.tool_call_id = tool_call_id.value_or("");
    msg.images = images.value_or(std::vector<std::string>{});
    if (const json* calls = f.Raw("tool_calls"); calls && calls->is_array()) {
      int index = 0;
      const nlohmann::ordered_json* ordered_calls = nullptr;
      if (ordered && ordered->is_array() && msg_idx < ordered->size() &&
          (*ordered)[msg_idx].is_object()) {
        auto it = (*ordered)[msg_idx].find("tool_calls");
        if (it != (*ordered)[msg_idx].end() && it->is_array() && it->size() == calls->size())
          ordered_calls = &*it;
      }
      for (const auto& c : *calls) {
        chat::ToolCall tc;
        tc.id = c.value("id", "");
        const json fn = c.value("function", json::object());
        tc.name = fn.value("name", "");
        tc.index = fn.value("index", index);
        tc.arguments_json = fn.contains("arguments") ? api::DumpGo(fn["arguments"]) : "{}";
        if (ordered_calls && fn.contains("arguments")) {
          const auto& oc = (*ordered_calls)[static_cast<size_t>(index)];
          if (oc.is_object() && oc.contains("function") && oc["function"].is_object() &&
              oc["function"].contains("arguments"))
            tc.arguments_json = oc["function"]["arguments"].dump(
                -1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
        }
        msg.tool_calls.push_back(std::move(tc));
        ++index;
      }
    }
    out.push_back(std::move(msg));
  }
  return out;
}

}  // namespace

std::string FormatJson(const json* format, std::string_view raw_body) {
  if (format == nullptr || format->is_null()) return "";
  std::string text;
  if (format->is_object() && !raw_body.empty()) text = OrderedFormat(raw_body);
  if (text.empty()) text = format->dump(-1, ' ', false, json::error_handler_t::replace);
  return text;
}

Result<OutputRequest> ParseOutputRequest(const json& request, std::string_view go_type,
                                         std::string_view raw_body) {
  api::Fields f(request, std::string(go_type));
  OutputRequest out;
  OLLA_ASSIGN_OR_RETURN(auto top, f.Int("top_logprobs"));
  if (top && (*top < 0 || *top > 20))
    return Status::InvalidArgument("top_logprobs must be between 0 and 20");
  out.top_logprobs = static_cast<int32_t>(top.value_or(0));
  OLLA_ASSIGN_OR_RETURN(auto logprobs, f.Bool("logprobs"));
  out.logprobs = logprobs.value_or(false);
  OLLA_RETURN_IF_ERROR(ParseThink(f.Raw("think"), out.think));
  const std::string format = FormatJson(f.Raw("format"), raw_body);
  if (format.size() > kMaxFormatBytes)
    return Status::InvalidArgument(StrCat("format is too large: ", format.size(),
                                          " bytes of JSON, the limit is ", kMaxFormatBytes));
  OLLA_ASSIGN_OR_RETURN(out.grammar, runtime::CompileFormat(format));
  return out;
}

Result<GenerateRequest> ParseGenerateRequest(const json& j, std::string_view raw_body) {
  api::Fields f(j, "GenerateRequest");
  GenerateRequest r;
  PromptRequest& c = r.common;
  OLLA_ASSIGN_OR_RETURN(auto model, f.String("model"));
  c.model = model.value_or("");
  OLLA_ASSIGN_OR_RETURN(auto prompt, f.String("prompt"));
  r.job.prompt = prompt.value_or("");
  OLLA_ASSIGN_OR_RETURN(auto suffix, f.String("suffix"));
  r.job.suffix = suffix.value_or("");
  OLLA_ASSIGN_OR_RETURN(auto system, f.String("system"));
  r.has_system = system.has_value();
  r.job.system = system.value_or("");
  OLLA_ASSIGN_OR_RETURN(auto tmpl, f.String("template"));
  r.job.template_text = tmpl.value_or("");
  OLLA_ASSIGN_OR_RETURN(auto stream, f.Bool("stream"));
  c.stream = stream.value_or(true);
  OLLA_ASSIGN_OR_RETURN(auto raw, f.Bool("raw"));
  r.job.raw = raw.value_or(false);
  OLLA_ASSIGN_OR_RETURN(auto truncate, f.Bool("truncate"));
  c.truncate = truncate.value_or(true);
  OLLA_ASSIGN_OR_RETURN(c.shift, f.Bool("shift"));
  if (const json* ctx = f.Raw("context")) {
    if (!ctx->is_array()) return f.TypeError("context", *ctx, "[]int");
    for (const auto& t : *ctx) {
      if (!t.is_number_integer()) return f.TypeError("context", t, "int");
      // Token ids are 32-bit: a larger value was silently cut (2^40 became token 0). Ids past
      // the vocabulary are refused by the engine when the tokens are evaluated.
      const bool fits = t.is_number_unsigned()
                            ? t.get<uint64_t>() <= INT32_MAX
                            : t.get<int64_t>() >= 0 && t.get<int64_t>() <= INT32_MAX;
      if (!fits)
        return Status::InvalidArgument(
            StrCat("context holds ", t.dump(), ", which is not a token id"));
      r.job.context.push_back(t.get<int32_t>());
    }
  }
  if (const json* o = f.Raw("options")) {
    if (!o->is_object()) return f.TypeError("options", *o, "map[string]interface {}");
    c.options = *o;
  }
  OLLA_ASSIGN_OR_RETURN(auto top_logprobs, f.Int("top_logprobs"));
  if (top_logprobs && (*top_logprobs < 0 || *top_logprobs > 20))
    return Status::InvalidArgument("top_logprobs must be between 0 and 20");
  OLLA_ASSIGN_OR_RETURN(c.keep_alive, ParseKeepAlive(f.Raw("keep_alive")));
  OLLA_ASSIGN_OR_RETURN(c.output, ParseOutputRequest(j, "GenerateRequest", raw_body));
  if (c.model.empty()) return Status::NotFound("model '' not found");
  return r;
}

Result<ChatRequest> ParseChatRequest(const json& request, std::string_view raw_body) {
  api::Fields f(request, "ChatRequest");
  auto model_name = f.String("model");
  auto stream_flag = f.Bool("stream");
  auto top_logprobs = f.Int("top_logprobs");
  auto truncate_flag = f.Bool("truncate");
  auto shift_flag = f.Bool("shift");
  for (const Status& s : {model_name.status(), stream_flag.status(), top_logprobs.status(),
                          truncate_flag.status(), shift_flag.status()})
    OLLA_RETURN_IF_ERROR(s);
  if (*top_logprobs && (**top_logprobs < 0 || **top_logprobs > 20))
    return Status::InvalidArgument("top_logprobs must be between 0 and 20");
  ChatRequest r;
  PromptRequest& c = r.common;
  c.model = model_name->value_or("");
  if (c.model.empty()) return Status::InvalidArgument("model is required");
  c.stream = stream_flag->value_or(true);
  c.truncate = truncate_flag->value_or(true);
  c.shift = *shift_flag;
  OLLA_ASSIGN_OR_RETURN(c.output, ParseOutputRequest(request, "ChatRequest", raw_body));
  const json* tools = f.Raw("tools");
  const bool has_tools = tools && tools->is_array() && !tools->empty();
  nlohmann::ordered_json ordered;
  const json* messages_json = f.Raw("messages");
  if (messages_json && messages_json->is_array() && messages_json->size() > kMaxChatMessages)
    return Status::InvalidArgument(
        StrCat("too many messages: ", messages_json->size(), ", the limit is ", kMaxChatMessages));
  const bool has_tool_calls =
      messages_json && messages_json->is_array() &&
      std::any_of(messages_json->begin(), messages_json->end(),
                  [](const json& m) { return m.is_object() && m.contains("tool_calls"); });
  if (!raw_body.empty() && (has_tools || has_tool_calls)) {
    ordered =
        nlohmann::ordered_json::parse(api::DumpWithKeyOrderOf(request, raw_body), nullptr, false);
    if (ordered.is_discarded() || !ordered.is_object()) ordered = nullptr;
  }
  const nlohmann::ordered_json* ordered_messages =
      ordered.is_object() && ordered.contains("messages") ? &ordered["messages"] : nullptr;
  OLLA_ASSIGN_OR_RETURN(r.job.messages, ParseMessages(messages_json, ordered_messages));
  OLLA_ASSIGN_OR_RETURN(c.keep_alive, ParseKeepAlive(f.Raw("keep_alive")));
  if (const json* o = f.Raw("options")) c.options = *o;
  if (has_tools) {
    r.job.tools_json = ordered.is_object() && ordered.contains("tools")
                           ? ordered["tools"].dump(-1, ' ', false,
                                                   nlohmann::ordered_json::error_handler_t::replace)
                           : api::DumpGo(*tools);
    if (r.job.tools_json.size() > kMaxToolsBytes)
      return Status::InvalidArgument(StrCat("tools are too large: ", r.job.tools_json.size(),
                                            " bytes of JSON, the limit is ", kMaxToolsBytes));
  }
  return r;
}

namespace {
// A string field of the config blob; "" when absent or not a string.
std::string ConfigString(const json& config, const char* key) {
  if (!config.is_object()) return "";
  auto it = config.find(key);
  return it != config.end() && it->is_string() ? it->get<std::string>() : "";
}
}  // namespace

Result<runtime::PromptJob> MakePromptJob(
    const ServerContext& ctx, const ResolvedModel& model, const PromptRequest& r,
    std::variant<runtime::GenerateJob, runtime::ChatJob> input) {
  runtime::PromptJob job;
  OLLA_ASSIGN_OR_RETURN(job.options,
                        ResolveOptions(model.params, r.options, ctx.config.default_num_ctx));
  job.options.load.kv_type = ctx.config.kv_type;
  job.model = {.name = r.model,
               .full_name = model.name.String(),
               .short_name = model.short_name,
               .path = model.model_path,
               .adapters = model.adapter_paths,
               .template_text = model.template_text,
               .system = model.system,
               .messages = HistoryMessages(model.messages),
               .renderer = ConfigString(model.config, "renderer"),
               .parser = ConfigString(model.config, "parser"),
               .family = ConfigString(model.config, "model_family")};
  job.input = std::move(input);
  job.keep_alive = r.keep_alive;
  job.think = r.output.think;
  job.grammar = r.output.grammar;
  job.logprobs = r.output.logprobs;
  job.top_logprobs = r.output.top_logprobs;
  job.truncate = r.truncate;
  job.shift = r.shift;
  return job;
}

}  // namespace olla::server
