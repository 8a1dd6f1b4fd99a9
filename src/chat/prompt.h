#pragma once
// Prompt assembly: from an API request to the rendered prompt (spec §3.4, §3.5, §9.2-§9.4).
//
// Go templates (the model's TEMPLATE layer or a request `template`) run in one of three modes
// (§9.2): fill-in-the-middle (generate with prompt and suffix), messages (the template uses
// .Messages), or legacy (rendered turn by turn with .System/.Prompt/.Response, the last turn cut
// after .Response). Native mode renders the GGUF's Jinja chat template with HF-style messages.
// Raw mode bypasses templates.
//
// What is not here: truncating old messages to fit num_ctx (the runtime re-renders, §10.6), the
// deprecated `context` tokens (the runtime prepends them), built-in renderers (§9.5).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "chat/go/go_template.h"
#include "chat/jinja/jinja_template.h"
#include "chat/messages.h"
#include "chat/rendered.h"

namespace olla::chat {

// Collation (§9.2): consecutive messages with the same role are merged (contents joined with
// "\n\n"; the later message's other fields are dropped), except tool messages. `system` is every
// system message's content joined with "\n\n"; system messages stay in the list.
struct Collated {
  std::string system;
  std::vector<Message> messages;
};
Collated CollateMessages(const std::vector<Message>& messages);

// /api/chat message assembly (§3.5 step 5): the model's MESSAGE history, then the request's
// messages; if the first request message is not a system message and the model has a SYSTEM,
// that system message goes first.
std::vector<Message> AssembleChatMessages(const std::string& model_system,
                                          const std::vector<Message>& model_messages,
                                          const std::vector<Message>& request_messages);

// For the qwen3 family and deepseek-r1 (§3.5 step 5): removes "<think>...</think>" blocks (and
// the newlines after them) from assistant messages that precede the last user message.
void StripOldThinking(std::vector<Message>& messages);

// Image markers for Go-template models (§9.2): each image of each message, numbered from
// `first_id` in order, replaces the next "[img]" in its content or, if there is none, is prefixed
// as "[img-N]". Returns the number of images.
int AddImageMarkers(std::vector<Message>& messages, int first_id = 0);

struct GoChatInput {
  // After AssembleChatMessages (and StripOldThinking where it applies) and AddImageMarkers.
  std::vector<Message> messages;
  std::string tools_json;  // JSON array of tool definitions, or ""
  ThinkSetting think;
};

// /api/chat with a Go template: messages mode if the template references .Messages (or
// .Document), else legacy mode.
Result<RenderedPrompt> RenderGoChat(const GoTemplate& tmpl, const GoChatInput& in,
                                    const GoExecOptions& opts = {});

struct GenerateInput {
  std::string prompt;
  std::string suffix;
  std::string system;                   // request `system`; "" = use the model's
  std::string model_system;             // the model's SYSTEM
  std::vector<Message> model_messages;  // the model's MESSAGE history
  bool has_context = false;             // the request sent `context` (drops model_messages)
  int image_count = 0;                  // images attached to the prompt: markers [img-0]...
  ThinkSetting think;
};

// The conversation /api/generate renders when it is not fill-in-the-middle: the request system
// (or else the model's) as a system message, the model's MESSAGE history unless `context` was
// sent, and the prompt (with image markers) as the user message.
std::vector<Message> GenerateMessages(const GenerateInput& in);

// /api/generate with a Go template. With a suffix: fill-in-the-middle data (Prompt, Suffix,
// Response "", Think*) when the prompt is non-empty; otherwise GenerateMessages() as a chat.
Result<RenderedPrompt> RenderGoGenerate(const GoTemplate& tmpl, const GenerateInput& in,
                                        const GoExecOptions& opts = {});

// raw: true. The prompt is sent verbatim and, like any prompt the client formats itself, may
// contain special tokens (one allow_special piece).
RenderedPrompt RenderRaw(std::string_view prompt);

struct JinjaChatInput {
  std::vector<Message> messages;
  std::string tools_json;  // JSON array, or "" (then `tools` is None)
  ThinkSetting think;      // when set: enable_thinking (bool) and reasoning_effort (level)
  std::string bos_token;   // the vocabulary's BOS/EOS text, passed unmarked (special)
  std::string eos_token;
  bool add_generation_prompt = true;
};

// The template context native mode renders with (§9.4 item 3): messages as HF dicts (role,
// content, reasoning_content, tool_calls [{type, id, function{name, arguments}}], name for a
// tool's result, tool_call_id), tools, bos_token, eos_token, add_generation_prompt and the
// thinking kwargs. Fails if tools or tool-call arguments are malformed JSON.
Result<Value> JinjaChatContext(const JinjaChatInput& in);
Result<RenderedPrompt> RenderJinjaChat(const JinjaTemplate& tmpl, const JinjaChatInput& in,
                                       const JinjaRenderOptions& opts = {});

// ---- Which template is used (§9.4) ----

struct TemplateCaps {
  bool tools = false;
  bool thinking = false;
  bool tool_results = false;  // renders role "tool" messages (tool-result round trip)
};
TemplateCaps GoTemplateCaps(const GoTemplate& tmpl);
// §9.7: tools if the text mentions "tools" or "tool_call"; thinking if it has "<think>" and
// "</think>".
TemplateCaps JinjaTemplateCaps(std::string_view jinja);

enum class TemplateMode {
  kRenderer,    // a built-in renderer/parser (RENDERER, or harmony for gpt-oss)
  kGoTemplate,  // the TEMPLATE layer
  kJinja,       // the GGUF chat template, natively
  kDefault,     // {{ .Prompt }}
};

struct TemplateSelectInput {
  std::string renderer;  // RENDERER from the config; "" if none
  // The model family renders harmony-format Go templates with the built-in renderer (gpt-oss;
  // the caller asks the architecture's traits, engine::ArchTraits::harmony_template).
  bool harmony_family = false;
  const GoTemplate* go_template = nullptr;
  std::string_view jinja_template;      // GGUF tokenizer.chat_template; "" if none
  std::optional<bool> go_template_env;  // OLLAMA_GO_TEMPLATE when set (default: true)
};
TemplateMode SelectTemplateMode(const TemplateSelectInput& in);

// Whether a Go template is in the harmony format (it has "<|start|>" and "<|end|>"): for the
// gpt-oss family it selects the built-in harmony parser (Ollama's shouldUseHarmony).
bool IsHarmonyTemplate(std::string_view go_template);

// RENDERER names (spec §9.5). Ollama renders with its built-in renderer of that name and fails
// for any other name; we have none of its renderers yet and render such models with their
// template instead (§9.5 allows a subset), but keep the error: kInternal
// `unknown renderer "<name>"` when `name` is not one of Ollama's. OK for "".
Status CheckRendererName(std::string_view name);

}  // namespace olla::chat
