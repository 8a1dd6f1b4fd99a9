#pragma once
// Jinja interpreter internals shared by jinja_runtime.cc and the builtins: Python value
// semantics (truthiness, equality, ordering, str()), the interpreter, and the builtin filters,
// tests, methods and global functions.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/status.h"
#include "chat/jinja/jinja_ast.h"
#include "chat/value.h"

namespace olla::chat::jinja {

using Kwargs = std::vector<std::pair<std::string, Value>>;
// Keyword argument `name`, else nullptr.
const Value* Kwarg(const Kwargs& kwargs, std::string_view name);
// Positional argument i, else keyword `name`, else nullptr.
const Value* Arg(const std::vector<Value>& args, const Kwargs& kwargs, size_t i,
                 std::string_view name);

// ---- Python semantics ----
bool Truthy(const Value& v);
bool PyEquals(const Value& a, const Value& b);
// -1, 0, 1; error for unorderable types.
Result<int> PyCompare(const Value& a, const Value& b);
// str(v) with input marking: strings keep theirs; containers are input if they hold input.
MarkedString ToMarked(const Value& v);
bool HasInput(const Value& v);
// A readable name for an expression in error messages ("messages", "m.role", "value").
std::string ExprName(const Expr& e);
// Python type name for error messages ("str", "int", "list", "dict", "NoneType", "Undefined").
std::string PyTypeName(const Value& v);
// The items a for loop visits: list elements, dict keys, string characters; Undefined is empty.
Result<std::vector<Value>> Iterate(const Value& v);

// A builtin global function (range, namespace, dict, raise_exception, strftime_now).
class BuiltinFunction : public Callable {
 public:
  explicit BuiltinFunction(std::string fn_name) : name(std::move(fn_name)) {}
  std::string name;
};

// A {% macro %} definition; `def` points into the template's tree.
class Macro : public Callable {
 public:
  explicit Macro(const Stmt* definition) : def(definition) {}
  const Stmt* def;
};

struct RenderLimits {
  int64_t now_unix = -1;  // strftime_now's clock; -1: the system clock
  int64_t max_steps = 1'000'000;
};

class Interpreter {
 public:
  Interpreter(const Value& context, const RenderLimits& limits);

  Result<MarkedString> Render(const Body& body);

  // Used by builtins.
  Result<Value> Call(const Value& fn, const std::vector<Value>& args, const Kwargs& kwargs,
                     Pos pos);
  Result<Value> ApplyFilter(std::string_view name, const Value& v, const std::vector<Value>& args,
                            const Kwargs& kwargs, Pos pos);
  Result<bool> ApplyTest(std::string_view name, const Value& v, const std::vector<Value>& args,
                         Pos pos);
  const RenderLimits& limits() const { return limits_; }

 private:
  enum class Flow { kNormal, kBreak, kContinue };
  using Scope = std::unordered_map<std::string, Value>;

  Status Error(Pos p, std::string_view msg) const;
  Status Step(Pos p);
  Result<Flow> Exec(const Body& body);
  Result<Flow> ExecStmt(const Stmt& s);
  Result<Flow> ExecFor(const Stmt& s);
  Result<MarkedString> Capture(const Body& body);
  Result<Value> Eval(const Expr& e);
  Result<Value> EvalCall(const Expr& e);
  Result<Value> EvalBinary(const Expr& e);
  Result<Value> GetItem(const Value& obj, const Value& key, Pos pos);
  Result<Value> SliceValue(const Value& obj, const Expr& e);
  Result<std::vector<Value>> EvalArgs(const Expr& e, size_t first, Kwargs* kwargs);
  const Value* Lookup(const std::string& name) const;
  void Assign(const std::string& name, Value v);

  std::vector<Scope> scopes_;
  MarkedString* out_ = nullptr;
  RenderLimits limits_;
  int64_t steps_ = 0;
  int call_depth_ = 0;
};

// Builtins: filters (jinja_filters.cc), tests and globals (jinja_builtins.cc), methods
// (jinja_value.cc). `found` is set to false when there is no such builtin.
Result<Value> BuiltinFilter(Interpreter& in, std::string_view name, const Value& v,
                            const std::vector<Value>& args, const Kwargs& kwargs, bool* found);
Result<bool> BuiltinTest(Interpreter& in, std::string_view name, const Value& v,
                         const std::vector<Value>& args, bool* found);
Result<Value> CallMethod(const Value& obj, std::string_view name, const std::vector<Value>& args,
                         const Kwargs& kwargs, bool* found);
Result<Value> CallGlobal(Interpreter& in, std::string_view name, const std::vector<Value>& args,
                         const Kwargs& kwargs);
bool IsGlobalFunction(std::string_view name);

}  // namespace olla::chat::jinja
