// The Jinja interpreter: statements, scoping (a for loop or macro call opens a scope; if and set
// do not), expressions with Python semantics, and Jinja's Undefined (prints as "", is falsy and
// iterates as empty, but any attribute or item access on it is an error).

#include "chat/jinja/jinja_runtime.h"

#include <algorithm>
#include <cmath>

#include "base/str_cat.h"

namespace olla::chat::jinja {
namespace {

constexpr size_t kMaxOutput = 64u << 20;
constexpr int kMaxCallDepth = 64;
constexpr uint32_t kMaxDepth = 256;
constexpr const char* kBodyName = "\x01body";

Value MakeLoop(size_t i, size_t n, const std::vector<Value>& items) {
  auto m = std::make_shared<MapData>();
  int64_t idx = static_cast<int64_t>(i), len = static_cast<int64_t>(n);
  m->entries = {{"index", Value(idx + 1)},
                {"index0", Value(idx)},
                {"revindex", Value(len - idx)},
                {"revindex0", Value(len - idx - 1)},
                {"first", Value(i == 0)},
                {"last", Value(i + 1 == n)},
                {"length", Value(len)},
                {"depth", Value(1)},
                {"depth0", Value(0)},
                {"previtem", i > 0 ? items[i - 1] : Value::Undefined()},
                {"nextitem", i + 1 < n ? items[i + 1] : Value::Undefined()}};
  return Value::Map(std::move(m));
}

// Namespaces are the only mutable values; keeping them out of each other rules out cycles.
bool ContainsNamespace(const Value& v) {
  if (v.is_list()) return std::any_of(v.list().begin(), v.list().end(), ContainsNamespace);
  if (!v.is_map()) return false;
  if (v.map().is_namespace) return true;
  return std::any_of(v.map().entries.begin(), v.map().entries.end(),
                     [](const auto& e) { return ContainsNamespace(e.second); });
}

}  // namespace

std::string ExprName(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kName:
      return e.name;
    case ExprKind::kGetAttr:
      return ExprName(*e.items[0]) + "." + e.name;
    case ExprKind::kGetItem:
      return ExprName(*e.items[0]) + "[...]";
    default:
      return "value";
  }
}

Interpreter::Interpreter(const Value& context, const RenderLimits& limits) : limits_(limits) {
  scopes_.emplace_back();
  if (context.is_map()) {
    for (const auto& [k, v] : context.map().entries) scopes_.back()[k] = v;
  }
}

Status Interpreter::Error(Pos p, std::string_view msg) const {
  return Status::InvalidArgument(StrCat("jinja: line ", p.line, ":", p.col, ": ", msg));
}

Status Interpreter::Step(Pos p) {
  if (++steps_ > limits_.max_steps) return Error(p, "execution step limit exceeded");
  if (out_ && out_->size() > kMaxOutput) return Error(p, "output too large");
  return Status::Ok();
}

Result<MarkedString> Interpreter::Render(const Body& body) { return Capture(body); }

Result<MarkedString> Interpreter::Capture(const Body& body) {
  MarkedString buf;
  MarkedString* saved = out_;
  out_ = &buf;
  Result<Flow> r = Exec(body);
  out_ = saved;
  if (!r.ok()) return r.status();
  return buf;
}

const Value* Interpreter::Lookup(const std::string& name) const {
  for (size_t i = scopes_.size(); i-- > 0;) {
    auto it = scopes_[i].find(name);
    if (it != scopes_[i].end()) return &it->second;
  }
  return nullptr;
}

void Interpreter::Assign(const std::string& name, Value v) { scopes_.back()[name] = std::move(v); }

Result<Interpreter::Flow> Interpreter::Exec(const Body& body) {
  for (const Stmt& s : body) {
    OLLA_ASSIGN_OR_RETURN(Flow f, ExecStmt(s));
    if (f != Flow::kNormal) return f;
  }
  return Flow::kNormal;
}

