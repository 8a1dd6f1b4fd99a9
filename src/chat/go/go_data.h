#pragma once
// Builds the Go-template data of spec §9.2 from API messages and tools, reproducing the Go types
// Ollama passes (api.Message, api.Tool, ...): field names (.Role, .Function.Name), struct
// semantics, String() methods (a tool, a function, the tool list, call arguments and property
// maps print as compact JSON) and json.Marshal output (struct field order, omitempty, key order
// kept for arguments and properties, sorted for other objects). All strings are input-marked.

#include <string_view>
#include <vector>

#include "base/status.h"
#include "chat/messages.h"
#include "chat/value.h"

namespace olla::chat {

// One api.Message. Fails if a tool call's arguments are not a JSON object.
Result<Value> GoMessageValue(const Message& m);

// The tool list (api.Tools) from a JSON array of tool definitions; "" gives an empty list.
// Fails on malformed JSON or a non-array.
Result<Value> GoToolsValue(std::string_view tools_json);

}  // namespace olla::chat
