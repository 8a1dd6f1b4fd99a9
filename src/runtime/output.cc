#include "runtime/output.h"

#include "base/str_cat.h"
#include "chat/prompt.h"

namespace olla::runtime {

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

Status ResolveThink(const ModelOutputFormat& format, std::string_view model_name,
                    chat::ThinkSetting& think) {
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
    thinking_ = std::make_unique<chat::ThinkingParser>(format.thinking.open, format.thinking.close,
                                                       start_inside);
  if (!tool_names.empty())
    tools_ = std::make_unique<chat::ToolCallParser>(format.tools, std::move(tool_names));
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

OutputPart OutputShaper::Add(const Chunk& chunk) {
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

}  // namespace olla::runtime