Result<Interpreter::Flow> Interpreter::ExecStmt(const Stmt& s) {
  OLLA_RETURN_IF_ERROR(Step(s.pos));
  switch (s.kind) {
    case StmtKind::kText:
      out_->Append(s.text, false);
      return Flow::kNormal;
    case StmtKind::kOutput: {
      OLLA_ASSIGN_OR_RETURN(Value v, Eval(*s.expr));
      out_->Append(ToMarked(v));
      return Flow::kNormal;
    }
    case StmtKind::kIf:
      for (size_t i = 0; i < s.conds.size(); ++i) {
        OLLA_ASSIGN_OR_RETURN(Value c, Eval(*s.conds[i]));
        if (Truthy(c)) return Exec(s.bodies[i]);
      }
      if (s.has_else) return Exec(s.else_body);
      return Flow::kNormal;
    case StmtKind::kFor:
      return ExecFor(s);
    case StmtKind::kSet: {
      OLLA_ASSIGN_OR_RETURN(Value v, Eval(*s.expr));
      // Values only grow deeper by being stored and wrapped again, so bounding what is stored
      // bounds every recursive walk (printing, tojson, ==) over the interpreter's values.
      if (v.depth() > kMaxDepth) return Error(s.pos, "value nested too deeply");
      if (s.attr_target) {
        if (ContainsNamespace(v))
          return Error(s.pos, "cannot store a namespace in a namespace attribute");
        const Value* ns = Lookup(s.targets[0]);
        if (!ns || !ns->is_map() || !ns->map().is_namespace) {
          return Error(s.pos, StrCat("cannot assign attribute on non-namespace object '",
                                     s.targets[0], "'"));
        }
        ns->mutable_map().Set(s.targets[1], std::move(v));
      } else if (s.targets.size() == 1) {
        Assign(s.targets[0], std::move(v));
      } else {
        OLLA_ASSIGN_OR_RETURN(std::vector<Value> parts, Iterate(v));
        if (parts.size() != s.targets.size())
          return Error(s.pos, "wrong number of values to unpack");
        for (size_t i = 0; i < parts.size(); ++i) Assign(s.targets[i], parts[i]);
      }
      return Flow::kNormal;
    }
    case StmtKind::kSetBlock:
    case StmtKind::kFilter: {
      OLLA_ASSIGN_OR_RETURN(MarkedString body, Capture(s.bodies[0]));
      Value v(std::move(body));
      if (s.expr) {
        scopes_.emplace_back();
        Assign(kBodyName, v);
        Result<Value> r = Eval(*s.expr);
        scopes_.pop_back();
        if (!r.ok()) return r.status();
        v = std::move(r).value();
      }
      if (s.kind == StmtKind::kSetBlock) {
        if (v.depth() > kMaxDepth) return Error(s.pos, "value nested too deeply");
        Assign(s.targets[0], std::move(v));
      } else {
        out_->Append(ToMarked(v));
      }
      return Flow::kNormal;
    }
    case StmtKind::kMacro:
      Assign(s.targets[0], Value::Function(std::make_shared<Macro>(&s)));
      return Flow::kNormal;
    case StmtKind::kBreak:
      return Flow::kBreak;
    case StmtKind::kContinue:
      return Flow::kContinue;
    case StmtKind::kBlock:
      return Exec(s.bodies[0]);
  }
  return Flow::kNormal;
}

Result<Interpreter::Flow> Interpreter::ExecFor(const Stmt& s) {
  OLLA_ASSIGN_OR_RETURN(Value iterable, Eval(*s.expr));
  if (iterable.is_none()) return Error(s.pos, "'NoneType' object is not iterable");
  OLLA_ASSIGN_OR_RETURN(std::vector<Value> all, Iterate(iterable));
  scopes_.emplace_back();
  auto bind = [&](const Value& item) -> Status {
    if (s.targets.size() == 1) {
      Assign(s.targets[0], item);
      return Status::Ok();
    }
    OLLA_ASSIGN_OR_RETURN(std::vector<Value> parts, Iterate(item));
    if (parts.size() != s.targets.size())
      return Error(s.pos, "wrong number of values to unpack in for loop");
    for (size_t i = 0; i < parts.size(); ++i) Assign(s.targets[i], parts[i]);
    return Status::Ok();
  };
  auto run = [&]() -> Status {
    std::vector<Value> items;
    if (s.cond) {
      for (const Value& item : all) {
        OLLA_RETURN_IF_ERROR(bind(item));
        OLLA_ASSIGN_OR_RETURN(Value keep, Eval(*s.cond));
        if (Truthy(keep)) items.push_back(item);
      }
    } else {
      items = std::move(all);
    }
    for (size_t i = 0; i < items.size(); ++i) {
      OLLA_RETURN_IF_ERROR(Step(s.pos));
      OLLA_RETURN_IF_ERROR(bind(items[i]));
      Assign("loop", MakeLoop(i, items.size(), items));
      OLLA_ASSIGN_OR_RETURN(Flow f, Exec(s.bodies[0]));
      if (f == Flow::kBreak) break;
    }
    if (items.empty() && s.has_else) {
      scopes_.pop_back();
      Result<Flow> r = Exec(s.else_body);
      scopes_.emplace_back();
      if (!r.ok()) return r.status();
    }
    return Status::Ok();
  };
  Status st = run();
  scopes_.pop_back();
  if (!st.ok()) return st;
  return Flow::kNormal;
}

