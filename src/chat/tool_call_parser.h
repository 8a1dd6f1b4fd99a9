#pragma once
// Tool calls in model output (spec §3.5 "Tool-call behaviour", §9.4). Pure functions and a
// streaming parser, shared by /api/chat and the OpenAI layer.
//
// A format is the text that starts tool calls, taken from the template as Ollama does:
//   * Go templates: the first literal text inside `{{ if .ToolCalls }}`, cut before any '{' and
//     trimmed; "{" (bare JSON objects) when there is none;
//   * Jinja templates: "<tool_call>" (Hermes, Qwen 2.5/3) or "[TOOL_CALLS]" (Mistral) when the
//     template writes them, else "{" (Llama 3.1+ JSON `{"name": .., "parameters": ..}`).
// After the tag come JSON objects or arrays of objects. An object is a call when it has a
// `name` (or `function: {name, arguments}`) naming one of the request's tools and an
// `arguments`/`parameters` object (or a string holding one). "<x>" tags are closed by "</x>",
// which is skipped; Mistral's newer `[TOOL_CALLS]name[ARGS]{...}` is accepted too. With a bare
// "{" or "[" tag, calls are parsed only when the output starts (after whitespace) with it.
// Text that is not a well-formed call (bad JSON, JSON nested over 128 deep, unknown tool, no
// arguments object) is content, tag included: the parser never fails. Streaming scans each byte
// of a call once, however small the chunks.

#include <string>
#include <string_view>
#include <vector>

#include "chat/go/go_template.h"
#include "chat/messages.h"

namespace olla::chat {

struct ToolCallFormat {
  std::string tag;      // starts the calls: "<tool_call>", "[TOOL_CALLS]", "{", "[" ...
  std::string end_tag;  // closes each call ("</tool_call>"), or ""

  // The format of `tag`; "<x>" gets the end tag "</x>".
  static ToolCallFormat FromTag(std::string_view tag);
  bool bare() const { return tag == "{" || tag == "["; }
};

ToolCallFormat ToolCallFormatForGo(const GoTemplate& tmpl);
ToolCallFormat ToolCallFormatForJinja(std::string_view jinja);

// The function names of a request's `tools` (a JSON array; "" or malformed: none).
std::vector<std::string> ToolNames(std::string_view tools_json);

// "call_" + 8 random characters of [a-z0-9] (spec §3.5).
std::string NewToolCallId();

struct ToolCallOutput {
  std::string content;          // text to pass on as content
  std::vector<ToolCall> calls;  // complete calls, index numbered from 0 per parser; id empty
};

// Where a scan of a JSON value in a ToolCallParser's buffer stopped (internal).
struct JsonScanState {
  size_t begin = std::string_view::npos;  // where the value starts in the buffer
  size_t pos = 0;                         // the next byte to scan
  std::string closers;                    // the brackets still open, innermost last
  bool in_string = false, escaped = false;
};

// Streaming: feed the output as it comes; text that may still begin a call is held back.
class ToolCallParser {
 public:
  // `tool_names`: the request's tools; a call must name one of them.
  ToolCallParser(ToolCallFormat format, std::vector<std::string> tool_names);

  ToolCallOutput Add(std::string_view text);
  // End of output: whatever is held back (an unfinished call included) becomes content.
  ToolCallOutput Flush();

 private:
  enum class State { kSearching, kInCall, kPassthrough };
  void Run(ToolCallOutput& out);
  // In kInCall: tries to take calls from the front of buffer_. false: need more text.
  bool TakeCall(ToolCallOutput& out);
  void GiveUp(ToolCallOutput& out);  // malformed: the tag and the buffer become content

  ToolCallFormat format_;
  std::vector<std::string> names_;
  State state_ = State::kSearching;
  std::string buffer_;
  bool after_call_ = false;  // at least one call was parsed
  bool seen_text_ = false;   // bare format: some non-space output was seen
  int next_index_ = 0;
  JsonScanState scan_;  // the scan of the call being received
};

// The whole output at once.
ToolCallOutput ParseToolCalls(const ToolCallFormat& format,
                              const std::vector<std::string>& tool_names, std::string_view text);

}  // namespace olla::chat
