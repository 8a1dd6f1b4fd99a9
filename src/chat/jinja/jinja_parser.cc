// Recursive-descent parser for the Jinja2 subset, with Jinja's precedence: conditional < or <
// and < not < comparisons/in < + - < ~ < * / // % < ** < unary - + < postfix (. [] ()) < filters
// and tests (which bind to the unary operand: `a + b | trim` filters b only).

#include <cerrno>
#include <cstdlib>
#include <set>

#include "base/str_cat.h"
#include "chat/jinja/jinja_ast.h"

namespace olla::chat::jinja {
namespace {

constexpr int kMaxDepth = 200;

class Parser {
 public:
  explicit Parser(std::vector<Token> toks) : toks_(std::move(toks)) {}

  Result<Body> Run() {
    Body body;
    std::string end;
    OLLA_RETURN_IF_ERROR(ParseBody(body, {}, &end));
    return body;
  }

 private:
  const Token& Peek(size_t ahead = 0) const {
    return toks_[std::min(pos_ + ahead, toks_.size() - 1)];
  }
  const Token& Next() {
    const Token& t = toks_[std::min(pos_, toks_.size() - 1)];
    if (pos_ < toks_.size() - 1) ++pos_;
    return t;
  }
  bool IsOp(std::string_view op, size_t ahead = 0) const {
    return Peek(ahead).type == Tok::kOp && Peek(ahead).text == op;
  }
  bool IsName(std::string_view name, size_t ahead = 0) const {
    return Peek(ahead).type == Tok::kName && Peek(ahead).text == name;
  }
  Status Error(Pos p, std::string_view msg) const {
    return Status::InvalidArgument(StrCat("jinja: line ", p.line, ":", p.col, ": ", msg));
  }
  static std::string Describe(const Token& t) {
    if (t.type == Tok::kEof) return "end of template";
    if (t.type == Tok::kStmtClose) return "'%}'";
    if (t.type == Tok::kExprClose) return "'}}'";
    return StrCat("'", t.text, "'");
  }
  Status ExpectOp(std::string_view op) {
    if (!IsOp(op)) return Error(Peek().pos, StrCat("expected '", op, "', got ", Describe(Peek())));
    Next();
    return Status::Ok();
  }
  Status ExpectStmtClose() {
    if (Peek().type != Tok::kStmtClose)
      return Error(Peek().pos, StrCat("expected '%}', got ", Describe(Peek())));
    Next();
    return Status::Ok();
  }
  Result<std::string> ExpectName() {
    if (Peek().type != Tok::kName)
      return Error(Peek().pos, StrCat("expected a name, got ", Describe(Peek())));
    return Next().text;
  }

  // Parses statements until a {% tag %} whose name is in `ends` (consumed up to the name; the
  // name is returned in *end) or EOF (only allowed when `ends` is empty).
  Status ParseBody(Body& body, const std::set<std::string>& ends, std::string* end) {
    if (++depth_ > kMaxDepth) return Error(Peek().pos, "template nesting too deep");
    while (true) {
      const Token& t = Peek();
      if (t.type == Tok::kEof) {
        if (!ends.empty()) {
          return Error(t.pos, StrCat("unexpected end of template; expected one of: ", Join(ends)));
        }
        --depth_;
        return Status::Ok();
      }
      if (t.type == Tok::kText) {
        Stmt s;
        s.kind = StmtKind::kText;
        s.pos = t.pos;
        s.text = Next().text;
        body.push_back(std::move(s));
        continue;
      }
      if (t.type == Tok::kExprOpen) {
        Stmt s;
        s.kind = StmtKind::kOutput;
        s.pos = Next().pos;
        OLLA_ASSIGN_OR_RETURN(s.expr, ParseTuple());
        if (Peek().type != Tok::kExprClose)
          return Error(Peek().pos, StrCat("expected '}}', got ", Describe(Peek())));
        Next();
        body.push_back(std::move(s));
        continue;
      }
      if (t.type != Tok::kStmtOpen) return Error(t.pos, StrCat("unexpected ", Describe(t)));
      Next();
      if (Peek().type != Tok::kName) return Error(Peek().pos, "expected a statement name");
      const std::string& kw = Peek().text;
      if (ends.count(kw)) {
        *end = Next().text;
        --depth_;
        return Status::Ok();
      }
      Stmt s;
      OLLA_RETURN_IF_ERROR(ParseStatement(s));
      body.push_back(std::move(s));
    }
  }

