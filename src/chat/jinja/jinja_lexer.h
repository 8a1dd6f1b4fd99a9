#pragma once
// Lexer for the Jinja2 subset used by Hugging Face chat templates (internal to chat/).
// Whitespace control is resolved here, as Jinja's lexer does: {%- -%} {{- -}} {#- -#} strip all
// adjacent whitespace; trim_blocks drops the first newline after a block or comment tag;
// lstrip_blocks strips spaces and tabs before a block or comment tag that starts a line (unless
// the tag is written {%+). {% raw %}...{% endraw %} becomes text.

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace olla::chat::jinja {

struct Pos {
  int line = 1;
  int col = 1;
};

enum class Tok {
  kText,
  kExprOpen,   // {{
  kExprClose,  // }}
  kStmtOpen,   // {%
  kStmtClose,  // %}
  kName,
  kString,  // text holds the decoded value
  kInt,
  kFloat,
  kOp,  // operators and punctuation: + - * / // % ** ~ == != < <= > >= ( ) [ ] { } , . : | =
  kEof,
};

struct Token {
  Tok type = Tok::kEof;
  Pos pos;
  std::string text;
};

struct LexOptions {
  bool trim_blocks = true;  // Hugging Face renders chat templates with both enabled
  bool lstrip_blocks = true;
};

Result<std::vector<Token>> Lex(std::string_view src, const LexOptions& opts);

}  // namespace olla::chat::jinja
