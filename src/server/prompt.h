#pragma once
// Prompt assembly for generate and chat: the model's (or request's) template rendered with the
// request's data. Template text may contain special tokens; user-provided text never becomes a
// special token (DESIGN.md C12), so the rendering is kept as marked pieces until tokenized.

#include <string>
#include <vector>

#include "base/status.h"
#include "tokenizer/tokenizer.h"

namespace olla::server {

struct PromptPiece {
  std::string text;
  bool allow_special = false;  // true for template text
};
using RenderedPrompt = std::vector<PromptPiece>;

struct PromptInput {
  bool raw = false;
  std::string prompt, suffix, system;
  std::string template_text;  // empty: "{{ .Prompt }}"
};

Result<RenderedPrompt> RenderGeneratePrompt(const PromptInput& in);

// Token ids of the pieces, with BOS in front when `add_bos` and the model's metadata asks for it.
std::vector<int32_t> TokenizePrompt(const tokenizer::Tokenizer& tok, const RenderedPrompt& prompt, bool add_bos);

// The concatenated text (for _debug_render_only and logs).
std::string PromptText(const RenderedPrompt& prompt);

}  // namespace olla::server
