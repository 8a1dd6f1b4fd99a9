#pragma once
// Prompt assembly for generate and chat through the chat-template engines (src/chat): the
// model's (or request's) Go TEMPLATE, else the GGUF's Jinja chat template, else {{ .Prompt }}
// (spec §9.4). Template text may contain special tokens; user-provided text never becomes a
// special token (CONVENTIONS.md C12), so renderings stay marked pieces until tokenized.

#include <string>
#include <vector>

#include "base/status.h"
#include "chat/messages.h"
#include "chat/rendered.h"
#include "gguf/metadata.h"
#include "tokenizer/tokenizer.h"

namespace olla::runtime {

using RenderedPrompt = chat::RenderedPrompt;

struct PromptInput {
  bool raw = false;
  std::string prompt, suffix;
  std::string system;  // request system ("" = the model's)
  std::string model_system;
  std::string template_text;                  // Go template in effect ("" = none)
  std::vector<chat::Message> model_messages;  // the model's MESSAGE history
  bool has_context = false;
  chat::ThinkSetting think;  // .Think/.ThinkLevel/.IsThinkSet, or the Jinja thinking kwargs
};

Result<RenderedPrompt> RenderGeneratePrompt(const PromptInput& in, const gguf::Metadata& gguf,
                                            const tokenizer::Tokenizer& tok);

struct ChatInput {
  std::vector<chat::Message> messages;  // with the model's history and SYSTEM already applied
  std::string template_text;            // Go template in effect ("" = none)
  std::string tools_json;               // JSON array or ""
  chat::ThinkSetting think;
};
Result<RenderedPrompt> RenderChatPrompt(const ChatInput& in, const gguf::Metadata& gguf,
                                        const tokenizer::Tokenizer& tok);

// Token ids of the pieces, with BOS in front when `add_bos` and the model's metadata asks for it
// (unless the rendered text already starts with it).
std::vector<int32_t> TokenizePrompt(const tokenizer::Tokenizer& tok, const RenderedPrompt& prompt,
                                    bool add_bos);

}  // namespace olla::runtime
