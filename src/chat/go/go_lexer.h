#pragma once
// Lexer for Go text/template (internal to chat/). Produces the whole token stream up front;
// trim markers ({{- and -}}) and comments are resolved here, so the parser never sees them.

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "chat/go/go_ast.h"

namespace olla::chat::gotmpl {

enum class Tok {
  kText,        // text outside actions (already trimmed)
  kLeftDelim,   // {{
  kRightDelim,  // }}
  kIdentifier,  // keywords, function names, true/false/nil
  kField,       // .Name (text holds "Name")
  kVariable,    // $name or $ (text holds "$name")
  kDot,         // .
  kString,      // "..." or `...` (text holds the decoded value)
  kChar,        // 'x' (number holds the code point)
  kNumber,      // text holds the literal
  kPipe,        // |
  kLParen,
  kRParen,
  kDeclare,  // :=
  kAssign,   // =
  kComma,
  kEof,
};

struct Token {
  Tok type = Tok::kEof;
  Pos pos;
  std::string text;
  bool space_before = false;  // whitespace separates this token from the previous one
};

Result<std::vector<Token>> Lex(std::string_view src);

}  // namespace olla::chat::gotmpl
