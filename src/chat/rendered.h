#pragma once
// The output of every template engine: the prompt text split into pieces that say whether the
// tokenizer may match special tokens in them (CONVENTIONS.md C12). Template text may contain
// "<|im_start|>" that must become one control token; message content must not, even if a user
// types "<|im_start|>".

#include <string>
#include <string_view>
#include <vector>

#include "chat/value.h"

namespace olla::chat {

struct RenderedPiece {
  std::string text;
  bool allow_special = false;  // template text: true; data (user content, tools, ...): false
  bool operator==(const RenderedPiece&) const = default;
};

struct RenderedPrompt {
  std::vector<RenderedPiece> pieces;  // adjacent pieces always differ in allow_special
  std::string text;                   // the pieces joined

  void Append(std::string_view s, bool allow_special);
  void Append(const MarkedString& s);  // input runs become allow_special = false
  void Append(const RenderedPrompt& other);
};

}  // namespace olla::chat