  static std::string Join(const std::set<std::string>& s) {
    std::string out;
    for (const auto& e : s) out += (out.empty() ? "" : ", ") + e;
    return out;
  }

  // The body of a block statement up to {% end_tag %}, then the closing '%}'.
  Status ParseBlockBody(Stmt& s, const char* end_tag) {
    std::string end;
    s.bodies.emplace_back();
    OLLA_RETURN_IF_ERROR(ParseBody(s.bodies.back(), {end_tag}, &end));
    return ExpectStmtClose();
  }

  Status ParseStatement(Stmt& s) {
    const Token& kw = Next();
    s.pos = kw.pos;
    const std::string name = kw.text;
    std::string end;
    if (name == "if") {
      s.kind = StmtKind::kIf;
      while (true) {
        OLLA_ASSIGN_OR_RETURN(ExprPtr cond, ParseExpression());
        OLLA_RETURN_IF_ERROR(ExpectStmtClose());
        Body b;
        OLLA_RETURN_IF_ERROR(ParseBody(b, {"elif", "else", "endif"}, &end));
        s.conds.push_back(std::move(cond));
        s.bodies.push_back(std::move(b));
        if (end != "elif") break;
      }
      if (end == "else") {
        OLLA_RETURN_IF_ERROR(ExpectStmtClose());
        s.has_else = true;
        OLLA_RETURN_IF_ERROR(ParseBody(s.else_body, {"endif"}, &end));
      }
      return ExpectStmtClose();
    }
    if (name == "for") {
      s.kind = StmtKind::kFor;
      bool paren = IsOp("(");
      if (paren) Next();
      while (true) {
        OLLA_ASSIGN_OR_RETURN(std::string target, ExpectName());
        s.targets.push_back(target);
        if (!IsOp(",")) break;
        Next();
      }
      if (paren) OLLA_RETURN_IF_ERROR(ExpectOp(")"));
      if (!IsName("in")) return Error(Peek().pos, StrCat("expected 'in', got ", Describe(Peek())));
      Next();
      OLLA_ASSIGN_OR_RETURN(s.expr, ParseTuple(/*with_cond=*/false));
      if (IsName("if")) {
        Next();
        OLLA_ASSIGN_OR_RETURN(s.cond, ParseExpression());
      }
      if (IsName("recursive")) return Error(Peek().pos, "recursive loops are not supported");
      OLLA_RETURN_IF_ERROR(ExpectStmtClose());
      s.bodies.emplace_back();
      OLLA_RETURN_IF_ERROR(ParseBody(s.bodies[0], {"else", "endfor"}, &end));
      if (end == "else") {
        OLLA_RETURN_IF_ERROR(ExpectStmtClose());
        s.has_else = true;
        OLLA_RETURN_IF_ERROR(ParseBody(s.else_body, {"endfor"}, &end));
      }
      return ExpectStmtClose();
    }
    if (name == "set") {
      OLLA_ASSIGN_OR_RETURN(std::string target, ExpectName());
      s.targets.push_back(target);
      if (IsOp(".")) {
        Next();
        OLLA_ASSIGN_OR_RETURN(std::string attr, ExpectName());
        s.targets.push_back(attr);
        s.attr_target = true;
      } else {
        while (IsOp(",")) {
          Next();
          OLLA_ASSIGN_OR_RETURN(std::string more, ExpectName());
          s.targets.push_back(more);
        }
      }
      if (IsOp("=")) {
        Next();
        s.kind = StmtKind::kSet;
        OLLA_ASSIGN_OR_RETURN(s.expr, ParseTuple());
        return ExpectStmtClose();
      }
      if (s.attr_target || s.targets.size() != 1) return Error(Peek().pos, "expected '='");
      s.kind = StmtKind::kSetBlock;
      if (IsOp("|")) {
        OLLA_ASSIGN_OR_RETURN(s.expr, ParseFilters(Placeholder()));
      }
      OLLA_RETURN_IF_ERROR(ExpectStmtClose());
      return ParseBlockBody(s, "endset");
    }
    if (name == "macro") {
      s.kind = StmtKind::kMacro;
      OLLA_ASSIGN_OR_RETURN(std::string macro_name, ExpectName());
      s.targets.push_back(macro_name);
      OLLA_RETURN_IF_ERROR(ExpectOp("("));
      while (!IsOp(")")) {
        OLLA_ASSIGN_OR_RETURN(std::string param, ExpectName());
        ExprPtr def;
        if (IsOp("=")) {
          Next();
          OLLA_ASSIGN_OR_RETURN(def, ParseExpression());
        }
        s.params.emplace_back(param, def);
        if (!IsOp(",")) break;
        Next();
      }
      OLLA_RETURN_IF_ERROR(ExpectOp(")"));
      OLLA_RETURN_IF_ERROR(ExpectStmtClose());
      s.bodies.emplace_back();
      OLLA_RETURN_IF_ERROR(ParseBody(s.bodies[0], {"endmacro"}, &end));
      if (Peek().type == Tok::kName) Next();  // {% endmacro name %}
      return ExpectStmtClose();
    }
    if (name == "filter") {
      s.kind = StmtKind::kFilter;
      OLLA_ASSIGN_OR_RETURN(s.expr, ParseFilterChain(Placeholder()));
      OLLA_RETURN_IF_ERROR(ExpectStmtClose());
      return ParseBlockBody(s, "endfilter");
    }
    if (name == "generation") {
      s.kind = StmtKind::kBlock;
      OLLA_RETURN_IF_ERROR(ExpectStmtClose());
      return ParseBlockBody(s, "endgeneration");
    }
    if (name == "break" || name == "continue") {
      s.kind = name == "break" ? StmtKind::kBreak : StmtKind::kContinue;
      return ExpectStmtClose();
    }
    return Error(kw.pos, StrCat("unknown or unsupported tag '", name, "'"));
  }