Result<std::vector<Value>> Interpreter::EvalArgs(const Expr& e, size_t first, Kwargs* kwargs) {
  std::vector<Value> args;
  for (size_t i = first; i < e.items.size(); ++i) {
    OLLA_ASSIGN_OR_RETURN(Value v, Eval(*e.items[i]));
    args.push_back(std::move(v));
  }
  for (const auto& [k, ex] : e.kwargs) {
    OLLA_ASSIGN_OR_RETURN(Value v, Eval(*ex));
    kwargs->emplace_back(k, std::move(v));
  }
  return args;
}

Result<Value> Interpreter::Eval(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kLiteral:
      return e.literal;
    case ExprKind::kName: {
      if (const Value* v = Lookup(e.name)) return *v;
      if (IsGlobalFunction(e.name))
        return Value::Function(std::make_shared<BuiltinFunction>(e.name));
      return Value::Undefined();
    }
    case ExprKind::kList:
    case ExprKind::kTuple: {
      std::vector<Value> items;
      for (const auto& i : e.items) {
        OLLA_ASSIGN_OR_RETURN(Value v, Eval(*i));
        items.push_back(std::move(v));
      }
      return Value::List(std::move(items));
    }
    case ExprKind::kDict: {
      auto m = std::make_shared<MapData>();
      for (size_t i = 0; i + 1 < e.items.size(); i += 2) {
        OLLA_ASSIGN_OR_RETURN(Value k, Eval(*e.items[i]));
        OLLA_ASSIGN_OR_RETURN(Value v, Eval(*e.items[i + 1]));
        m->Set(k.is_string() ? k.str().str() : PyStr(k), std::move(v));
      }
      return Value::Map(std::move(m));
    }
    case ExprKind::kGetAttr: {
      OLLA_ASSIGN_OR_RETURN(Value obj, Eval(*e.items[0]));
      if (obj.is_undefined())
        return Error(e.pos, StrCat("'", ExprName(*e.items[0]), "' is undefined"));
      if (const Value* v = obj.Get(e.name)) return *v;
      return Value::Undefined();
    }
    case ExprKind::kGetItem: {
      OLLA_ASSIGN_OR_RETURN(Value obj, Eval(*e.items[0]));
      if (obj.is_undefined())
        return Error(e.pos, StrCat("'", ExprName(*e.items[0]), "' is undefined"));
      OLLA_ASSIGN_OR_RETURN(Value key, Eval(*e.items[1]));
      return GetItem(obj, key, e.pos);
    }
    case ExprKind::kSlice: {
      OLLA_ASSIGN_OR_RETURN(Value obj, Eval(*e.items[0]));
      if (obj.is_undefined())
        return Error(e.pos, StrCat("'", ExprName(*e.items[0]), "' is undefined"));
      return SliceValue(obj, e);
    }
    case ExprKind::kCall:
      return EvalCall(e);
    case ExprKind::kFilter: {
      OLLA_ASSIGN_OR_RETURN(Value v, Eval(*e.items[0]));
      Kwargs kwargs;
      OLLA_ASSIGN_OR_RETURN(std::vector<Value> args, EvalArgs(e, 1, &kwargs));
      return ApplyFilter(e.name, v, args, kwargs, e.pos);
    }
    case ExprKind::kTest: {
      OLLA_ASSIGN_OR_RETURN(Value v, Eval(*e.items[0]));
      Kwargs kwargs;
      OLLA_ASSIGN_OR_RETURN(std::vector<Value> args, EvalArgs(e, 1, &kwargs));
      OLLA_ASSIGN_OR_RETURN(bool r, ApplyTest(e.name, v, args, e.pos));
      return Value(r != e.negated);
    }
    case ExprKind::kUnary: {
      OLLA_ASSIGN_OR_RETURN(Value v, Eval(*e.items[0]));
      if (e.name == "not") return Value(!Truthy(v));
      if (v.is_bool()) v = Value(static_cast<int64_t>(v.bool_value()));
      if (!v.is_number())
        return Error(e.pos,
                     StrCat("bad operand type for unary ", e.name, ": '", PyTypeName(v), "'"));
      if (e.name == "+") return v;
      if (v.is_int() && v.int_value() != INT64_MIN) return Value(-v.int_value());
      return Value(-v.number_value());
    }
    case ExprKind::kBinary:
      return EvalBinary(e);
    case ExprKind::kCond: {
      OLLA_ASSIGN_OR_RETURN(Value c, Eval(*e.items[0]));
      if (Truthy(c)) return Eval(*e.items[1]);
      if (e.items[2]) return Eval(*e.items[2]);
      return Value::Undefined();
    }
  }
  return Value::Undefined();
}

