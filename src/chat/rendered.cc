#include "chat/rendered.h"

namespace olla::chat {

void RenderedPrompt::Append(std::string_view s, bool allow_special) {
  if (s.empty()) return;
  text.append(s);
  if (!pieces.empty() && pieces.back().allow_special == allow_special) {
    pieces.back().text.append(s);
  } else {
    pieces.push_back({std::string(s), allow_special});
  }
}

void RenderedPrompt::Append(const MarkedString& s) {
  s.ForEachRun([this](std::string_view run, bool input) { Append(run, !input); });
}

void RenderedPrompt::Append(const RenderedPrompt& other) {
  for (const auto& p : other.pieces) Append(p.text, p.allow_special);
}

}  // namespace olla::chat
