#pragma once
// Parse tree of a Go text/template (internal to chat/): the node kinds of Go's text/template/parse
// that Ollama's templates use. Nodes are values; pipelines are shared and immutable, so copying a
// tree (legacy-mode truncation, spec §9.2) copies the structure and shares the expressions.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "chat/value.h"

namespace olla::chat::gotmpl {

struct Pos {
  int line = 1;
  int col = 1;
};

struct Pipe;

enum class ArgType {
  kField,       // .A.B            ident = {"A", "B"}
  kVariable,    // $x.A / $.A / $  ident = {"$x", "A"}
  kDot,         // .
  kNil,         // nil
  kLiteral,     // true, 1, 1.5, "s", 'c'   (literal)
  kIdentifier,  // a function name  ident = {"len"}
  kPipe,        // ( pipeline )
  kChain,       // ( pipeline ).A.B   pipe + ident = {"A", "B"}
};

struct Arg {
  ArgType type = ArgType::kNil;
  Pos pos;
  std::vector<std::string> ident;
  Value literal;
  std::shared_ptr<const Pipe> pipe;
};

struct Command {
  Pos pos;
  std::vector<Arg> args;
};

struct Pipe {
  Pos pos;
  std::vector<std::string> decl;  // "$x" or "$i", "$v"
  bool is_assign = false;         // `$x = ...` rather than `$x := ...`
  std::vector<Command> cmds;
};

enum class NodeType { kText, kAction, kIf, kRange, kWith, kTemplate, kBreak, kContinue };

struct Node {
  NodeType type = NodeType::kText;
  Pos pos;
  std::string text;                  // kText: the text; kTemplate: the template name
  std::shared_ptr<const Pipe> pipe;  // kAction, kIf, kRange, kWith; kTemplate (may be null)
  std::vector<Node> list;            // body of if/range/with
  std::vector<Node> else_list;       // else branch; `else if`/`else with` nest one node here
  bool has_else = false;
};

using NodeList = std::vector<Node>;

// A parsed template file: the main tree plus {{ define }}/{{ block }} trees by name.
struct Tree {
  NodeList root;
  std::map<std::string, NodeList> defines;
};

// Parses `text` (spec §9.1 language subset). Errors carry "line:col".
Result<Tree> ParseTree(std::string_view text);

}  // namespace olla::chat::gotmpl
