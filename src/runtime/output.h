#pragma once
// What a model's template says about its output (thinking tags, tool-call format, capabilities),
// the `think` rule of spec §3.4, and OutputShaper, which splits model output into thinking,
// content and tool calls (with their log-probabilities) as a generate or chat request asks.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "chat/go/go_template.h"
#include "chat/harmony_parser.h"
#include "chat/messages.h"
#include "chat/thinking_parser.h"
#include "chat/tool_call_parser.h"
#include "gguf/metadata.h"
#include "runtime/generate.h"

namespace olla::runtime {

// What a model's template says about its output: thinking tags (empty: no thinking) and the
// tool-call format, or the built-in harmony parser. `go_template`: the Go template in use ("" =
// none, then the GGUF's Jinja chat template is used, as runtime/prompt.h renders).
struct ModelOutputFormat {
  chat::ThinkingTags thinking;
  chat::ToolCallFormat tools;
  bool supports_tools = false;  // the template renders .Tools / `tools`, or the parser is harmony
  // The built-in harmony parser splits the output (spec §9.4 item 1): PARSER harmony, or the
  // gpt-oss family with a harmony-format Go template (harmony_family_template).
  bool harmony = false;
  bool harmony_family_template = false;  // Ollama's shouldUseHarmony: `think` "max" -> "high"
  bool family_thinking = false;          // the family has the thinking capability (§9.7 item 6)
  bool has_thinking_tags() const { return !thinking.open.empty() && !thinking.close.empty(); }
  bool supports_thinking() const { return has_thinking_tags() || harmony || family_thinking; }
};

// The model's config blob fields that choose a built-in parser (spec §9.4, §9.5).
struct BuiltinChatConfig {
  std::string parser;  // PARSER; only "harmony" is built in, other names are ignored
  std::string family;  // model_family; "" = the GGUF's general.architecture
  // The model's own Go template, when a request's `template` replaces it: Ollama decides on
  // harmony from the model's template. Null: the template given to ModelOutputFormatFor.
  const std::string* model_template = nullptr;
};
ModelOutputFormat ModelOutputFormatFor(std::string_view go_template, const gguf::Metadata& md,
                                       const BuiltinChatConfig& config = {});

// Spec §9.7 items 5-6 for /api/show: appends to `caps`, unless present, "tools" and "thinking"
// for PARSER harmony and "thinking" for the gpt-oss family (config.family, or else `gguf_arch`).
void AddBuiltinCapabilities(const BuiltinChatConfig& config, std::string_view gguf_arch,
                            std::vector<std::string>& caps);

// Applies spec §3.4 step 6 to `think`: unset on a thinking model -> set and enabled (templates
// see .IsThinkSet true, as Ollama's handlers set think = true); enabled on a model without
// thinking -> kInvalidArgument "\"<model>\" does not support thinking". For harmony models
// (harmony_family_template) the level "max" becomes "high".
Status ResolveThink(const ModelOutputFormat& format, std::string_view model_name,
                    chat::ThinkSetting& think);

// The parts of an answer, from one or more chunks of output.
struct OutputPart {
  std::string content, thinking;
  std::vector<chat::ToolCall> tool_calls;  // ids assigned
  std::vector<Logprob> logprobs;

  bool empty() const {
    return content.empty() && thinking.empty() && tool_calls.empty() && logprobs.empty();
  }
  void Append(OutputPart other);
};

class OutputShaper {
 public:
  // `thinking_open_tag`/`close`: split thinking out (only when thinking is enabled: pass "" to
  // pass text through); `start_inside`: the prompt ended with the opening tag. `tool_names`:
  // the request's tools; tool calls are parsed only when there are some.
  OutputShaper(const ModelOutputFormat& format, bool thinking, bool start_inside,
               std::vector<std::string> tool_names);
  // The harmony parser does all the splitting (thinking is split out whatever `think` says).
  explicit OutputShaper(std::unique_ptr<chat::HarmonyParser> harmony);

  OutputPart Add(const Chunk& chunk);
  // End of output. Errors: the harmony parser's, for a tool call with malformed arguments.
  Result<OutputPart> Flush();

 private:
  void Feed(std::string_view content, OutputPart& out);
  void AddCalls(std::vector<chat::ToolCall>& calls, OutputPart& out);
  std::unique_ptr<chat::ThinkingParser> thinking_;
  std::unique_ptr<chat::ToolCallParser> tools_;
  std::unique_ptr<chat::HarmonyParser> harmony_;
};

}  // namespace olla::runtime