Result<Value> Interpreter::GetItem(const Value& obj, const Value& key, Pos pos) {
  (void)pos;
  if ((obj.is_list() || obj.is_string()) && (key.is_int() || key.is_bool())) {
    int64_t n = key.is_int() ? key.int_value() : key.bool_value();
    if (obj.is_list()) {
      int64_t len = static_cast<int64_t>(obj.list().size());
      if (n < 0) n += len;
      if (n < 0 || n >= len) return Value::Undefined();
      return obj.list()[static_cast<size_t>(n)];
    }
    OLLA_ASSIGN_OR_RETURN(std::vector<Value> chars, Iterate(obj));
    int64_t len = static_cast<int64_t>(chars.size());
    if (n < 0) n += len;
    if (n < 0 || n >= len) return Value::Undefined();
    return chars[static_cast<size_t>(n)];
  }
  if (obj.is_map()) {
    const Value* v = obj.map().Find(key.is_string() ? key.str().str() : PyStr(key));
    return v ? *v : Value::Undefined();
  }
  return Value::Undefined();
}

Result<Value> Interpreter::SliceValue(const Value& obj, const Expr& e) {
  std::vector<Value> items;
  if (obj.is_list()) {
    items = obj.list();
  } else if (obj.is_string()) {
    OLLA_ASSIGN_OR_RETURN(items, Iterate(obj));
  } else {
    return Error(e.pos, StrCat("'", PyTypeName(obj), "' object is not subscriptable"));
  }
  int64_t len = static_cast<int64_t>(items.size());
  int64_t idx[3] = {0, 0, 1};
  bool given[3] = {false, false, false};
  for (int i = 0; i < 3; ++i) {
    if (!e.items[static_cast<size_t>(i) + 1]) continue;
    OLLA_ASSIGN_OR_RETURN(Value v, Eval(*e.items[static_cast<size_t>(i) + 1]));
    if (v.is_none()) continue;
    if (!v.is_int()) return Error(e.pos, "slice indices must be integers or None");
    idx[i] = v.int_value();
    given[i] = true;
  }
  int64_t step = idx[2];
  if (step == 0) return Error(e.pos, "slice step cannot be zero");
  auto clamp = [&](int64_t v, bool is_given, int64_t dflt) {
    if (!is_given) return dflt;
    if (v < 0) v += len;
    if (step > 0) return std::clamp<int64_t>(v, 0, len);
    return std::clamp<int64_t>(v, -1, len - 1);
  };
  int64_t start = clamp(idx[0], given[0], step > 0 ? 0 : len - 1);
  int64_t stop = clamp(idx[1], given[1], step > 0 ? len : -1);
  std::vector<Value> out;
  for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step)
    out.push_back(items[static_cast<size_t>(i)]);
  if (!obj.is_string()) return Value::List(std::move(out));
  // Contiguous string slices keep the input marking; others are rebuilt character by character.
  MarkedString s;
  for (const Value& c : out) s.Append(c.str());
  return Value(std::move(s));
}

