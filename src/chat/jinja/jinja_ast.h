#pragma once
// Parse tree of the Jinja2 subset (internal to chat/). Trees are immutable after parsing and
// shared by const pointer.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "chat/jinja/jinja_lexer.h"
#include "chat/value.h"

namespace olla::chat::jinja {

struct Expr;
using ExprPtr = std::shared_ptr<const Expr>;

enum class ExprKind {
  kLiteral,  // literal
  kName,     // name
  kList,     // [items...]
  kTuple,    // (items...)  (evaluates to a list)
  kDict,     // {items[0]: items[1], ...}  keys and values alternate
  kGetAttr,  // items[0].name
  kGetItem,  // items[0][items[1]]
  kSlice,    // items[0][items[1]:items[2]:items[3]] (null pointers for omitted parts)
  kCall,     // items[0](items[1..], kwargs)
  kFilter,   // items[0] | name(items[1..], kwargs)
  kTest,     // items[0] is [not] name(items[1..])
  kUnary,    // name in {"-", "+", "not"} applied to items[0]
  kBinary,   // items[0] name items[1]: + - * / // % ** ~ == != < <= > >= in "not in" and or
  kCond,     // items[1] if items[0] else items[2] (items[2] may be null)
};

struct Expr {
  ExprKind kind = ExprKind::kLiteral;
  Pos pos;
  std::string name;
  Value literal;
  bool negated = false;  // `is not`
  std::vector<ExprPtr> items;
  std::vector<std::pair<std::string, ExprPtr>> kwargs;
};

struct Stmt;
using Body = std::vector<Stmt>;

enum class StmtKind {
  kText,      // text
  kOutput,    // {{ expr }}
  kIf,        // if/elif chain: conds[i] guards bodies[i]; else_body
  kFor,       // for targets in expr [if cond]: body [else else_body]
  kSet,       // set targets = expr | set name.attr = expr
  kSetBlock,  // set name [| filter] %} body {% endset
  kMacro,     // macro name(params) body
  kFilter,    // filter name(args) body endfilter (expr is the filter applied to a placeholder)
  kBreak,
  kContinue,
  kBlock,  // a plain body ({% generation %})
};

struct Stmt {
  StmtKind kind = StmtKind::kText;
  Pos pos;
  std::string text;                  // kText
  ExprPtr expr;                      // output / for iterable / set value / filter expr
  ExprPtr cond;                      // for-loop filter
  std::vector<std::string> targets;  // for/set names; set ns.attr: {"ns", "attr"} with attr_target
  bool attr_target = false;
  std::vector<ExprPtr> conds;  // kIf
  std::vector<Body> bodies;    // kIf bodies; kFor/kSetBlock/kMacro/kFilter/kBlock: bodies[0]
  Body else_body;
  bool has_else = false;
  std::vector<std::pair<std::string, ExprPtr>>
      params;  // macro parameters and defaults (may be null)
};

// Parses a template. Errors: "jinja: line L:C: message".
Result<Body> Parse(std::string_view source, const LexOptions& opts);

}  // namespace olla::chat::jinja
