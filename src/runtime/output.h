#pragma once
// The request features that shape a generation and its answer, shared by /api/generate and
// /api/chat (and reusable by the OpenAI layer): `format` (a grammar), `logprobs`/`top_logprobs`,
// `think` (spec §3.4, §9.6) and tool calls (§3.5). The routes parse them with ParseOutputRequest,
// check them against the model with ModelOutputFormat, and run model output through an
// OutputShaper, which splits thinking from content, takes tool calls out of the content and
// turns log-probabilities into their JSON.

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "chat/go_template.h"
#include "chat/messages.h"
#include "chat/thinking_parser.h"
#include "chat/tool_call_parser.h"
#include "gguf/metadata.h"
#include "grammar/grammar.h"
#include "runtime/generate.h"

namespace olla::server {

struct OutputRequest {
  std::shared_ptr<const grammar::Grammar> grammar;  // from `format`; nullptr: unconstrained
  bool logprobs = false;
  int32_t top_logprobs = 0;
  chat::ThinkSetting think;  // as sent (is_set false when absent)
};

// Reads format, logprobs, top_logprobs (0-20) and think from a generate or chat request.
// `raw_body`: the request text, so that a schema keeps its property order (server/format.h).
// Errors are kInvalidArgument with Ollama's messages.
Result<OutputRequest> ParseOutputRequest(const nlohmann::json& request, std::string_view go_type,
                                         std::string_view raw_body = {});

// What a model's template says about its output: thinking tags (empty: no thinking) and the
// tool-call format. `go_template`: the Go template in use ("" = none, then the GGUF's Jinja
// chat template is used, as server/prompt.h renders).
struct ModelOutputFormat {
  chat::ThinkingTags thinking;
  chat::ToolCallFormat tools;
  bool supports_tools = false;  // the template renders .Tools / `tools`
  bool supports_thinking() const { return !thinking.open.empty() && !thinking.close.empty(); }
};
ModelOutputFormat ModelOutputFormatFor(std::string_view go_template, const gguf::Metadata& md);

// The capabilities a model's template gives it (spec §9.7 items 2 and 4), in Ollama's order
// around `base` ("completion" or "embedding"): a Go template adds tools (.Tools), insert
// (.Suffix) and thinking (inferred tags) after it; a Jinja chat template adds tools and thinking
// before it.
std::vector<std::string> TemplateCapabilities(std::string_view go_template, const gguf::Metadata& md,
                                              const std::string& base);

// Applies spec §3.4 step 6 to `think`: unset on a thinking model -> enabled; enabled on a model
// without thinking -> kInvalidArgument "\"<model>\" does not support thinking".
Status ResolveThink(const ModelOutputFormat& format, std::string_view model_name, chat::ThinkSetting& think);

// The parts of an answer, from one or more chunks of output.
struct OutputPart {
  std::string content, thinking;
  std::vector<chat::ToolCall> tool_calls;  // ids assigned
  std::vector<runtime::Logprob> logprobs;

  bool empty() const { return content.empty() && thinking.empty() && tool_calls.empty() && logprobs.empty(); }
  void Append(OutputPart other);
};

class OutputShaper {
 public:
  // `thinking_open_tag`/`close`: split thinking out (only when thinking is enabled: pass "" to
  // pass text through); `start_inside`: the prompt ended with the opening tag. `tool_names`:
  // the request's tools; tool calls are parsed only when there are some.
  OutputShaper(const ModelOutputFormat& format, bool thinking, bool start_inside, std::vector<std::string> tool_names);

  OutputPart Add(const runtime::Chunk& chunk);
  OutputPart Flush();

 private:
  void Feed(std::string_view content, OutputPart& out);
  std::unique_ptr<chat::ThinkingParser> thinking_;
  std::unique_ptr<chat::ToolCallParser> tools_;
};

// [{token, logprob, bytes, top_logprobs: [{token, logprob, bytes}]}] (spec §3.4; bytes and
// top_logprobs omitted when empty, as Ollama's omitempty does).
nlohmann::json LogprobsJson(std::span<const runtime::Logprob> logprobs);

// Writes `part` into a chat response object: message.content (always), message.thinking and
// message.tool_calls when present, and logprobs when `with_logprobs`.
void PutChatPart(nlohmann::json& response, const OutputPart& part, bool with_logprobs);
// The key order of `part`'s tool-call arguments as the model wrote them: JSON text to serialize a
// response with (NativeReply::key_order, ChunkWriter::WriteOrdered); "" when there are none.
std::string ToolCallKeyOrder(const OutputPart& part);
// Writes `part` into a generate response object: response (always), thinking when present, and
// logprobs when `with_logprobs`.
void PutGeneratePart(nlohmann::json& response, const OutputPart& part, bool with_logprobs);

}  // namespace olla::server
