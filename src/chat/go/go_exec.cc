// Executor for Go text/template trees, following text/template's exec.go: variable stack with
// marks, lazy and/or, range over lists/maps/ints with break/continue, with/if truthiness, and
// missingkey=zero field lookup on maps.

#include "chat/go/go_exec.h"

#include <utility>

#include "base/str_cat.h"

namespace olla::chat::gotmpl {
namespace {

constexpr int kMaxTemplateDepth = 100;
constexpr size_t kMaxOutput = 64u << 20;

enum class Flow { kNormal, kBreak, kContinue };

std::string TypeName(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kBool:
      return "bool";
    case Value::Kind::kInt:
      return "int";
    case Value::Kind::kFloat:
      return "float64";
    case Value::Kind::kString:
      return "string";
    case Value::Kind::kList:
      return "slice";
    case Value::Kind::kMap:
      return v.map().go.is_struct ? "struct" : "map";
    default:
      return "interface {}";
  }
}

std::string Describe(const std::vector<std::string>& ident) {
  std::string s;
  for (const auto& i : ident) {
    if (!s.empty() || i[0] != '$') s += '.';
    s += i;
  }
  return s;
}

class Executor {
 public:
  Executor(const Tree& tree, const GoExecOptions& opts) : tree_(tree), opts_(opts) {}

  Result<RenderedPrompt> Run(const Value& data) {
    vars_.push_back({"$", data});
    OLLA_ASSIGN_OR_RETURN(Flow f, Walk(data, tree_.root));
    (void)f;
    return std::move(out_);
  }

 private:
  Status Error(Pos p, std::string_view msg) const {
    return Status::InvalidArgument(StrCat("template: ", p.line, ":", p.col, ": executing: ", msg));
  }

  Status Step(Pos p) {
    if (++steps_ > opts_.max_steps) return Error(p, "execution step limit exceeded");
    if (out_.text.size() > kMaxOutput) return Error(p, "output too large");
    return Status::Ok();
  }

  Result<Flow> Walk(const Value& dot, const NodeList& list) {
    for (const Node& n : list) {
      OLLA_ASSIGN_OR_RETURN(Flow f, WalkNode(dot, n));
      if (f != Flow::kNormal) return f;
    }
    return Flow::kNormal;
  }

  Result<Flow> WalkNode(const Value& dot, const Node& n) {
    OLLA_RETURN_IF_ERROR(Step(n.pos));
    switch (n.type) {
      case NodeType::kText:
        out_.Append(n.text, true);
        return Flow::kNormal;
      case NodeType::kAction: {
        // A declaration prints nothing; its variable stays visible until the enclosing control
        // structure ends.
        OLLA_ASSIGN_OR_RETURN(Value v, EvalPipeline(dot, *n.pipe));
        if (n.pipe->decl.empty()) out_.Append(GoPrint(v));
        return Flow::kNormal;
      }
      case NodeType::kIf:
      case NodeType::kWith: {
        size_t mark = vars_.size();
        OLLA_ASSIGN_OR_RETURN(Value v, EvalPipeline(dot, *n.pipe));
        Result<Flow> r = Flow::kNormal;
        if (GoTruth(v)) {
          r = Walk(n.type == NodeType::kWith ? v : dot, n.list);
        } else if (n.has_else) {
          r = Walk(dot, n.else_list);
        }
        vars_.resize(mark);
        return r;
      }
      case NodeType::kRange: {
        size_t mark = vars_.size();
        Result<Flow> r = WalkRange(dot, n);
        vars_.resize(mark);
        if (!r.ok()) return r.status();
        return Flow::kNormal;
      }
      case NodeType::kBreak:
        return Flow::kBreak;
      case NodeType::kContinue:
        return Flow::kContinue;
      case NodeType::kTemplate:
        return WalkTemplate(dot, n);
    }
    return Flow::kNormal;
  }

  Result<Flow> WalkTemplate(const Value& dot, const Node& n) {
    auto it = tree_.defines.find(n.text);
    if (it == tree_.defines.end()) return Error(n.pos, StrCat("no such template \"", n.text, "\""));
    Value arg;
    if (n.pipe) {
      OLLA_ASSIGN_OR_RETURN(arg, EvalPipeline(dot, *n.pipe));
    }
    if (++template_depth_ > kMaxTemplateDepth)
      return Error(n.pos, "exceeded maximum template depth");
    std::vector<std::pair<std::string, Value>> saved = std::move(vars_);
    vars_ = {{"$", arg}};
    Result<Flow> r = Walk(arg, it->second);
    vars_ = std::move(saved);
    --template_depth_;
    if (!r.ok()) return r.status();
    return Flow::kNormal;
  }

