// Parser for Go text/template, following text/template/parse: the same node kinds, the same
// parse-time checks (undefined variables and functions, {{break}} outside {{range}}, empty
// pipelines, non-executable pipeline stages) and `else if` / `else with` chaining.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string_view>

#include "base/str_cat.h"
#include "chat/go/go_ast.h"
#include "chat/go/go_lexer.h"

namespace olla::chat::gotmpl {

// The functions a template may call (spec §9.1); parse fails on any other identifier.
bool IsBuiltinFunction(std::string_view name) {
  static constexpr std::string_view kNames[] = {"and",
                                                "or",
                                                "not",
                                                "eq",
                                                "ne",
                                                "lt",
                                                "le",
                                                "gt",
                                                "ge",
                                                "len",
                                                "index",
                                                "slice",
                                                "print",
                                                "printf",
                                                "println",
                                                "html",
                                                "js",
                                                "urlquery",
                                                "call",
                                                "json",
                                                "currentDate",
                                                "yesterdayDate",
                                                "toTypeScriptType"};
  return std::find(std::begin(kNames), std::end(kNames), name) != std::end(kNames);
}

namespace {

constexpr int kMaxDepth = 200;

class Parser {
 public:
  explicit Parser(std::vector<Token> toks) : toks_(std::move(toks)) {}

  Result<Tree> Run() {
    Tree tree;
    while (Peek().type != Tok::kEof) {
      if (Peek().type == Tok::kLeftDelim && Peek(1).type == Tok::kIdentifier &&
          Peek(1).text == "define") {
        Next();
        Next();
        OLLA_RETURN_IF_ERROR(ParseDefinition(tree));
        continue;
      }
      Node node;
      OLLA_ASSIGN_OR_RETURN(End end, TextOrAction(tree, node));
      if (end != End::kNone) return Error(last_pos_, StrCat("unexpected {{", EndName(end), "}}"));
      tree.root.push_back(std::move(node));
    }
    return tree;
  }

 private:
  enum class End { kNone, kEnd, kElse };
  static const char* EndName(End e) { return e == End::kEnd ? "end" : "else"; }

  const Token& Peek(size_t ahead = 0) const {
    return toks_[std::min(pos_ + ahead, toks_.size() - 1)];
  }
  const Token& Next() {
    const Token& t = toks_[std::min(pos_, toks_.size() - 1)];
    if (pos_ < toks_.size() - 1) ++pos_;
    last_pos_ = t.pos;
    return t;
  }
  Status Error(Pos p, std::string_view msg) const {
    return Status::InvalidArgument(StrCat("template: ", p.line, ":", p.col, ": ", msg));
  }
  Status Expect(Tok type, std::string_view context) {
    const Token& t = Next();
    if (t.type != type) return Error(t.pos, StrCat("unexpected \"", t.text, "\" in ", context));
    return Status::Ok();
  }

  Status ParseDefinition(Tree& tree) {
    const Token& name = Next();
    if (name.type != Tok::kString)
      return Error(name.pos, "name of template in define must be a string");
    std::string tname = name.text;
    OLLA_RETURN_IF_ERROR(Expect(Tok::kRightDelim, "define clause"));
    NodeList body;
    std::vector<std::string> outer_vars = std::move(vars_);
    vars_.clear();
    auto end_or = ItemList(tree, body);
    vars_ = std::move(outer_vars);
    OLLA_ASSIGN_OR_RETURN(End end, std::move(end_or));
    if (end != End::kEnd) return Error(last_pos_, "unexpected {{else}} in define");
    tree.defines[tname] = std::move(body);
    return Status::Ok();
  }

  // Parses nodes until {{end}} or {{else}} (consumed) or EOF (error).
  Result<End> ItemList(Tree& tree, NodeList& out) {
    if (++depth_ > kMaxDepth) return Error(Peek().pos, "template nesting too deep");
    while (true) {
      if (Peek().type == Tok::kEof) return Error(Peek().pos, "unexpected EOF");
      Node node;
      OLLA_ASSIGN_OR_RETURN(End end, TextOrAction(tree, node));
      if (end != End::kNone) {
        --depth_;
        return end;
      }
      out.push_back(std::move(node));
    }
  }

  Result<End> TextOrAction(Tree& tree, Node& node) {
    const Token& t = Next();
    if (t.type == Tok::kText) {
      node.type = NodeType::kText;
      node.pos = t.pos;
      node.text = t.text;
      return End::kNone;
    }
    if (t.type != Tok::kLeftDelim)
      return Error(t.pos, StrCat("unexpected \"", t.text, "\" in input"));
    return Action(tree, node);
  }

