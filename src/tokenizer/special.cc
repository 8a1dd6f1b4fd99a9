#include "tokenizer/special.h"

namespace olla::tokenizer {
namespace {

bool IsAsciiSpace(char c) {  // C isspace() in the "C" locale, as llama.cpp uses
  return c == ' ' || (c >= '\t' && c <= '\r');
}

}  // namespace

std::vector<Fragment> SplitSpecialTokens(const Vocab& vocab, std::string_view text,
                                         bool parse_special) {
  std::vector<Fragment> fragments;
  if (text.empty()) return fragments;
  fragments.push_back({text, kNoToken});
  std::vector<Fragment> next;
  for (TokenId id : vocab.special_by_length()) {
    const TokenData& token = vocab.Token(id);
    if (!parse_special && token.type != TokenType::kUserDefined) continue;
    const std::string_view needle = token.text;
    // Cheap filter: most candidates occur nowhere in the input.
    if (text.find(needle) == std::string_view::npos) continue;

    next.clear();
    for (const Fragment& fragment : fragments) {
      if (fragment.token != kNoToken) {
        next.push_back(fragment);
        continue;
      }
      std::string_view rest = fragment.text;
      for (size_t pos = rest.find(needle); pos != std::string_view::npos; pos = rest.find(needle)) {
        std::string_view left = rest.substr(0, pos);
        if (token.lstrip) {
          while (!left.empty() && IsAsciiSpace(left.back())) left.remove_suffix(1);
        }
        if (!left.empty()) next.push_back({left, kNoToken});
        next.push_back({std::string_view(), id});
        rest.remove_prefix(pos + needle.size());
        if (token.rstrip) {
          while (!rest.empty() && IsAsciiSpace(rest.front())) rest.remove_prefix(1);
        }
      }
      if (!rest.empty()) next.push_back({rest, kNoToken});
    }
    fragments.swap(next);
  }
  return fragments;
}

}  // namespace olla::tokenizer