  Result<Flow> WalkRange(const Value& dot, const Node& n) {
    OLLA_ASSIGN_OR_RETURN(Value v, EvalPipeline(dot, *n.pipe));
    const auto& decl = n.pipe->decl;
    size_t base = vars_.size();  // declared variables are the top decl.size() entries
    auto one = [&](const Value& key, const Value& elem) -> Result<Flow> {
      if (n.pipe->is_assign) {
        if (decl.size() == 1) OLLA_RETURN_IF_ERROR(SetVar(decl[0], elem, n.pos));
        if (decl.size() == 2) {
          OLLA_RETURN_IF_ERROR(SetVar(decl[0], key, n.pos));
          OLLA_RETURN_IF_ERROR(SetVar(decl[1], elem, n.pos));
        }
      } else if (decl.size() == 1) {
        vars_[base - 1].second = elem;
      } else if (decl.size() == 2) {
        vars_[base - 2].second = key;
        vars_[base - 1].second = elem;
      }
      size_t mark = vars_.size();
      Result<Flow> r = Walk(elem, n.list);
      vars_.resize(mark);
      return r;
    };
    bool any = false;
    switch (v.kind()) {
      case Value::Kind::kList: {
        const auto& items = v.list();
        for (size_t i = 0; i < items.size(); ++i) {
          any = true;
          OLLA_RETURN_IF_ERROR(Step(n.pos));
          OLLA_ASSIGN_OR_RETURN(Flow f, one(Value(static_cast<int64_t>(i)), items[i]));
          if (f == Flow::kBreak) break;
        }
        break;
      }
      case Value::Kind::kMap: {
        if (v.map().go.is_struct) return Error(n.pos, "range can't iterate over struct");
        for (const auto* e : v.map().Iteration()) {
          any = true;
          OLLA_RETURN_IF_ERROR(Step(n.pos));
          OLLA_ASSIGN_OR_RETURN(Flow f, one(Value::Str(e->first, true), e->second));
          if (f == Flow::kBreak) break;
        }
        break;
      }
      case Value::Kind::kInt: {
        if (decl.size() > 1)
          return Error(n.pos, "can't use a second variable when ranging over an int");
        for (int64_t i = 0; i < v.int_value(); ++i) {
          any = true;
          OLLA_RETURN_IF_ERROR(Step(n.pos));
          OLLA_ASSIGN_OR_RETURN(Flow f, one(Value(i), Value(i)));
          if (f == Flow::kBreak) break;
        }
        break;
      }
      case Value::Kind::kNone:
      case Value::Kind::kUndefined:
        break;
      default:
        return Error(n.pos, StrCat("range can't iterate over ", GoPrint(v).str()));
    }
    if (!any && n.has_else) return Walk(dot, n.else_list);
    return Flow::kNormal;
  }

  Status SetVar(const std::string& name, const Value& v, Pos p) {
    for (size_t i = vars_.size(); i-- > 0;) {
      if (vars_[i].first == name) {
        vars_[i].second = v;
        return Status::Ok();
      }
    }
    return Error(p, StrCat("undefined variable: ", name));
  }

  Result<Value> LookupVar(const std::string& name, Pos p) const {
    for (size_t i = vars_.size(); i-- > 0;) {
      if (vars_[i].first == name) return vars_[i].second;
    }
    return Error(p, StrCat("undefined variable: ", name));
  }

  Result<Value> EvalPipeline(const Value& dot, const Pipe& pipe) {
    Value v;
    bool have = false;
    for (const Command& cmd : pipe.cmds) {
      OLLA_ASSIGN_OR_RETURN(v, EvalCommand(dot, cmd, have ? &v : nullptr));
      have = true;
    }
    for (const std::string& name : pipe.decl) {
      if (pipe.is_assign) {
        OLLA_RETURN_IF_ERROR(SetVar(name, v, pipe.pos));
      } else {
        vars_.push_back({name, v});
      }
    }
    return v;
  }

  Status NotAFunction(const Command& cmd, const Value* final, std::string_view what) const {
    if (cmd.args.size() > 1 || final)
      return Error(cmd.pos, StrCat("can't give argument to non-function ", what));
    return Status::Ok();
  }

