#include "runtime/prompt.h"

#include "base/str_cat.h"
#include "chat/go/go_template.h"
#include "chat/jinja/jinja_template.h"
#include "chat/prompt.h"

namespace olla::runtime {

namespace {

std::string Special(const tokenizer::Tokenizer& tok, int32_t id) {
  return id >= 0 && tok.vocab().IsValid(id) ? tok.vocab().Text(id) : "";
}

// The Jinja chat template of the GGUF, when there is no Go TEMPLATE layer.
std::string JinjaTemplateOf(const gguf::Metadata& md) {
  return md.GetStringOr("tokenizer.chat_template", "").value();
}

}  // namespace

Result<RenderedPrompt> RenderGeneratePrompt(const PromptInput& in, const gguf::Metadata& md,
                                            const tokenizer::Tokenizer& tok) {
  if (in.raw) return chat::RenderRaw(in.prompt);
  chat::GenerateInput g;
  g.prompt = in.prompt;
  g.suffix = in.suffix;
  g.system = in.system;
  g.model_system = in.model_system;
  g.model_messages = in.model_messages;
  g.has_context = in.has_context;
  g.think = in.think;
  if (!in.template_text.empty()) {
    auto t = chat::GoTemplate::Parse(in.template_text);
    if (!t.ok()) return Status::Internal(StrCat("template: ", t.status().message()));
    return chat::RenderGoGenerate(*t, g);
  }
  const std::string jinja = JinjaTemplateOf(md);
  if (!jinja.empty() && in.suffix.empty()) {
    auto t = chat::JinjaTemplate::Parse(jinja);
    if (t.ok()) {
      chat::JinjaChatInput j;
      j.messages = chat::GenerateMessages(g);
      j.think = in.think;
      j.bos_token = Special(tok, tok.vocab().bos());
      j.eos_token = Special(tok, tok.vocab().eos());
      return chat::RenderJinjaChat(*t, j);
    }
  }
  return chat::RenderGoGenerate(chat::GoTemplate::Default(), g);
}

Result<RenderedPrompt> RenderChatPrompt(const ChatInput& in, const gguf::Metadata& md,
                                        const tokenizer::Tokenizer& tok) {
  if (!in.template_text.empty()) {
    auto t = chat::GoTemplate::Parse(in.template_text);
    if (!t.ok()) return Status::Internal(StrCat("template: ", t.status().message()));
    chat::GoChatInput g{in.messages, in.tools_json, in.think};
    return chat::RenderGoChat(*t, g);
  }
  const std::string jinja = JinjaTemplateOf(md);
  if (!jinja.empty()) {
    OLLA_ASSIGN_OR_RETURN(chat::JinjaTemplate t, chat::JinjaTemplate::Parse(jinja));
    chat::JinjaChatInput j;
    j.messages = in.messages;
    j.tools_json = in.tools_json;
    j.think = in.think;
    j.bos_token = Special(tok, tok.vocab().bos());
    j.eos_token = Special(tok, tok.vocab().eos());
    return chat::RenderJinjaChat(t, j);
  }
  chat::GoChatInput g{in.messages, in.tools_json, in.think};
  return chat::RenderGoChat(chat::GoTemplate::Default(), g);
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

std::vector<int32_t> TokenizePrompt(const tokenizer::Tokenizer& tok, const RenderedPrompt& prompt,
                                    bool add_bos) {
  std::vector<int32_t> ids;
  // The whole text is tokenized in one call, as Ollama does, so that merges and SPM's space
  // prefix see it whole. Special-token texts are parsed only if none occurs in user text;
  // otherwise each piece is tokenized on its own with its own permission.
  bool user_has_special = false;
  for (const auto& piece : prompt.pieces)
    if (!piece.allow_special && ContainsSpecialText(tok, piece.text)) user_has_special = true;
  if (!user_has_special) {
    ids = tok.Tokenize(prompt.text, false, true);
  } else {
    for (const auto& piece : prompt.pieces) {
      auto part = tok.Tokenize(piece.text, false, piece.allow_special);
      ids.insert(ids.end(), part.begin(), part.end());
    }
  }
  const int32_t bos = tok.vocab().bos();
  if (add_bos && tok.vocab().add_bos() && bos >= 0 && (ids.empty() || ids.front() != bos))
    ids.insert(ids.begin(), bos);
  return ids;
}

}  // namespace olla::runtime