  // The value a {% filter %} / {% set x | f %} body is bound to before filtering.
  static ExprPtr Placeholder() {
    auto e = std::make_shared<Expr>();
    e->kind = ExprKind::kName;
    e->name = "\x01body";
    return e;
  }

  ExprPtr Make(ExprKind kind, Pos pos, std::string name, std::vector<ExprPtr> items) const {
    auto e = std::make_shared<Expr>();
    e->kind = kind;
    e->pos = pos;
    e->name = std::move(name);
    e->items = std::move(items);
    return e;
  }

  // expression [, expression ...] -> a tuple when there is a comma.
  Result<ExprPtr> ParseTuple(bool with_cond = true) {
    Pos p = Peek().pos;
    OLLA_ASSIGN_OR_RETURN(ExprPtr first, with_cond ? ParseExpression() : ParseOr());
    if (!IsOp(",")) return first;
    std::vector<ExprPtr> items{first};
    while (IsOp(",")) {
      Next();
      if (Peek().type == Tok::kStmtClose || Peek().type == Tok::kExprClose || IsOp(")")) break;
      OLLA_ASSIGN_OR_RETURN(ExprPtr e, with_cond ? ParseExpression() : ParseOr());
      items.push_back(std::move(e));
    }
    return Make(ExprKind::kTuple, p, "", std::move(items));
  }

  Result<ExprPtr> ParseExpression() {
    if (++depth_ > kMaxDepth) return Error(Peek().pos, "expression nesting too deep");
    OLLA_ASSIGN_OR_RETURN(ExprPtr e, ParseOr());
    while (IsName("if")) {
      Pos p = Next().pos;
      OLLA_ASSIGN_OR_RETURN(ExprPtr cond, ParseOr());
      ExprPtr other;
      if (IsName("else")) {
        Next();
        OLLA_ASSIGN_OR_RETURN(other, ParseExpression());
      }
      e = Make(ExprKind::kCond, p, "", {cond, e, other});
    }
    --depth_;
    return e;
  }

  Result<ExprPtr> ParseOr() {
    OLLA_ASSIGN_OR_RETURN(ExprPtr e, ParseAnd());
    while (IsName("or")) {
      Pos p = Next().pos;
      OLLA_ASSIGN_OR_RETURN(ExprPtr r, ParseAnd());
      e = Make(ExprKind::kBinary, p, "or", {e, r});
    }
    return e;
  }

