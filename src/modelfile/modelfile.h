#pragma once
// Modelfile: lexer/parser (spec §8.1-8.2) and rendering back to text (§3.9, §8.3).
//
// Parse() reproduces Ollama's parser (parser/parser.go) rune for rune: the same accepted inputs,
// the same values, the same error texts and line numbers. It does no I/O, never throws and is
// linear in the input size, so it is safe on arbitrary bytes (and is the libFuzzer entry).

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace olla::modelfile {

enum class Instruction {
  kFrom,
  kParameter,
  kTemplate,
  kSystem,
  kAdapter,
  kLicense,
  kMessage,
  kRequires,
  kRenderer,
  kParser,
  kDraft,
};

// "FROM", "PARAMETER", ... (upper case, as rendered).
std::string_view InstructionKeyword(Instruction instruction);

struct Command {
  Instruction instruction = Instruction::kFrom;
  std::string name;  // PARAMETER: the parameter name (case kept); MESSAGE: the role; else ""
  std::string args;  // the value with quotes removed (MESSAGE: the content)
  int line = 0;      // 1-based line of the keyword (CR and LF each count, as upstream)

  // One line of Modelfile text without the trailing newline: "FROM x", "SYSTEM <quoted>",
  // "MESSAGE <role> <quoted>", "PARAMETER <name> <quoted>" (FROM is quoted only when it would
  // not read back otherwise, see Quote).
  std::string ToString() const;

  // Equality ignores `line`, so a re-parsed rendering compares equal.
  friend bool operator==(const Command& a, const Command& b) {
    return a.instruction == b.instruction && a.name == b.name && a.args == b.args;
  }
};

struct Modelfile {
  std::vector<Command> commands;  // in file order

  // Each command's ToString() followed by '\n' (Ollama's Modelfile.String()).
  std::string ToString() const;

  friend bool operator==(const Modelfile&, const Modelfile&) = default;
};

// Parses Modelfile bytes: UTF-8 (optional BOM) or UTF-16 LE/BE with BOM. Errors are
// kInvalidArgument with Ollama's texts:
//   "(line N): command must be one of \"from\", \"license\", ... or \"requires\""
//   "(line N): message role must be one of \"system\", \"user\", or \"assistant\""
//   "unexpected EOF" or "unexpected EOF: <partial name>"
//   "no FROM line"
// Parameter names and values are not checked here (see params.h / BuildCreateRequest).
Result<Modelfile> Parse(std::string_view bytes);

// Quoting used when rendering (§3.9): if `s` contains '\n' or starts/ends with ' ', it is wrapped
// in `"""` when it contains '"', else in '"'; otherwise it is returned verbatim. Where Ollama's
// rule gives text that Parse would read back differently (edge tabs or newlines, a leading '"'),
// the first of `"s"` and `"""s"""` that reads back as `s` is used instead, so
// Parse(ToString(Parse(x))) == Parse(x) for every x that parses.
std::string Quote(std::string_view s);

// The text of `ollama show --modelfile` (§3.9): the three comment lines naming `short_name`, a
// blank line, then body.ToString().
std::string ShowModelfileText(std::string_view short_name, const Modelfile& body);

}  // namespace olla::modelfile
