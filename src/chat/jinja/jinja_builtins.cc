// Jinja builtin tests and global functions (the subset chat templates use), plus the Hugging Face
// additions raise_exception and strftime_now. The filters are in jinja_filters.cc.

#include <algorithm>
#include <cstdint>
#include <ctime>

#include "base/ascii.h"
#include "base/str_cat.h"
#include "chat/jinja/jinja_runtime.h"

namespace olla::chat::jinja {

bool IsGlobalFunction(std::string_view name) {
  return name == "range" || name == "namespace" || name == "dict" || name == "raise_exception" ||
         name == "strftime_now";
}

Result<Value> CallGlobal(Interpreter& in, std::string_view name, const std::vector<Value>& args,
                         const Kwargs& kwargs) {
  if (name == "raise_exception") {
    return Status::InvalidArgument(args.empty() ? std::string("raise_exception called")
                                                : ToMarked(args[0]).str());
  }
  if (name == "range") {
    int64_t a[3] = {0, 0, 1};
    if (args.empty() || args.size() > 3)
      return Status::InvalidArgument("range expected 1 to 3 arguments");
    for (const Value& x : args) {
      if (!x.is_int()) return Status::InvalidArgument("range() integer argument expected");
    }
    if (args.size() == 1)
      a[1] = args[0].int_value();
    else
      a[0] = args[0].int_value(), a[1] = args[1].int_value();
    if (args.size() == 3) a[2] = args[2].int_value();
    if (a[2] == 0) return Status::InvalidArgument("range() arg 3 must not be zero");
    std::vector<Value> out;
    for (int64_t i = a[0]; a[2] > 0 ? i < a[1] : i > a[1]; i += a[2]) {
      if (out.size() >= 100'000) return Status::InvalidArgument("range too large");
      out.push_back(Value(i));
    }
    return Value::List(std::move(out));
  }
  if (name == "namespace" || name == "dict") {
    auto m = std::make_shared<MapData>();
    m->is_namespace = name == "namespace";
    for (const Value& a : args) {  // namespace({...}) / dict({...}) copy a mapping
      if (a.is_map()) {
        for (const auto& [k, v] : a.map().entries) m->Set(k, v);
      }
    }
    for (const auto& [k, v] : kwargs) m->Set(k, v);
    return Value::Map(std::move(m));
  }
  if (name == "strftime_now") {
    if (args.empty() || !args[0].is_string())
      return Status::InvalidArgument("strftime_now expects a format string");
    std::time_t t = in.limits().now_unix >= 0 ? static_cast<std::time_t>(in.limits().now_unix)
                                              : std::time(nullptr);
    std::tm tm{};
    localtime_r(&t, &tm);
    char buf[256];
    std::string fmt = args[0].str().str().substr(0, 64);
    size_t n = std::strftime(buf, sizeof(buf), fmt.c_str(), &tm);
    return Value::Str(std::string(buf, n));
  }
  return Status::InvalidArgument(StrCat("'", name, "' is undefined"));
}

Result<bool> BuiltinTest(Interpreter& in, std::string_view name, const Value& v,
                         const std::vector<Value>& args, bool* found) {
  (void)in;
  *found = true;
  const Value* a = args.empty() ? nullptr : &args[0];
  if (name == "defined") return !v.is_undefined();
  if (name == "undefined") return v.is_undefined();
  if (name == "none") return v.is_none();
  if (name == "boolean") return v.is_bool();
  if (name == "true") return v.is_bool() && v.bool_value();
  if (name == "false") return v.is_bool() && !v.bool_value();
  if (name == "integer") return v.is_int();
  if (name == "float") return v.is_float();
  if (name == "number") return v.is_number() || v.is_bool();
  if (name == "string") return v.is_string();
  if (name == "mapping") return v.is_map();
  if (name == "iterable") return v.is_list() || v.is_map() || v.is_string() || v.is_undefined();
  if (name == "sequence") return v.is_list() || v.is_map() || v.is_string();
  if (name == "callable") return v.is_callable();
  if (name == "lower") return v.is_string() && v.str().str() == AsciiToLower(v.str().str());
  if (name == "upper") return v.is_string() && v.str().str() == AsciiToUpper(v.str().str());
  if (name == "odd" || name == "even" || name == "divisibleby") {
    if (!v.is_int())
      return Status::InvalidArgument(StrCat("test '", name, "' requires an integer"));
    if (name == "odd") return v.int_value() % 2 != 0;
    if (name == "even") return v.int_value() % 2 == 0;
    if (!a || !a->is_int() || a->int_value() == 0)
      return Status::InvalidArgument("divisibleby needs a non-zero integer");
    return v.int_value() % a->int_value() == 0;
  }
  if (name == "sameas")
    return a && (v.SameObject(*a) ||
                 (!v.is_list() && !v.is_map() && v.kind() == a->kind() && PyEquals(v, *a)));
  if (name == "escaped" || name == "filter" || name == "test") return false;
  if (!a) {
    if (name == "eq" || name == "equalto" || name == "==" || name == "ne" || name == "!=" ||
        name == "in" || name == "lt" || name == "le" || name == "gt" || name == "ge") {
      return Status::InvalidArgument(StrCat("test '", name, "' needs an argument"));
    }
    *found = false;
    return false;
  }
  if (name == "eq" || name == "equalto" || name == "==") return PyEquals(v, *a);
  if (name == "ne" || name == "!=") return !PyEquals(v, *a);
  if (name == "in") {
    if (a->is_string())
      return v.is_string() && a->str().str().find(v.str().str()) != std::string::npos;
    if (a->is_map()) return v.is_string() && a->map().Find(v.str().str()) != nullptr;
    if (a->is_list())
      return std::any_of(a->list().begin(), a->list().end(),
                         [&](const Value& x) { return PyEquals(v, x); });
    return false;
  }
  if (name == "lt" || name == "<" || name == "lessthan" || name == "le" || name == "<=" ||
      name == "gt" || name == ">" || name == "greaterthan" || name == "ge" || name == ">=") {
    OLLA_ASSIGN_OR_RETURN(int c, PyCompare(v, *a));
    if (name == "lt" || name == "<" || name == "lessthan") return c < 0;
    if (name == "le" || name == "<=") return c <= 0;
    if (name == "gt" || name == ">" || name == "greaterthan") return c > 0;
    return c >= 0;
  }
  *found = false;
  return false;
}

}  // namespace olla::chat::jinja