  Result<ExprPtr> ParseAnd() {
    OLLA_ASSIGN_OR_RETURN(ExprPtr e, ParseNot());
    while (IsName("and")) {
      Pos p = Next().pos;
      OLLA_ASSIGN_OR_RETURN(ExprPtr r, ParseNot());
      e = Make(ExprKind::kBinary, p, "and", {e, r});
    }
    return e;
  }

  Result<ExprPtr> ParseNot() {
    if (IsName("not")) {
      Pos p = Next().pos;
      if (++depth_ > kMaxDepth) return Error(p, "expression nesting too deep");
      OLLA_ASSIGN_OR_RETURN(ExprPtr e, ParseNot());
      --depth_;
      return Make(ExprKind::kUnary, p, "not", {e});
    }
    return ParseCompare();
  }

  Result<ExprPtr> ParseCompare() {
    OLLA_ASSIGN_OR_RETURN(ExprPtr e, ParseMath1());
    while (true) {
      const Token& t = Peek();
      std::string op;
      if (t.type == Tok::kOp && (t.text == "==" || t.text == "!=" || t.text == "<" ||
                                 t.text == "<=" || t.text == ">" || t.text == ">=")) {
        op = t.text;
        Next();
      } else if (IsName("in")) {
        op = "in";
        Next();
      } else if (IsName("not") && IsName("in", 1)) {
        op = "not in";
        Next();
        Next();
      } else {
        return e;
      }
      OLLA_ASSIGN_OR_RETURN(ExprPtr r, ParseMath1());
      e = Make(ExprKind::kBinary, t.pos, op, {e, r});
    }
  }

  Result<ExprPtr> ParseMath1() {
    OLLA_ASSIGN_OR_RETURN(ExprPtr e, ParseConcat());
    while (IsOp("+") || IsOp("-")) {
      const Token& t = Next();
      OLLA_ASSIGN_OR_RETURN(ExprPtr r, ParseConcat());
      e = Make(ExprKind::kBinary, t.pos, t.text, {e, r});
    }
    return e;
  }

  Result<ExprPtr> ParseConcat() {
    OLLA_ASSIGN_OR_RETURN(ExprPtr e, ParseMath2());
    while (IsOp("~")) {
      const Token& t = Next();
      OLLA_ASSIGN_OR_RETURN(ExprPtr r, ParseMath2());
      e = Make(ExprKind::kBinary, t.pos, "~", {e, r});
    }
    return e;
  }

  Result<ExprPtr> ParseMath2() {
    OLLA_ASSIGN_OR_RETURN(ExprPtr e, ParsePow());
    while (IsOp("*") || IsOp("/") || IsOp("//") || IsOp("%")) {
      const Token& t = Next();
      OLLA_ASSIGN_OR_RETURN(ExprPtr r, ParsePow());
      e = Make(ExprKind::kBinary, t.pos, t.text, {e, r});
    }
    return e;
  }

  Result<ExprPtr> ParsePow() {
    OLLA_ASSIGN_OR_RETURN(ExprPtr e, ParseUnary(true));
    while (IsOp("**")) {
      const Token& t = Next();
      OLLA_ASSIGN_OR_RETURN(ExprPtr r, ParseUnary(true));
      e = Make(ExprKind::kBinary, t.pos, "**", {e, r});
    }
    return e;
  }

  Result<ExprPtr> ParseUnary(bool with_filter) {
    if (++depth_ > kMaxDepth) return Error(Peek().pos, "expression nesting too deep");
    ExprPtr e;
    if (IsOp("-") || IsOp("+")) {
      const Token& t = Next();
      OLLA_ASSIGN_OR_RETURN(ExprPtr operand, ParseUnary(false));
      e = Make(ExprKind::kUnary, t.pos, t.text, {operand});
    } else {
      OLLA_ASSIGN_OR_RETURN(e, ParsePrimary());
    }
    OLLA_ASSIGN_OR_RETURN(e, ParsePostfix(e));
    if (with_filter) {
      OLLA_ASSIGN_OR_RETURN(e, ParseFilters(e));
    }
    --depth_;
    return e;
  }

