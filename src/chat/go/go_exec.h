#pragma once
// Internals of the Go template engine shared by go_exec.cc and go_funcs.cc.

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "chat/go/go_ast.h"
#include "chat/go/go_template.h"
#include "chat/rendered.h"
#include "chat/value.h"

namespace olla::chat::gotmpl {

bool IsBuiltinFunction(std::string_view name);

// Go's truth(): false, 0, nil, "" and empty lists/maps are false; structs are always true.
bool GoTruth(const Value& v);

// fmt's %v of a value (strings raw, [a b] lists, map[k:v] maps, {a b} structs, Stringers).
void AppendGoValue(std::string& out, const Value& v);

// What {{ v }} prints, with input marking: strings keep theirs, other values are data.
MarkedString GoPrint(const Value& v);

// fmt.Sprint / Sprintln (ln) and fmt.Sprintf (args[0] is the format), with input marking.
MarkedString GoSprint(const std::vector<Value>& args, bool ln);
MarkedString GoSprintf(const std::vector<Value>& args);

// Go's name of a value's type in error messages ("string", "int", "[]interface {}", ...).
std::string GoTypeName(const Value& v);

// Calls builtin `name` (not and/or, which the executor evaluates lazily) on evaluated args.
Result<Value> CallBuiltin(std::string_view name, const std::vector<Value>& args,
                          const GoExecOptions& opts);

// Executes `tree` with `data`. Errors carry the position of the failing node.
Result<RenderedPrompt> ExecuteTree(const Tree& tree, const Value& data, const GoExecOptions& opts);

}  // namespace olla::chat::gotmpl
