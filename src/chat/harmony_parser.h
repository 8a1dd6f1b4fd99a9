#pragma once
// The built-in "harmony" parser of gpt-oss output (spec §9.4 item 1, §9.5), as Ollama's
// harmony/harmonyparser.go parses it. The model writes messages
//   <|start|>ROLE[ to=RECIPIENT]<|channel|>CHANNEL[ <|constrain|>json]<|message|>TEXT<|end|>
// (the first "<|start|>assistant" is implied: the prompt ends with it). Channel `analysis` is
// thinking, `final` and a plain `commentary` are content, and a message with a recipient
// ("to=functions.NAME") is a tool call whose JSON arguments are parsed when the output ends (the
// model stops at <|call|>, which never reaches the parser). Text outside messages is dropped.
// Thinking is always split out, whatever `think` says, as Ollama does.
//
// Tool names are renamed to TypeScript identifiers before rendering (HarmonyFunctionNames), and
// names in calls are mapped back. Pure and streaming: Add() returns what is unambiguous so far and
// holds back only a possible partial "<|end|>" (or an unfinished header).

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "chat/messages.h"

namespace olla::chat {

// Ollama's FunctionNameMap: a user's function name -> a valid harmony (TypeScript) identifier.
// ' ', '-', '.' become '_', other characters that are not letters, digits, '_' or '$' are dropped,
// "" becomes "unnamed", a leading digit gets a '_' in front, and a name taken already gets "_2",
// "_3", ... The built-in tools browser.search, browser.open, browser.find and python keep their
// names. Non-ASCII characters are kept (Go keeps Unicode letters and digits and drops other
// symbols; we cannot tell them apart here). Not thread-safe; one per request.
class HarmonyFunctionNames {
 public:
  // Registers `user_name` and returns its harmony name.
  std::string Add(std::string_view user_name);
  // The user's name for `harmony_name`; the name itself when it was never registered.
  std::string Original(std::string_view harmony_name) const;

 private:
  std::map<std::string, std::string, std::less<>> harmony_to_user_;
};

// The request's tools (a JSON array, key order kept) with every function.name replaced by its
// harmony name, registered in `names`; "" stays "". Malformed JSON is returned unchanged.
std::string RenameHarmonyTools(std::string_view tools_json, HarmonyFunctionNames& names);

// A message header: the text between <|start|> and <|message|>.
struct HarmonyHeader {
  std::string role;       // "assistant", or "tool" when the header starts with "to=..."
  std::string channel;    // after <|channel|>, up to whitespace; "" if none
  std::string recipient;  // after "to=" (before or after the channel), e.g. "functions.get"
  bool operator==(const HarmonyHeader&) const = default;
};
HarmonyHeader ParseHarmonyHeader(std::string_view raw);

struct HarmonyOutput {
  std::string content, thinking;
  std::vector<ToolCall> calls;  // id empty
};

class HarmonyParser {
 public:
  // `last_message`: the conversation's last message (null for /api/generate). An assistant
  // message with content (or else thinking) is being continued: the output starts inside its
  // final (analysis) channel, as the template leaves it open.
  HarmonyParser(HarmonyFunctionNames names, const Message* last_message);

  HarmonyOutput Add(std::string_view text);
  // End of output: the tool call, if a tool message was seen. kInvalidArgument
  // "error parsing tool call: raw='<text>', err=<why>" when its arguments are not a JSON object.
  Result<HarmonyOutput> Finish();

 private:
  enum class State { kLookingForStart, kHeader, kContent };
  enum class Target { kContent, kThinking, kTool };  // where message text goes
  // One step of the state machine over buffer_; false: need more text.
  bool Step(HarmonyOutput& out);
  void Emit(std::string_view text, HarmonyOutput& out);
  void OnHeader(const HarmonyHeader& h);

  HarmonyFunctionNames names_;
  State state_ = State::kLookingForStart;
  Target target_ = Target::kContent;
  std::string buffer_;
  bool has_tool_ = false;  // a tool message was seen: Finish() parses tool_args_
  std::string tool_name_, tool_args_;
};

}  // namespace olla::chat
