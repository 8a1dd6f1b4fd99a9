#include "server/prompt.h"

#include "base/str_cat.h"

namespace olla::server {

namespace {
// Until the Go-template engine (src/chat) is wired in, the server renders the templates that
// need no control flow: "{{ .Prompt }}", optionally with "{{ .System }}" substitutions.
Result<RenderedPrompt> RenderSimple(const std::string& tmpl, const PromptInput& in) {
  RenderedPrompt out;
  size_t pos = 0;
  while (pos < tmpl.size()) {
    size_t open = tmpl.find("{{", pos);
    if (open == std::string::npos) {
      out.push_back({tmpl.substr(pos), true});
      break;
    }
    if (open > pos) out.push_back({tmpl.substr(pos, open - pos), true});
    size_t close = tmpl.find("}}", open);
    if (close == std::string::npos) return Status::InvalidArgument("template: unclosed action");
    std::string action = tmpl.substr(open + 2, close - open - 2);
    size_t b = action.find_first_not_of(" -"), e = action.find_last_not_of(" -");
    action = b == std::string::npos ? "" : action.substr(b, e - b + 1);
    if (action == ".Prompt") {
      out.push_back({in.prompt, false});
    } else if (action == ".System") {
      out.push_back({in.system, false});
    } else if (action == ".Response" || action == ".Suffix") {
      if (action == ".Suffix") out.push_back({in.suffix, false});
    } else {
      return Status::Unsupported(StrCat("template action {{ ", action, " }} is not supported yet"));
    }
    pos = close + 2;
  }
  return out;
}
}  // namespace

Result<RenderedPrompt> RenderGeneratePrompt(const PromptInput& in) {
  if (in.raw) return RenderedPrompt{{in.prompt, false}};
  std::string tmpl = in.template_text.empty() ? "{{ .Prompt }}" : in.template_text;
  return RenderSimple(tmpl, in);
}

namespace {
bool ContainsSpecialText(const tokenizer::Tokenizer& tok, std::string_view text) {
  for (int32_t id : tok.vocab().special_by_length()) {
    const std::string& t = tok.vocab().Text(id);
    if (!t.empty() && text.find(t) != std::string_view::npos) return true;
  }
  return false;
}
}  // namespace

std::vector<int32_t> TokenizePrompt(const tokenizer::Tokenizer& tok, const RenderedPrompt& prompt, bool add_bos) {
  std::vector<int32_t> ids;
  if (add_bos && tok.vocab().add_bos() && tok.vocab().bos() >= 0) ids.push_back(tok.vocab().bos());
  // The whole text is tokenized in one call, as Ollama does, so that merges and SPM's space
  // prefix see it whole. Special-token texts are parsed only if none occurs in user text;
  // otherwise each piece is tokenized on its own with its own permission.
  bool user_has_special = false;
  for (const auto& piece : prompt)
    if (!piece.allow_special && ContainsSpecialText(tok, piece.text)) user_has_special = true;
  if (!user_has_special) {
    auto all = tok.Tokenize(PromptText(prompt), false, true);
    ids.insert(ids.end(), all.begin(), all.end());
    return ids;
  }
  for (const auto& piece : prompt) {
    auto part = tok.Tokenize(piece.text, false, piece.allow_special);
    ids.insert(ids.end(), part.begin(), part.end());
  }
  return ids;
}

std::string PromptText(const RenderedPrompt& prompt) {
  std::string s;
  for (const auto& p : prompt) s += p.text;
  return s;
}

}  // namespace olla::server