Result<Value> Interpreter::EvalCall(const Expr& e) {
  const Expr& callee = *e.items[0];
  Kwargs kwargs;
  if (callee.kind == ExprKind::kGetAttr) {
    OLLA_ASSIGN_OR_RETURN(Value obj, Eval(*callee.items[0]));
    if (obj.is_undefined())
      return Error(e.pos, StrCat("'", ExprName(*callee.items[0]), "' is undefined"));
    OLLA_ASSIGN_OR_RETURN(std::vector<Value> args, EvalArgs(e, 1, &kwargs));
    if (const Value* member = obj.Get(callee.name); member && member->is_callable()) {
      return Call(*member, args, kwargs, e.pos);
    }
    bool found = true;
    Result<Value> r = CallMethod(obj, callee.name, args, kwargs, &found);
    if (!found)
      return Error(e.pos,
                   StrCat("'", PyTypeName(obj), "' object has no attribute '", callee.name, "'"));
    if (!r.ok()) return Error(e.pos, r.status().message());
    return r;
  }
  OLLA_ASSIGN_OR_RETURN(Value fn, Eval(callee));
  OLLA_ASSIGN_OR_RETURN(std::vector<Value> args, EvalArgs(e, 1, &kwargs));
  if (fn.is_undefined()) return Error(e.pos, StrCat("'", ExprName(callee), "' is undefined"));
  return Call(fn, args, kwargs, e.pos);
}

Result<Value> Interpreter::Call(const Value& fn, const std::vector<Value>& args,
                                const Kwargs& kwargs, Pos pos) {
  if (!fn.is_callable()) return Error(pos, StrCat("'", PyTypeName(fn), "' object is not callable"));
  if (auto* b = dynamic_cast<BuiltinFunction*>(fn.callable().get())) {
    Result<Value> r = CallGlobal(*this, b->name, args, kwargs);
    // raise_exception's message is the template author's text: pass it through unchanged.
    if (!r.ok() && b->name != "raise_exception") return Error(pos, r.status().message());
    return r;
  }
  auto* m = dynamic_cast<Macro*>(fn.callable().get());
  if (!m) return Error(pos, "object is not callable");
  const Stmt& def = *m->def;
  if (args.size() > def.params.size()) {
    return Error(pos, StrCat("macro '", def.targets[0], "' takes not more than ", def.params.size(),
                             " argument(s)"));
  }
  if (++call_depth_ > kMaxCallDepth) return Error(pos, "maximum macro recursion depth exceeded");
  Scope scope;
  for (size_t i = 0; i < def.params.size(); ++i) {
    const auto& [pname, dflt] = def.params[i];
    Value v = Value::Undefined();
    if (i < args.size()) {
      v = args[i];
    } else {
      bool given = false;
      for (const auto& [k, kv] : kwargs) {
        if (k == pname) v = kv, given = true;
      }
      if (!given && dflt) {
        Result<Value> d = Eval(*dflt);
        if (!d.ok()) {
          --call_depth_;
          return d.status();
        }
        v = std::move(d).value();
      }
    }
    scope[pname] = std::move(v);
  }
  scopes_.push_back(std::move(scope));
  Result<MarkedString> r = Capture(def.bodies[0]);
  scopes_.pop_back();
  --call_depth_;
  if (!r.ok()) return r.status();
  return Value(std::move(r).value());
}

Result<Value> Interpreter::ApplyFilter(std::string_view name, const Value& v,
                                       const std::vector<Value>& args, const Kwargs& kwargs,
                                       Pos pos) {
  bool found = true;
  Result<Value> r = BuiltinFilter(*this, name, v, args, kwargs, &found);
  if (!found) return Error(pos, StrCat("no filter named '", name, "'"));
  if (!r.ok() && r.status().message().rfind("jinja: ", 0) != 0)
    return Error(pos, r.status().message());
  return r;
}

Result<bool> Interpreter::ApplyTest(std::string_view name, const Value& v,
                                    const std::vector<Value>& args, Pos pos) {
  bool found = true;
  Result<bool> r = BuiltinTest(*this, name, v, args, &found);
  if (!found) return Error(pos, StrCat("no test named '", name, "'"));
  if (!r.ok() && r.status().message().rfind("jinja: ", 0) != 0)
    return Error(pos, r.status().message());
  return r;
}

}  // namespace olla::chat::jinja
