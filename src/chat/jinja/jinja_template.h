#pragma once
// A Jinja2 subset for Hugging Face chat templates (GGUF tokenizer.chat_template), rendered as
// transformers' apply_chat_template does: trim_blocks and lstrip_blocks on, no autoescape,
// loop controls, raise_exception(msg) and strftime_now(fmt) globals.
//
//   OLLA_ASSIGN_OR_RETURN(JinjaTemplate t, JinjaTemplate::Parse(chat_template));
//   OLLA_ASSIGN_OR_RETURN(RenderedPrompt p, t.Render(context));  // context: a map Value
//
// Supported: {{ }}, {% if/elif/else %}, {% for a[, b] in x [if c] %} with loop.* and else,
// {% set %} (incl. tuple targets, namespace attributes and block set), {% macro %},
// {% filter %}, {% raw %}, {% generation %}, break/continue, whitespace control; expressions with
// Python semantics (and/or/not, in, is tests, ~ + - * / // % **, conditional expressions,
// slices, list/dict/tuple literals, str/dict/list methods); filters and tests listed in
// jinja_builtins.cc. Not supported: include/import/extends/call blocks, recursive loops.
//
// Input marking: strings in the context keep their marking through concatenation, slicing,
// strip/split/replace/join; template literals and bos/eos tokens passed unmarked stay special.
// Errors: Status with "jinja: line L:C: ..." except raise_exception, whose message is passed
// through unchanged. Never aborts or throws on any template or data; rendering is bounded in
// steps, output size and macro recursion. Const methods are thread-safe.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "chat/rendered.h"
#include "chat/value.h"

namespace olla::chat {

namespace jinja {
struct Stmt;
}

struct JinjaOptions {
  bool trim_blocks = true;
  bool lstrip_blocks = true;
};

struct JinjaRenderOptions {
  int64_t now_unix = -1;  // strftime_now's time (local zone); -1: the clock
  // Execution budget: statements run plus loop iterations; exceeding it is an error.
  int64_t max_steps = 1'000'000;
};

class JinjaTemplate {
 public:
  static Result<JinjaTemplate> Parse(std::string_view source, const JinjaOptions& opts = {});

  const std::string& source() const { return source_; }

  // Renders with the entries of `context` (a map) as global variables.
  Result<RenderedPrompt> Render(const Value& context, const JinjaRenderOptions& opts = {}) const;

 private:
  JinjaTemplate() = default;

  std::string source_;
  std::shared_ptr<const std::vector<jinja::Stmt>> body_;
};

}  // namespace olla::chat
