#include "chat/prompt.h"

#include <nlohmann/json.hpp>

#include "base/str_cat.h"
#include "chat/go/go_data.h"

namespace olla::chat {
namespace {

using Json = nlohmann::ordered_json;

std::shared_ptr<MapData> Root() {
  auto m = std::make_shared<MapData>();
  m->ordered = false;  // a Go map[string]any
  return m;
}

void SetThink(MapData& root, const ThinkSetting& think) {
  root.Set("Think", Value(think.enabled));
  root.Set("ThinkLevel", Value::Str(think.ThinkLevel(), true));
  root.Set("IsThinkSet", Value(think.is_set));
}

Result<RenderedPrompt> RenderTurn(const GoTemplate& tmpl, const std::string& system,
                                  const std::string& prompt, const std::string& response,
                                  const ThinkSetting& think, const GoExecOptions& opts) {
  auto root = Root();
  root->Set("System", Value::Str(system, true));
  root->Set("Prompt", Value::Str(prompt, true));
  root->Set("Response", Value::Str(response, true));
  SetThink(*root, think);
  return tmpl.Execute(Value::Map(std::move(root)), opts);
}

// Legacy mode (§9.2 mode 3), as Ollama's Template.Execute does it.
Result<RenderedPrompt> RenderLegacy(const GoTemplate& tmpl, const std::vector<Message>& messages,
                                    const ThinkSetting& think, const GoExecOptions& opts) {
  RenderedPrompt out;
  std::string system, prompt, response;
  auto flush = [&]() -> Status {
    OLLA_ASSIGN_OR_RETURN(RenderedPrompt turn,
                          RenderTurn(tmpl, system, prompt, response, think, opts));
    out.Append(turn);
    system.clear();
    prompt.clear();
    response.clear();
    return Status::Ok();
  };
  for (const Message& m : messages) {
    if (m.role == "system") {
      if (!prompt.empty() || !response.empty()) OLLA_RETURN_IF_ERROR(flush());
      system = m.content;
    } else if (m.role == "user") {
      if (!response.empty()) OLLA_RETURN_IF_ERROR(flush());
      prompt = m.content;
    } else if (m.role == "assistant") {
      response = m.content;
    }
  }
  OLLA_ASSIGN_OR_RETURN(RenderedPrompt last, RenderTurn(tmpl.TruncatedAfterResponse(), system,
                                                        prompt, response, think, opts));
  out.Append(last);
  return out;
}

Result<Value> JsonArgs(const ToolCall& tc) {
  Json args = Json::parse(tc.arguments_json.empty() ? std::string("{}") : tc.arguments_json,
                          nullptr, false);
  if (args.is_discarded() || !args.is_object()) {
    return Status::InvalidArgument(
        StrCat("tool call '", tc.name, "': arguments are not a JSON object"));
  }
  return ValueFromJson(args, true);
}

bool Contains(std::string_view s, std::string_view x) {
  return s.find(x) != std::string_view::npos;
}

}  // namespace

Collated CollateMessages(const std::vector<Message>& messages) {
  Collated out;
  std::vector<std::string> systems;
  for (const Message& m : messages) {
    if (m.role == "system") systems.push_back(m.content);
    if (!out.messages.empty() && out.messages.back().role == m.role && m.role != "tool") {
      out.messages.back().content += "\n\n" + m.content;
    } else {
      out.messages.push_back(m);
    }
  }
  for (size_t i = 0; i < systems.size(); ++i) out.system += (i > 0 ? "\n\n" : "") + systems[i];
  return out;
}

std::vector<Message> AssembleChatMessages(const std::string& model_system,
                                          const std::vector<Message>& model_messages,
                                          const std::vector<Message>& request_messages) {
  std::vector<Message> out;
  bool first_is_system = !request_messages.empty() && request_messages.front().role == "system";
  if (!first_is_system && !model_system.empty())
    out.push_back(Message{.role = "system", .content = model_system});
  out.insert(out.end(), model_messages.begin(), model_messages.end());
  out.insert(out.end(), request_messages.begin(), request_messages.end());
  return out;
}

void StripOldThinking(std::vector<Message>& messages) {
  size_t last_user = messages.size();
  for (size_t i = 0; i < messages.size(); ++i) {
    if (messages[i].role == "user") last_user = i;
  }
  for (size_t i = 0; i < last_user && last_user < messages.size(); ++i) {
    if (messages[i].role != "assistant") continue;
    std::string& c = messages[i].content;
    std::string out;
    size_t pos = 0;
    while (true) {
      size_t open = c.find("<think>", pos);
      size_t close = open == std::string::npos ? std::string::npos : c.find("</think>", open + 7);
      if (close == std::string::npos) break;
      out.append(c, pos, open - pos);
      pos = close + 8;
      while (pos < c.size() && c[pos] == '\n') ++pos;
    }
    out.append(c, pos, std::string::npos);
    c = std::move(out);
  }
}

int AddImageMarkers(std::vector<Message>& messages, int first_id) {
  int id = first_id;
  for (Message& m : messages) {
    std::string prefix;
    for (size_t i = 0; i < m.images.size(); ++i, ++id) {
      std::string tag = StrCat("[img-", id, "]");
      size_t p = m.content.find("[img]");
      if (p == std::string::npos) {
        prefix += tag;
      } else {
        m.content = m.content.substr(0, p) + tag + m.content.substr(p + 5);
      }
    }
    m.content = prefix + m.content;
  }
  return id - first_id;
}

Result<RenderedPrompt> RenderGoChat(const GoTemplate& tmpl, const GoChatInput& in,
                                    const GoExecOptions& opts) {
  Collated c = CollateMessages(in.messages);
  if (!tmpl.HasVar("messages") && !tmpl.HasVar("document"))
    return RenderLegacy(tmpl, c.messages, in.think, opts);
  std::vector<Value> msgs;
  for (const Message& m : c.messages) {
    OLLA_ASSIGN_OR_RETURN(Value v, GoMessageValue(m));
    msgs.push_back(std::move(v));
  }
  OLLA_ASSIGN_OR_RETURN(Value tools, GoToolsValue(in.tools_json));
  auto root = Root();
  root->Set("System", Value::Str(c.system, true));
  root->Set("Messages", Value::List(std::move(msgs)));
  root->Set("Tools", std::move(tools));
  root->Set("Response", Value::Str("", true));
  SetThink(*root, in.think);
  return tmpl.Execute(Value::Map(std::move(root)), opts);
}

std::vector<Message> GenerateMessages(const GenerateInput& in) {
  std::vector<Message> msgs;
  const std::string& system = !in.system.empty() ? in.system : in.model_system;
  if (!system.empty()) msgs.push_back(Message{.role = "system", .content = system});
  if (!in.has_context) msgs.insert(msgs.end(), in.model_messages.begin(), in.model_messages.end());
  Message user{.role = "user", .content = in.prompt};
  user.images.resize(static_cast<size_t>(std::max(0, in.image_count)));
  std::vector<Message> one{std::move(user)};
  AddImageMarkers(one);
  one[0].images.clear();
  msgs.push_back(std::move(one[0]));
  return msgs;
}

Result<RenderedPrompt> RenderGoGenerate(const GoTemplate& tmpl, const GenerateInput& in,
                                        const GoExecOptions& opts) {
  if (!in.suffix.empty()) {
    if (in.prompt.empty()) return RenderGoChat(tmpl, GoChatInput{{}, "", in.think}, opts);
    auto root = Root();
    root->Set("Prompt", Value::Str(in.prompt, true));
    root->Set("Suffix", Value::Str(in.suffix, true));
    root->Set("Response", Value::Str("", true));
    SetThink(*root, in.think);
    return tmpl.Execute(Value::Map(std::move(root)), opts);
  }
  return RenderGoChat(tmpl, GoChatInput{GenerateMessages(in), "", in.think}, opts);
}

RenderedPrompt RenderRaw(std::string_view prompt) {
  RenderedPrompt out;
  out.Append(prompt, true);
  return out;
}

Result<Value> JinjaChatContext(const JinjaChatInput& in) {
  std::vector<Value> msgs;
  for (const Message& m : in.messages) {
    auto d = std::make_shared<MapData>();
    d->Set("role", Value::Str(m.role, true));
    d->Set("content", Value::Str(m.content, true));
    if (!m.thinking.empty()) d->Set("reasoning_content", Value::Str(m.thinking, true));
    if (!m.tool_calls.empty()) {
      std::vector<Value> calls;
      for (const ToolCall& tc : m.tool_calls) {
        auto fn = std::make_shared<MapData>();
        fn->Set("name", Value::Str(tc.name, true));
        OLLA_ASSIGN_OR_RETURN(Value args, JsonArgs(tc));
        fn->Set("arguments", std::move(args));
        auto call = std::make_shared<MapData>();
        call->Set("type", Value::Str("function", true));
        if (!tc.id.empty()) call->Set("id", Value::Str(tc.id, true));
        call->Set("function", Value::Map(std::move(fn)));
        calls.push_back(Value::Map(std::move(call)));
      }
      d->Set("tool_calls", Value::List(std::move(calls)));
    }
    if (!m.tool_name.empty()) d->Set("name", Value::Str(m.tool_name, true));
    if (!m.tool_call_id.empty()) d->Set("tool_call_id", Value::Str(m.tool_call_id, true));
    msgs.push_back(Value::Map(std::move(d)));
  }
  auto ctx = std::make_shared<MapData>();
  ctx->Set("messages", Value::List(std::move(msgs)));
  if (!in.tools_json.empty()) {
    Json tools = Json::parse(in.tools_json, nullptr, false);
    if (tools.is_discarded() || !(tools.is_array() || tools.is_null())) {
      return Status::InvalidArgument("tools: not a JSON array");
    }
    ctx->Set("tools", ValueFromJson(tools, true));
  } else {
    ctx->Set("tools", Value());
  }
  ctx->Set("bos_token", Value::Str(in.bos_token, false));
  ctx->Set("eos_token", Value::Str(in.eos_token, false));
  ctx->Set("add_generation_prompt", Value(in.add_generation_prompt));
  if (in.think.is_set) {
    ctx->Set("enable_thinking", Value(in.think.enabled));
    ctx->Set("reasoning_effort", Value::Str(in.think.ThinkLevel(), true));
  }
  return Value::Map(std::move(ctx));
}

Result<RenderedPrompt> RenderJinjaChat(const JinjaTemplate& tmpl, const JinjaChatInput& in,
                                       const JinjaRenderOptions& opts) {
  OLLA_ASSIGN_OR_RETURN(Value ctx, JinjaChatContext(in));
  return tmpl.Render(ctx, opts);
}

TemplateCaps GoTemplateCaps(const GoTemplate& tmpl) {
  TemplateCaps caps;
  caps.tools = tmpl.HasVar("tools");
  ThinkingTags tags = tmpl.InferThinkingTags();
  caps.thinking = !tags.open.empty() && !tags.close.empty();
  caps.tool_results =
      tmpl.HasVar("toolname") || tmpl.HasVar("toolcallid") || Contains(tmpl.source(), "\"tool\"");
  return caps;
}

TemplateCaps JinjaTemplateCaps(std::string_view jinja) {
  TemplateCaps caps;
  caps.tools = Contains(jinja, "tools") || Contains(jinja, "tool_call");
  caps.thinking = Contains(jinja, "<think>") && Contains(jinja, "</think>");
  caps.tool_results = Contains(jinja, "'tool'") || Contains(jinja, "\"tool\"") ||
                      Contains(jinja, "ipython") || Contains(jinja, "tool_response") ||
                      Contains(jinja, "tool_results");
  return caps;
}

bool IsHarmonyTemplate(std::string_view go_template) {
  return Contains(go_template, "<|start|>") && Contains(go_template, "<|end|>");
}

Status CheckRendererName(std::string_view name) {
  // Ollama's model/renderers registry (spec §9.5). "harmony" is a parser, not a renderer.
  static constexpr std::string_view kRenderers[] = {"qwen3-coder",
                                                    "qwen3-vl-instruct",
                                                    "qwen3-vl-thinking",
                                                    "qwen3.5",
                                                    "qwen3.8",
                                                    "ornith",
                                                    "cogito",
                                                    "deepseek3.1",
                                                    "olmo3",
                                                    "olmo3.1",
                                                    "olmo3-think",
                                                    "olmo3-32b-think",
                                                    "nemotron-3-nano",
                                                    "nemotron-3.5-nano",
                                                    "gemma4",
                                                    "gemma4-small",
                                                    "gemma4-large",
                                                    "functiongemma",
                                                    "glm-4.7",
                                                    "glm-ocr",
                                                    "lfm2",
                                                    "lfm2-thinking",
                                                    "laguna",
                                                    "poolside-v1",
                                                    "cohere",
                                                    "glimmer"};
  if (name.empty()) return Status::Ok();
  for (std::string_view r : kRenderers)
    if (r == name) return Status::Ok();
  return Status::Internal(StrCat("unknown renderer \"", name, "\""));
}

TemplateMode SelectTemplateMode(const TemplateSelectInput& in) {
  if (!in.renderer.empty()) return TemplateMode::kRenderer;
  if (in.harmony_family && in.go_template && IsHarmonyTemplate(in.go_template->source()))
    return TemplateMode::kRenderer;
  bool go_enabled = in.go_template_env.value_or(true);
  if (in.go_template && go_enabled) {
    if (in.go_template_env.has_value() || in.jinja_template.empty())
      return TemplateMode::kGoTemplate;
    // "Prefer chat template": the Jinja template wins if it yields more capabilities, or the
    // same tool capability plus a tool-result round trip the Go template lacks.
    TemplateCaps go = GoTemplateCaps(*in.go_template);
    TemplateCaps jj = JinjaTemplateCaps(in.jinja_template);
    int go_n = go.tools + go.thinking, jj_n = jj.tools + jj.thinking;
    bool more = jj_n > go_n && (jj.tools || !go.tools) && (jj.thinking || !go.thinking);
    bool round_trip = go.tools && jj.tools && jj.tool_results && !go.tool_results;
    return more || round_trip ? TemplateMode::kJinja : TemplateMode::kGoTemplate;
  }
  if (!in.jinja_template.empty()) return TemplateMode::kJinja;
  if (in.go_template) return TemplateMode::kGoTemplate;  // OLLAMA_GO_TEMPLATE=false, no Jinja
  return TemplateMode::kDefault;
}

}  // namespace olla::chat
