#include "chat/jinja/jinja_template.h"

#include "chat/jinja/jinja_ast.h"
#include "chat/jinja/jinja_runtime.h"

namespace olla::chat {

Result<JinjaTemplate> JinjaTemplate::Parse(std::string_view source, const JinjaOptions& opts) {
  jinja::LexOptions lex;
  lex.trim_blocks = opts.trim_blocks;
  lex.lstrip_blocks = opts.lstrip_blocks;
  OLLA_ASSIGN_OR_RETURN(jinja::Body body, jinja::Parse(source, lex));
  JinjaTemplate t;
  t.source_ = std::string(source);
  t.body_ = std::make_shared<const jinja::Body>(std::move(body));
  return t;
}

Result<RenderedPrompt> JinjaTemplate::Render(const Value& context,
                                             const JinjaRenderOptions& opts) const {
  jinja::RenderLimits limits;
  limits.now_unix = opts.now_unix;
  limits.max_steps = opts.max_steps;
  jinja::Interpreter interp(context, limits);
  OLLA_ASSIGN_OR_RETURN(MarkedString out, interp.Render(*body_));
  RenderedPrompt prompt;
  prompt.Append(out);
  return prompt;
}

}  // namespace olla::chat