  Result<End> Action(Tree& tree, Node& node) {
    const Token& t = Peek();
    node.pos = t.pos;
    if (t.type == Tok::kIdentifier) {
      const std::string& kw = t.text;
      if (kw == "end" || kw == "else") {
        Next();
        if (kw == "else")
          return End::kElse;  // Control consumes the rest: "}}" or "if ..."/"with ..."
        OLLA_RETURN_IF_ERROR(Expect(Tok::kRightDelim, kw));
        return End::kEnd;
      }
      if (kw == "if" || kw == "range" || kw == "with") {
        Next();
        OLLA_RETURN_IF_ERROR(Control(tree, node, kw));
        return End::kNone;
      }
      if (kw == "break" || kw == "continue") {
        Next();
        if (range_depth_ == 0) return Error(t.pos, StrCat("{{", kw, "}} outside {{range}}"));
        OLLA_RETURN_IF_ERROR(Expect(Tok::kRightDelim, kw));
        node.type = kw == "break" ? NodeType::kBreak : NodeType::kContinue;
        return End::kNone;
      }
      if (kw == "template" || kw == "block") {
        Next();
        OLLA_RETURN_IF_ERROR(TemplateOrBlock(tree, node, kw == "block"));
        return End::kNone;
      }
      if (kw == "define") return Error(t.pos, "unexpected {{define}}: only allowed at top level");
    }
    node.type = NodeType::kAction;
    OLLA_ASSIGN_OR_RETURN(node.pipe, Pipeline("command", Tok::kRightDelim));
    return End::kNone;
  }

  Status Control(Tree& tree, Node& node, const std::string& kw) {
    node.type = kw == "if" ? NodeType::kIf : kw == "range" ? NodeType::kRange : NodeType::kWith;
    size_t vars_mark = vars_.size();
    OLLA_ASSIGN_OR_RETURN(node.pipe, Pipeline(kw, Tok::kRightDelim));
    if (kw == "range") ++range_depth_;
    OLLA_ASSIGN_OR_RETURN(End end, ItemList(tree, node.list));
    if (kw == "range") --range_depth_;
    if (end == End::kElse) {
      node.has_else = true;
      // `{{else if ...}}` / `{{else with ...}}`: an else branch holding one nested control that
      // shares our {{end}}.
      if (Peek().type == Tok::kIdentifier && (Peek().text == "if" || Peek().text == "with") &&
          kw != "range") {
        if (Peek().text != kw)
          return Error(Peek().pos, StrCat("unexpected ", Peek().text, " in else of ", kw));
        Node nested;
        nested.pos = Peek().pos;
        Next();
        OLLA_RETURN_IF_ERROR(Control(tree, nested, kw));
        node.else_list.push_back(std::move(nested));
      } else {
        if (Peek().type != Tok::kRightDelim)
          return Error(Peek().pos, "unexpected token after else");
        Next();
        OLLA_ASSIGN_OR_RETURN(End end2, ItemList(tree, node.else_list));
        if (end2 != End::kEnd) return Error(last_pos_, "expected end; found {{else}}");
      }
    }
    vars_.resize(vars_mark);
    return Status::Ok();
  }

  Status TemplateOrBlock(Tree& tree, Node& node, bool block) {
    node.type = NodeType::kTemplate;
    const Token& name = Next();
    if (name.type != Tok::kString) return Error(name.pos, "template name must be a string");
    node.text = name.text;
    if (Peek().type != Tok::kRightDelim) {
      OLLA_ASSIGN_OR_RETURN(node.pipe, Pipeline(block ? "block" : "template", Tok::kRightDelim));
    } else {
      Next();
      if (block) return Error(name.pos, "missing value for block");
      // Ollama rejects a template call without an argument pipeline (spec §9.1).
      return Error(name.pos, "undefined template specified");
    }
    if (block) {
      NodeList body;
      OLLA_ASSIGN_OR_RETURN(End end, ItemList(tree, body));
      if (end != End::kEnd) return Error(last_pos_, "unexpected {{else}} in block");
      tree.defines[node.text] = std::move(body);
    }
    return Status::Ok();
  }

