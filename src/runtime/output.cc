#include "runtime/output.h"

#include <algorithm>

#include "base/str_cat.h"
#include "chat/prompt.h"
#include "engine/arch/arch.h"

namespace olla::runtime {

namespace {

// Spec §9.4 item 1 and §9.7 items 5-6: what the config's PARSER and the model family add.
void ApplyBuiltinParser(std::string_view go_template, const gguf::Metadata& md,
                        const BuiltinChatConfig& config, ModelOutputFormat& out) {
  const std::string family =
      config.family.empty() ? md.GetStringOr("general.architecture", "").value() : config.family;
  const bool harmony_family = engine::ArchTraitsFor(family).harmony_template;
  out.family_thinking = harmony_family;
  out.harmony_family_template =
      harmony_family &&
      chat::IsHarmonyTemplate(config.model_template ? *config.model_template : go_template);
  out.harmony = config.parser == "harmony" || out.harmony_family_template;
  // The harmony parser declares tool support, but Ollama's tools check runs before the handler
  // assigns the family's parser, so only an explicit PARSER adds the capability.
  if (config.parser == "harmony") out.supports_tools = true;
}

}  // namespace

ModelOutputFormat ModelOutputFormatFor(std::string_view go_template, const gguf::Metadata& md,
                                       const BuiltinChatConfig& config) {
  ModelOutputFormat out;
  out.tools = chat::ToolCallFormat::FromTag("{");
  if (!go_template.empty()) {
    auto t = chat::GoTemplate::Parse(go_template);
    if (t.ok()) {
      out.thinking = t->InferThinkingTags();
      out.tools = chat::ToolCallFormatForGo(*t);
      out.supports_tools = t->HasVar("tools");
    }
    ApplyBuiltinParser(go_template, md, config, out);
    return out;
  }
  ApplyBuiltinParser(go_template, md, config, out);
  const std::string jinja = md.GetStringOr("tokenizer.chat_template", "").value();
  if (jinja.empty()) return out;
  const chat::TemplateCaps caps = chat::JinjaTemplateCaps(jinja);
  if (caps.thinking) out.thinking = {"<think>", "</think>"};
  out.supports_tools = caps.tools;
  out.tools = chat::ToolCallFormatForJinja(jinja);
  return out;
}

void AddBuiltinCapabilities(const BuiltinChatConfig& config, std::string_view gguf_arch,
                            std::vector<std::string>& caps) {
  auto add = [&caps](const char* cap) {
    if (std::find(caps.begin(), caps.end(), cap) == caps.end()) caps.push_back(cap);
  };
  if (config.parser == "harmony") {
    add("tools");
    add("thinking");
  }
  if (engine::ArchTraitsFor(config.family.empty() ? gguf_arch : config.family).harmony_template)
    add("thinking");
}

Status ResolveThink(const ModelOutputFormat& format, std::string_view model_name,
                    chat::ThinkSetting& think) {
  if (format.harmony_family_template && think.level == "max") think.level = "high";
  if (!think.is_set) {
    think.enabled = think.is_set = format.supports_thinking();
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
  if (thinking && format.has_thinking_tags())
    thinking_ = std::make_unique<chat::ThinkingParser>(format.thinking.open, format.thinking.close,
                                                       start_inside);
  if (!tool_names.empty())
    tools_ = std::make_unique<chat::ToolCallParser>(format.tools, std::move(tool_names));
}

OutputShaper::OutputShaper(std::unique_ptr<chat::HarmonyParser> harmony)
    : harmony_(std::move(harmony)) {}

void OutputShaper::AddCalls(std::vector<chat::ToolCall>& calls, OutputPart& out) {
  for (auto& c : calls) {
    c.id = chat::NewToolCallId();
    out.tool_calls.push_back(std::move(c));
  }
}

void OutputShaper::Feed(std::string_view content, OutputPart& out) {
  if (!tools_) {
    out.content += content;
    return;
  }
  chat::ToolCallOutput r = content.empty() ? chat::ToolCallOutput{} : tools_->Add(content);
  out.content += r.content;
  AddCalls(r.calls, out);
}

OutputPart OutputShaper::Add(const Chunk& chunk) {
  OutputPart out;
  out.logprobs.assign(chunk.logprobs.begin(), chunk.logprobs.end());
  if (harmony_) {
    chat::HarmonyOutput h = harmony_->Add(chunk.text);
    out.content = std::move(h.content);
    out.thinking = std::move(h.thinking);
    return out;
  }
  if (!thinking_) {
    Feed(chunk.text, out);
    return out;
  }
  chat::ThinkingOutput t = thinking_->Add(chunk.text);
  out.thinking = std::move(t.thinking);
  Feed(t.content, out);
  return out;
}

Result<OutputPart> OutputShaper::Flush() {
  OutputPart out;
  if (harmony_) {
    OLLA_ASSIGN_OR_RETURN(chat::HarmonyOutput h, harmony_->Finish());
    out.content = std::move(h.content);
    out.thinking = std::move(h.thinking);
    AddCalls(h.calls, out);
    return out;
  }
  if (thinking_) {
    chat::ThinkingOutput t = thinking_->Flush();
    out.thinking = std::move(t.thinking);
    Feed(t.content, out);
  }
  if (tools_) {
    chat::ToolCallOutput r = tools_->Flush();
    out.content += r.content;
    AddCalls(r.calls, out);
  }
  return out;
}

}  // namespace olla::runtime
