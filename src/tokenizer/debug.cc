#include "tokenizer/debug.h"

#include <charconv>

#include "base/str_cat.h"
#include "gguf/reader.h"

namespace olla::tokenizer {

Result<Tokenizer> LoadTokenizer(const std::string& gguf_path) {
  OLLA_ASSIGN_OR_RETURN(gguf::File file, gguf::File::Open(gguf_path));
  auto tokenizer = Tokenizer::Create(file.metadata());
  if (!tokenizer.ok()) return tokenizer.status().WithPrefix(gguf_path);
  return tokenizer;
}

std::string FormatTokenIds(std::span<const TokenId> ids) {
  std::string out = "[";
  for (size_t i = 0; i < ids.size(); ++i) StrAppend(out, i == 0 ? "" : ", ", ids[i]);
  out.push_back(']');
  return out;
}

Result<std::vector<TokenId>> ParseTokenIds(std::string_view text) {
  auto is_separator = [](char c) {
    return c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
  };
  // Strip whitespace, then one pair of brackets.
  while (!text.empty() && is_separator(text.front()) && text.front() != ',') text.remove_prefix(1);
  while (!text.empty() && is_separator(text.back()) && text.back() != ',') text.remove_suffix(1);
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  std::vector<TokenId> ids;
  size_t pos = 0;
  while (pos < text.size()) {
    if (is_separator(text[pos])) {
      ++pos;
      continue;
    }
    size_t end = pos;
    while (end < text.size() && !is_separator(text[end])) ++end;
    std::string_view item = text.substr(pos, end - pos);
    TokenId id = 0;
    auto [ptr, ec] = std::from_chars(item.data(), item.data() + item.size(), id);
    if (ec != std::errc() || ptr != item.data() + item.size() || id < 0) {
      return Status::InvalidArgument(StrCat("bad token id '", item, "'"));
    }
    ids.push_back(id);
    pos = end;
  }
  return ids;
}

Result<std::string> DebugTokenize(const std::string& gguf_path, std::string_view text,
                                  bool add_special, bool parse_special) {
  OLLA_ASSIGN_OR_RETURN(Tokenizer tokenizer, LoadTokenizer(gguf_path));
  return FormatTokenIds(tokenizer.Tokenize(text, add_special, parse_special));
}

Result<std::string> DebugDetokenize(const std::string& gguf_path, std::string_view ids_text) {
  OLLA_ASSIGN_OR_RETURN(std::vector<TokenId> ids, ParseTokenIds(ids_text));
  OLLA_ASSIGN_OR_RETURN(Tokenizer tokenizer, LoadTokenizer(gguf_path));
  for (TokenId id : ids) {
    if (!tokenizer.vocab().IsValid(id)) {
      return Status::InvalidArgument(
          StrCat("token id ", id, " is out of range (", tokenizer.vocab().size(), " tokens)"));
    }
  }
  DetokenizeOptions options;
  options.render_special = true;
  return tokenizer.Detokenize(ids, options);
}

}  // namespace olla::tokenizer