  Result<ExprPtr> ParsePrimary() {
    const Token& t = Next();
    auto lit = [&](Value v) {
      auto e = std::make_shared<Expr>();
      e->kind = ExprKind::kLiteral;
      e->pos = t.pos;
      e->literal = std::move(v);
      return ExprPtr(e);
    };
    switch (t.type) {
      case Tok::kName:
        if (t.text == "true" || t.text == "True") return lit(Value(true));
        if (t.text == "false" || t.text == "False") return lit(Value(false));
        if (t.text == "none" || t.text == "None") return lit(Value());
        return Make(ExprKind::kName, t.pos, t.text, {});
      case Tok::kString: {
        std::string s = t.text;
        while (Peek().type == Tok::kString) s += Next().text;  // adjacent literals concatenate
        return lit(Value::Str(std::move(s)));
      }
      case Tok::kInt: {
        errno = 0;
        long long v = std::strtoll(t.text.c_str(), nullptr, 10);
        if (errno == ERANGE) return lit(Value(std::strtod(t.text.c_str(), nullptr)));
        return lit(Value(static_cast<int64_t>(v)));
      }
      case Tok::kFloat:
        return lit(Value(std::strtod(t.text.c_str(), nullptr)));
      case Tok::kOp:
        if (t.text == "(") {
          if (IsOp(")")) {
            Next();
            return Make(ExprKind::kTuple, t.pos, "", {});
          }
          OLLA_ASSIGN_OR_RETURN(ExprPtr e, ParseTuple());
          OLLA_RETURN_IF_ERROR(ExpectOp(")"));
          return e;
        }
        if (t.text == "[") {
          std::vector<ExprPtr> items;
          while (!IsOp("]")) {
            OLLA_ASSIGN_OR_RETURN(ExprPtr e, ParseExpression());
            items.push_back(std::move(e));
            if (!IsOp(",")) break;
            Next();
          }
          OLLA_RETURN_IF_ERROR(ExpectOp("]"));
          return Make(ExprKind::kList, t.pos, "", std::move(items));
        }
        if (t.text == "{") {
          std::vector<ExprPtr> items;
          while (!IsOp("}")) {
            OLLA_ASSIGN_OR_RETURN(ExprPtr k, ParseExpression());
            OLLA_RETURN_IF_ERROR(ExpectOp(":"));
            OLLA_ASSIGN_OR_RETURN(ExprPtr v, ParseExpression());
            items.push_back(std::move(k));
            items.push_back(std::move(v));
            if (!IsOp(",")) break;
            Next();
          }
          OLLA_RETURN_IF_ERROR(ExpectOp("}"));
          return Make(ExprKind::kDict, t.pos, "", std::move(items));
        }
        break;
      default:
        break;
    }
    return Error(t.pos, StrCat("unexpected ", Describe(t)));
  }

  Result<ExprPtr> ParsePostfix(ExprPtr e) {
    while (true) {
      if (IsOp(".")) {
        const Token& dot = Next();
        if (Peek().type == Tok::kInt) {
          auto idx = std::make_shared<Expr>();
          idx->kind = ExprKind::kLiteral;
          idx->literal =
              Value(static_cast<int64_t>(std::strtoll(Next().text.c_str(), nullptr, 10)));
          e = Make(ExprKind::kGetItem, dot.pos, "", {e, idx});
          continue;
        }
        OLLA_ASSIGN_OR_RETURN(std::string attr, ExpectName());
        e = Make(ExprKind::kGetAttr, dot.pos, attr, {e});
      } else if (IsOp("[")) {
        const Token& br = Next();
        ExprPtr parts[3];
        bool slice = false;
        for (int i = 0; i < 3; ++i) {
          if (!IsOp(":") && !IsOp("]")) {
            OLLA_ASSIGN_OR_RETURN(parts[i], ParseExpression());
          }
          if (i < 2 && IsOp(":")) {
            Next();
            slice = true;
          } else {
            break;
          }
        }
        OLLA_RETURN_IF_ERROR(ExpectOp("]"));
        if (slice) {
          e = Make(ExprKind::kSlice, br.pos, "", {e, parts[0], parts[1], parts[2]});
        } else {
          if (!parts[0]) return Error(br.pos, "expected a subscript");
          e = Make(ExprKind::kGetItem, br.pos, "", {e, parts[0]});
        }
      } else if (IsOp("(")) {
        OLLA_ASSIGN_OR_RETURN(e, ParseCall(e, ExprKind::kCall, ""));
      } else {
        return e;
      }
    }
  }

