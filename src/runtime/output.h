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
#include "chat/messages.h"
#include "chat/thinking_parser.h"
#include "chat/tool_call_parser.h"
#include "gguf/metadata.h"
#include "runtime/generate.h"

namespace olla::runtime {

// What a model's template says about its output: thinking tags (empty: no thinking) and the
// tool-call format. `go_template`: the Go template in use ("" = none, then the GGUF's Jinja
// chat template is used, as runtime/prompt.h renders).
struct ModelOutputFormat {
  chat::ThinkingTags thinking;
  chat::ToolCallFormat tools;
  bool supports_tools = false;  // the template renders .Tools / `tools`
  bool supports_thinking() const { return !thinking.open.empty() && !thinking.close.empty(); }
};
ModelOutputFormat ModelOutputFormatFor(std::string_view go_template, const gguf::Metadata& md);

// Applies spec §3.4 step 6 to `think`: unset on a thinking model -> enabled; enabled on a model
// without thinking -> kInvalidArgument "\"<model>\" does not support thinking".
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

  OutputPart Add(const Chunk& chunk);
  OutputPart Flush();

 private:
  void Feed(std::string_view content, OutputPart& out);
  std::unique_ptr<chat::ThinkingParser> thinking_;
  std::unique_ptr<chat::ToolCallParser> tools_;
};

}  // namespace olla::runtime