  // Parses a pipeline up to and including `end` (a right delimiter or right paren).
  Result<std::shared_ptr<const Pipe>> Pipeline(std::string_view context, Tok end) {
    if (++depth_ > kMaxDepth) return Error(Peek().pos, "template nesting too deep");
    auto pipe = std::make_shared<Pipe>();
    pipe->pos = Peek().pos;
    // Declarations: $x := / $x = / (range) $i, $v :=
    if (Peek().type == Tok::kVariable) {
      Tok after = Peek(1).type;
      if (after == Tok::kDeclare || after == Tok::kAssign) {
        std::string var = Next().text;
        pipe->is_assign = Next().type == Tok::kAssign;
        if (pipe->is_assign) {
          OLLA_RETURN_IF_ERROR(CheckVariable(var, pipe->pos));
        } else {
          vars_.push_back(var);
        }
        pipe->decl.push_back(var);
      } else if (after == Tok::kComma) {
        if (context != "range")
          return Error(Peek().pos, StrCat("too many declarations in ", context));
        std::string v1 = Next().text;
        Next();
        if (Peek().type != Tok::kVariable ||
            (Peek(1).type != Tok::kDeclare && Peek(1).type != Tok::kAssign)) {
          return Error(Peek().pos, "expected variable declaration after comma in range");
        }
        std::string v2 = Next().text;
        pipe->is_assign = Next().type == Tok::kAssign;
        for (const auto& v : {v1, v2}) {
          if (pipe->is_assign) {
            OLLA_RETURN_IF_ERROR(CheckVariable(v, pipe->pos));
          } else {
            vars_.push_back(v);
          }
          pipe->decl.push_back(v);
        }
      }
    }
    while (true) {
      const Token& t = Peek();
      if (t.type == end) {
        Next();
        break;
      }
      switch (t.type) {
        case Tok::kIdentifier:
        case Tok::kField:
        case Tok::kVariable:
        case Tok::kDot:
        case Tok::kString:
        case Tok::kChar:
        case Tok::kNumber:
        case Tok::kLParen: {
          Command cmd;
          OLLA_RETURN_IF_ERROR(ParseCommand(cmd, end));
          pipe->cmds.push_back(std::move(cmd));
          break;
        }
        default:
          return Error(t.pos, StrCat("unexpected \"", t.text, "\" in ", context));
      }
    }
    if (pipe->cmds.empty()) return Error(pipe->pos, StrCat("missing value for ", context));
    for (size_t i = 1; i < pipe->cmds.size(); ++i) {
      ArgType first = pipe->cmds[i].args[0].type;
      if (first == ArgType::kLiteral || first == ArgType::kDot || first == ArgType::kNil) {
        return Error(pipe->cmds[i].pos, StrCat("non executable command in pipeline stage ", i + 1));
      }
    }
    --depth_;
    return std::shared_ptr<const Pipe>(std::move(pipe));
  }

  Status CheckVariable(const std::string& name, Pos p) const {
    if (name == "$" || std::find(vars_.begin(), vars_.end(), name) != vars_.end())
      return Status::Ok();
    return Error(p, StrCat("undefined variable \"", name, "\""));
  }

  Status ParseCommand(Command& cmd, Tok end) {
    cmd.pos = Peek().pos;
    while (true) {
      Arg arg;
      OLLA_RETURN_IF_ERROR(Operand(arg));
      cmd.args.push_back(std::move(arg));
      const Token& t = Peek();
      if (t.type == end || t.type == Tok::kRightDelim || t.type == Tok::kRParen) break;
      if (t.type == Tok::kPipe) {
        Next();
        if (Peek().type == end) return Error(Peek().pos, "missing command after |");
        break;
      }
      if (!t.space_before) return Error(t.pos, StrCat("unexpected \"", t.text, "\" in operand"));
    }
    return Status::Ok();
  }

  Status Operand(Arg& arg) {
    OLLA_RETURN_IF_ERROR(Term(arg));
    if (Peek().type == Tok::kField && !Peek().space_before) {
      std::vector<std::string> fields;
      while (Peek().type == Tok::kField && !Peek().space_before) fields.push_back(Next().text);
      switch (arg.type) {
        case ArgType::kField:
        case ArgType::kVariable:
          arg.ident.insert(arg.ident.end(), fields.begin(), fields.end());
          break;
        case ArgType::kPipe:
        case ArgType::kIdentifier:
          if (arg.type == ArgType::kIdentifier)
            return Error(arg.pos, "unexpected . after function name");
          arg.type = ArgType::kChain;
          arg.ident = std::move(fields);
          break;
        default:
          return Error(arg.pos, "unexpected . after term");
      }
    }
    return Status::Ok();
  }