  Result<Value> EvalCommand(const Value& dot, const Command& cmd, const Value* final) {
    const Arg& first = cmd.args[0];
    switch (first.type) {
      case ArgType::kIdentifier:
        return CallFunction(dot, cmd, final);
      case ArgType::kField:
        OLLA_RETURN_IF_ERROR(NotAFunction(cmd, final, Describe(first.ident)));
        return FieldChain(dot, first.ident, 0, first.pos);
      case ArgType::kVariable: {
        OLLA_RETURN_IF_ERROR(NotAFunction(cmd, final, Describe(first.ident)));
        OLLA_ASSIGN_OR_RETURN(Value v, LookupVar(first.ident[0], first.pos));
        return FieldChain(v, first.ident, 1, first.pos);
      }
      default:
        OLLA_RETURN_IF_ERROR(NotAFunction(cmd, final, "literal"));
        return EvalArg(dot, first);
    }
  }

  Result<Value> EvalArg(const Value& dot, const Arg& arg) {
    switch (arg.type) {
      case ArgType::kDot:
        return dot;
      case ArgType::kNil:
        return Value();
      case ArgType::kLiteral:
        return arg.literal;
      case ArgType::kField:
        return FieldChain(dot, arg.ident, 0, arg.pos);
      case ArgType::kVariable: {
        OLLA_ASSIGN_OR_RETURN(Value v, LookupVar(arg.ident[0], arg.pos));
        return FieldChain(v, arg.ident, 1, arg.pos);
      }
      case ArgType::kPipe: {
        size_t mark = vars_.size();
        Result<Value> r = EvalPipeline(dot, *arg.pipe);
        vars_.resize(mark);
        return r;
      }
      case ArgType::kChain: {
        size_t mark = vars_.size();
        Result<Value> r = EvalPipeline(dot, *arg.pipe);
        vars_.resize(mark);
        if (!r.ok()) return r.status();
        return FieldChain(*r, arg.ident, 0, arg.pos);
      }
      case ArgType::kIdentifier: {
        Command cmd;
        cmd.pos = arg.pos;
        cmd.args.push_back(arg);
        return CallFunction(dot, cmd, nullptr);
      }
    }
    return Value();
  }

  // Evaluates receiver.ident[start].ident[start+1]...
  Result<Value> FieldChain(Value receiver, const std::vector<std::string>& ident, size_t start,
                           Pos p) {
    for (size_t i = start; i < ident.size(); ++i) {
      const std::string& name = ident[i];
      if (receiver.is_map()) {
        const Value* f = receiver.map().Find(name);
        if (f) {
          receiver = *f;
        } else if (receiver.map().go.is_struct) {
          return Error(p, StrCat("can't evaluate field ", name, " in type struct"));
        } else {
          receiver = Value();  // missingkey=zero
        }
      } else if (receiver.is_undefined()) {
        receiver = Value();
      } else if (receiver.is_none()) {
        return Error(p, StrCat("nil pointer evaluating interface {}.", name));
      } else {
        return Error(p, StrCat("can't evaluate field ", name, " in type ", TypeName(receiver)));
      }
    }
    return receiver;
  }

  Result<Value> CallFunction(const Value& dot, const Command& cmd, const Value* final) {
    const std::string& name = cmd.args[0].ident[0];
    if (name == "and" || name == "or") {
      if (cmd.args.size() < 2 && !final)
        return Error(cmd.pos, StrCat("wrong number of args for ", name, ": want at least 1 got 0"));
      Value v;
      for (size_t i = 1; i < cmd.args.size(); ++i) {
        OLLA_ASSIGN_OR_RETURN(v, EvalArg(dot, cmd.args[i]));
        if (GoTruth(v) == (name == "or")) return v;
      }
      if (final) v = *final;
      return v;
    }
    if (name == "call")
      return Error(cmd.pos, "error calling call: function calls are not supported");
    std::vector<Value> args;
    args.reserve(cmd.args.size());
    for (size_t i = 1; i < cmd.args.size(); ++i) {
      OLLA_ASSIGN_OR_RETURN(Value v, EvalArg(dot, cmd.args[i]));
      args.push_back(std::move(v));
    }
    if (final) args.push_back(*final);
    Result<Value> r = CallBuiltin(name, args, opts_);
    if (!r.ok()) return Error(cmd.pos, StrCat("error calling ", name, ": ", r.status().message()));
    return r;
  }

  const Tree& tree_;
  const GoExecOptions& opts_;
  RenderedPrompt out_;
  std::vector<std::pair<std::string, Value>> vars_;
  int64_t steps_ = 0;
  int template_depth_ = 0;
};

}  // namespace

Result<RenderedPrompt> ExecuteTree(const Tree& tree, const Value& data, const GoExecOptions& opts) {
  return Executor(tree, opts).Run(data);
}

}  // namespace olla::chat::gotmpl