  // Parses "(args, k=v)" after a callee / filter / test.
  Result<ExprPtr> ParseCall(ExprPtr target, ExprKind kind, std::string name) {
    Pos p = Next().pos;  // (
    auto e = std::make_shared<Expr>();
    e->kind = kind;
    e->pos = p;
    e->name = std::move(name);
    e->items.push_back(std::move(target));
    while (!IsOp(")")) {
      if (Peek().type == Tok::kName && IsOp("=", 1)) {
        std::string key = Next().text;
        Next();
        OLLA_ASSIGN_OR_RETURN(ExprPtr v, ParseExpression());
        e->kwargs.emplace_back(std::move(key), std::move(v));
      } else {
        if (!e->kwargs.empty())
          return Error(Peek().pos, "positional argument after keyword argument");
        OLLA_ASSIGN_OR_RETURN(ExprPtr v, ParseExpression());
        e->items.push_back(std::move(v));
      }
      if (!IsOp(",")) break;
      Next();
    }
    OLLA_RETURN_IF_ERROR(ExpectOp(")"));
    return ExprPtr(e);
  }

  // `| name(args)` filters (repeated) only: for {% filter %} and {% set x | f %}.
  Result<ExprPtr> ParseFilterChain(ExprPtr e) {
    do {
      OLLA_ASSIGN_OR_RETURN(e, ParseOneFilter(e));
    } while (IsOp("|") && (Next(), true));
    return e;
  }

  Result<ExprPtr> ParseOneFilter(ExprPtr e) {
    const Token& t = Peek();
    OLLA_ASSIGN_OR_RETURN(std::string name, ExpectName());
    while (IsOp(".")) {  // dotted filter names are not supported, but parse them for the error
      Next();
      OLLA_ASSIGN_OR_RETURN(std::string more, ExpectName());
      name += "." + more;
    }
    if (IsOp("(")) return ParseCall(e, ExprKind::kFilter, name);
    return Make(ExprKind::kFilter, t.pos, name, {e});
  }

  Result<ExprPtr> ParseFilters(ExprPtr e) {
    while (true) {
      if (IsOp("|")) {
        Next();
        OLLA_ASSIGN_OR_RETURN(e, ParseOneFilter(e));
      } else if (IsName("is")) {
        const Token& is = Next();
        bool negated = false;
        if (IsName("not")) {
          Next();
          negated = true;
        }
        OLLA_ASSIGN_OR_RETURN(std::string name, ExpectName());
        ExprPtr test;
        if (IsOp("(")) {
          OLLA_ASSIGN_OR_RETURN(test, ParseCall(e, ExprKind::kTest, name));
        } else {
          std::vector<ExprPtr> items{e};
          const Token& a = Peek();
          bool arg_follows =
              (a.type == Tok::kName || a.type == Tok::kString || a.type == Tok::kInt ||
               a.type == Tok::kFloat || IsOp("(") || IsOp("[") || IsOp("{")) &&
              !IsName("else") && !IsName("or") && !IsName("and") && !IsName("is") &&
              !IsName("if") && !IsName("in") && !IsName("not");
          if (arg_follows) {
            OLLA_ASSIGN_OR_RETURN(ExprPtr arg, ParsePrimary());
            OLLA_ASSIGN_OR_RETURN(arg, ParsePostfix(arg));
            items.push_back(std::move(arg));
          }
          test = Make(ExprKind::kTest, is.pos, name, std::move(items));
        }
        auto mutable_test = std::const_pointer_cast<Expr>(test);
        mutable_test->negated = negated;
        e = test;
      } else if (IsOp("(")) {
        OLLA_ASSIGN_OR_RETURN(e, ParseCall(e, ExprKind::kCall, ""));
      } else {
        return e;
      }
    }
  }

  std::vector<Token> toks_;
  size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace

Result<Body> Parse(std::string_view source, const LexOptions& opts) {
  OLLA_ASSIGN_OR_RETURN(std::vector<Token> toks, Lex(source, opts));
  return Parser(std::move(toks)).Run();
}

}  // namespace olla::chat::jinja