  Status Term(Arg& arg) {
    const Token& t = Next();
    arg.pos = t.pos;
    switch (t.type) {
      case Tok::kIdentifier:
        if (t.text == "true" || t.text == "false") {
          arg.type = ArgType::kLiteral;
          arg.literal = Value(t.text == "true");
        } else if (t.text == "nil") {
          arg.type = ArgType::kNil;
        } else if (IsBuiltinFunction(t.text)) {
          arg.type = ArgType::kIdentifier;
          arg.ident = {t.text};
        } else {
          return Error(t.pos, StrCat("function \"", t.text, "\" not defined"));
        }
        return Status::Ok();
      case Tok::kField:
        arg.type = ArgType::kField;
        arg.ident = {t.text};
        return Status::Ok();
      case Tok::kVariable:
        OLLA_RETURN_IF_ERROR(CheckVariable(t.text, t.pos));
        arg.type = ArgType::kVariable;
        arg.ident = {t.text};
        return Status::Ok();
      case Tok::kDot:
        arg.type = ArgType::kDot;
        return Status::Ok();
      case Tok::kString:
        arg.type = ArgType::kLiteral;
        arg.literal = Value::Str(t.text);
        return Status::Ok();
      case Tok::kChar:
        arg.type = ArgType::kLiteral;
        arg.literal = Value(static_cast<int64_t>(std::strtoll(t.text.c_str(), nullptr, 10)));
        return Status::Ok();
      case Tok::kNumber:
        arg.type = ArgType::kLiteral;
        return ParseNumber(t, arg.literal);
      case Tok::kLParen: {
        arg.type = ArgType::kPipe;
        OLLA_ASSIGN_OR_RETURN(arg.pipe, Pipeline("parenthesized pipeline", Tok::kRParen));
        return Status::Ok();
      }
      default:
        return Error(t.pos, StrCat("unexpected \"", t.text, "\" in operand"));
    }
  }

  // Integer literals (decimal, 0x, 0o, 0b, leading-0 octal, underscores) become int; anything
  // with a '.', exponent, or too large becomes float, as Go's idealConstant does.
  Status ParseNumber(const Token& t, Value& out) const {
    std::string s;
    for (char c : t.text) {
      if (c != '_') s += c;
    }
    bool neg = !s.empty() && s[0] == '-';
    std::string_view body = s;
    if (!body.empty() && (body[0] == '-' || body[0] == '+')) body.remove_prefix(1);
    int base = 10;
    if (body.size() > 1 && body[0] == '0') {
      char p = static_cast<char>(std::tolower(static_cast<unsigned char>(body[1])));
      if (p == 'x')
        base = 16, body.remove_prefix(2);
      else if (p == 'o')
        base = 8, body.remove_prefix(2);
      else if (p == 'b')
        base = 2, body.remove_prefix(2);
      else if (body.find_first_of(".eE") == std::string_view::npos)
        base = 8, body.remove_prefix(1);
    }
    if (base != 10 || body.find_first_of(".eE") == std::string_view::npos) {
      uint64_t u = 0;
      auto res = std::from_chars(body.data(), body.data() + body.size(), u, base);
      if (res.ec == std::errc() && res.ptr == body.data() + body.size() && !body.empty()) {
        if (u <= static_cast<uint64_t>(INT64_MAX) + (neg ? 1 : 0)) {
          out = Value(neg ? static_cast<int64_t>(0 - u) : static_cast<int64_t>(u));
          return Status::Ok();
        }
        out = Value(neg ? -static_cast<double>(u) : static_cast<double>(u));
        return Status::Ok();
      }
      if (base != 10) return Error(t.pos, StrCat("illegal number syntax: ", t.text));
    }
    char* endp = nullptr;
    double d = std::strtod(s.c_str(), &endp);
    if (endp != s.c_str() + s.size() || s.empty() || !std::isfinite(d)) {
      return Error(t.pos, StrCat("illegal number syntax: ", t.text));
    }
    out = Value(d);
    return Status::Ok();
  }

  std::vector<Token> toks_;
  size_t pos_ = 0;
  Pos last_pos_;
  int depth_ = 0;
  int range_depth_ = 0;
  std::vector<std::string> vars_;
};

}  // namespace

Result<Tree> ParseTree(std::string_view text) {
  OLLA_ASSIGN_OR_RETURN(std::vector<Token> toks, Lex(text));
  return Parser(std::move(toks)).Run();
}

}  // namespace olla::chat::gotmpl
