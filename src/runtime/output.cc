#include "server/output.h"

#include <nlohmann/json.hpp>

#include "api/json_request.h"
#include "base/str_cat.h"
#include "chat/prompt.h"
#include "server/format.h"

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
  if (!v->is_string()) return Status::InvalidArgument(StrCat("think must be a boolean or string ", kThinkChoices));
  const std::string s = v->get<std::string>();
  if (s != "high" && s != "medium" && s != "low" && s != "max")
    return Status::InvalidArgument(StrCat("invalid think value: \"", s, "\" (must be \"high\", \"medium\", \"low\", \"max\", true, or false)"));
  think.is_set = true;
  think.enabled = true;
  think.level = s;
  return Status::Ok();
}

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

Result<OutputRequest> ParseOutputRequest(const json& request, std::string_view go_type, std::string_view raw_body) {
  api::Fields f(request, std::string(go_type));
  OutputRequest out;
  OLLA_ASSIGN_OR_RETURN(auto top, f.Int("top_logprobs"));
  if (top && (*top < 0 || *top > 20)) return Status::InvalidArgument("top_logprobs must be between 0 and 20");
  out.top_logprobs = static_cast<int32_t>(top.value_or(0));
  OLLA_ASSIGN_OR_RETURN(auto logprobs, f.Bool("logprobs"));
  out.logprobs = logprobs.value_or(false);
  OLLA_RETURN_IF_ERROR(ParseThink(f.Raw("think"), out.think));
  OLLA_ASSIGN_OR_RETURN(out.grammar, ParseFormat(f.Raw("format"), raw_body));
  return out;
}

ModelOutputFormat ModelOutputFormatFor(std::string_view go_template, const gguf::Metadata& md) {
  ModelOutputFormat out;
  out.tools = chat::ToolCallFormat::FromTag("{");
  if (!go_template.empty()) {
    auto t = chat::GoTemplate::Parse(go_template);
    if (t.ok()) {
      out.thinking = t->InferThinkingTags();
      out.tools = chat::ToolCallFormatForGo(*t);
      out.supports_tools = t->HasVar("tools");
    }
    return out;
  }
  const std::string jinja = md.GetStringOr("tokenizer.chat_template", "").value();
  if (jinja.empty()) return out;
  const chat::TemplateCaps caps = chat::JinjaTemplateCaps(jinja);
  if (caps.thinking) out.thinking = {"<think>", "</think>"};
  out.supports_tools = caps.tools;
  out.tools = chat::ToolCallFormatForJinja(jinja);
  return out;
}

std::vector<std::string> TemplateCapabilities(std::string_view go_template, const gguf::Metadata& md,
                                              const std::string& base) {
  std::vector<std::string> caps;
  if (!go_template.empty()) {
    caps.push_back(base);
    auto t = chat::GoTemplate::Parse(go_template);
    if (!t.ok()) return caps;
    const chat::TemplateCaps tc = chat::GoTemplateCaps(*t);
    if (tc.tools) caps.push_back("tools");
    if (t->HasVar("suffix")) caps.push_back("insert");
    if (tc.thinking) caps.push_back("thinking");
    return caps;
  }
  const std::string jinja = md.GetStringOr("tokenizer.chat_template", "").value();
  if (!jinja.empty()) {
    const chat::TemplateCaps tc = chat::JinjaTemplateCaps(jinja);
    if (tc.tools) caps.push_back("tools");
    if (tc.thinking) caps.push_back("thinking");
  }
  caps.push_back(base);
  return caps;
}

Status ResolveThink(const ModelOutputFormat& format, std::string_view model_name, chat::ThinkSetting& think) {
  if (!think.is_set) {
    think.enabled = format.supports_thinking();
    return Status::Ok();
  }
  if (think.enabled && !format.supports_thinking())
    return Status::InvalidArgument(StrCat("\"", model_name, "\" does not support thinking"));
  return Status::Ok();
}

void OutputPart::Append(OutputPart other) {
  content += other.content;
  thinking += other.thinking;
  for (auto& c : other.tool_calls) tool_calls.push_back(std::move(c));
  for (auto& l : other.logprobs) logprobs.push_back(std::move(l));
}

OutputShaper::OutputShaper(const ModelOutputFormat& format, bool thinking, bool start_inside,
                           std::vector<std::string> tool_names) {
  if (thinking && format.supports_thinking())
    thinking_ = std::make_unique<chat::ThinkingParser>(format.thinking.open, format.thinking.close, start_inside);
  if (!tool_names.empty()) tools_ = std::make_unique<chat::ToolCallParser>(format.tools, std::move(tool_names));
}

void OutputShaper::Feed(std::string_view content, OutputPart& out) {
  if (!tools_) {
    out.content += content;
    return;
  }
  chat::ToolCallOutput r = content.empty() ? chat::ToolCallOutput{} : tools_->Add(content);
  out.content += r.content;
  for (auto& c : r.calls) {
    c.id = chat::NewToolCallId();
    out.tool_calls.push_back(std::move(c));
  }
}

OutputPart OutputShaper::Add(const runtime::Chunk& chunk) {
  OutputPart out;
  out.logprobs.assign(chunk.logprobs.begin(), chunk.logprobs.end());
  if (!thinking_) {
    Feed(chunk.text, out);
    return out;
  }
  chat::ThinkingOutput t = thinking_->Add(chunk.text);
  out.thinking = std::move(t.thinking);
  Feed(t.content, out);
  return out;
}

OutputPart OutputShaper::Flush() {
  OutputPart out;
  if (thinking_) {
    chat::ThinkingOutput t = thinking_->Flush();
    out.thinking = std::move(t.thinking);
    Feed(t.content, out);
  }
  if (tools_) {
    chat::ToolCallOutput r = tools_->Flush();
    out.content += r.content;
    for (auto& c : r.calls) {
      c.id = chat::NewToolCallId();
      out.tool_calls.push_back(std::move(c));
    }
  }
  return out;
}

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
      calls.push_back({{"id", c.id}, {"function", {{"index", c.index}, {"name", c.name}, {"arguments", std::move(args)}}}});
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
