#pragma once
// Chat data as the API hands it to prompt assembly (spec §3.5 message and tool objects).
// Everything here is user data: when rendered it is input-marked (no special tokens).

#include <string>
#include <vector>

namespace olla::chat {

struct ToolCall {
  std::string id;                     // "call_xxxxxxxx"; may be empty
  int index = 0;                      // function.index
  std::string name;                   // function.name
  std::string arguments_json = "{}";  // function.arguments: a JSON object, key order as received
};

struct Message {
  std::string role;  // lower-cased by the API layer; other roles pass through
  std::string content;
  std::string thinking;
  std::vector<std::string> images;  // base64 payloads (only counted and marked here)
  std::vector<ToolCall> tool_calls;
  std::string tool_name;     // role "tool": the tool that produced this result
  std::string tool_call_id;  // role "tool": the call this answers
};

// The request's `think` (spec §3.4): unset, true/false, or a level.
struct ThinkSetting {
  bool is_set = false;   // .IsThinkSet
  bool enabled = false;  // .Think
  std::string level;     // "low" | "medium" | "high" | "max" when the request gave a level

  // .ThinkLevel: the level; "medium" for think=true; "" for false or unset.
  std::string ThinkLevel() const {
    if (!enabled) return "";
    return level.empty() ? "medium" : level;
  }
};

}  // namespace olla::chat
