#pragma once
// Vocabularies for grammar tests and the bench: a GGUF tokenizer's tokens as bytes (read
// directly with the GGUF reader: the grammar library itself never sees a tokenizer), and a
// synthetic one of single characters and JSON fragments.

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/str_cat.h"
#include "gguf/reader.h"
#include "grammar/token_trie.h"

namespace olla::grammar::testing {

struct TestVocab {
  std::vector<std::string> pieces;
  std::vector<TokenKind> kinds;
  int32_t eog = -1;

  std::vector<std::string_view> views() const { return {pieces.begin(), pieces.end()}; }
  TokenTrie Trie() const {
    const std::vector<std::string_view> v = views();
    return TokenTrie(v, kinds);
  }
};

// tokenizer.ggml.tokens as detokenized bytes: SPM "▁" -> " ", "<0xNN>" byte tokens -> the
// byte; control tokens excluded except eos, which ends generation.
inline Result<TestVocab> LoadGgufVocab(const std::string& path) {
  OLLA_ASSIGN_OR_RETURN(gguf::File file, gguf::File::Open(path));
  const gguf::Metadata& md = file.metadata();
  OLLA_ASSIGN_OR_RETURN(const gguf::Array* tokens, md.GetArray("tokenizer.ggml.tokens"));
  auto types = md.GetArray("tokenizer.ggml.token_type");
  OLLA_ASSIGN_OR_RETURN(int64_t eos, md.GetIntOr("tokenizer.ggml.eos_token_id", -1));
  TestVocab v;
  for (size_t id = 0; id < tokens->items.size(); ++id) {
    const std::string* text = tokens->items[id].AsString();
    if (text == nullptr) return Status::Corrupt("token is not a string");
    int64_t type = 1;
    if (types.ok() && id < (*types)->items.size()) {
      auto t = (*types)->items[id].AsInt();
      if (t.ok()) type = *t;
    }
    std::string piece;
    TokenKind kind = TokenKind::kText;
    if (static_cast<int64_t>(id) == eos) {
      kind = TokenKind::kEndOfGeneration;
      v.eog = static_cast<int32_t>(id);
    } else if (type == 2 || type == 3 || type == 5) {  // unknown, control, unused
      kind = TokenKind::kExcluded;
    } else if (type == 6 && text->size() == 6 && text->starts_with("<0x")) {
      piece.push_back(static_cast<char>(std::stoi(text->substr(3, 2), nullptr, 16)));
    } else {
      for (size_t k = 0; k < text->size(); ++k) {
        if (text->compare(k, 3, "\xE2\x96\x81") == 0) {
          piece.push_back(' ');
          k += 2;
        } else {
          piece.push_back((*text)[k]);
        }
      }
    }
    v.pieces.push_back(std::move(piece));
    v.kinds.push_back(kind);
  }
  return v;
}

// Printable ASCII, whitespace, JSON fragments, some multi-byte and split UTF-8, and an eos.
inline TestVocab SyntheticVocab() {
  TestVocab v;
  for (int c = 0x20; c < 0x7F; ++c) v.pieces.emplace_back(1, static_cast<char>(c));
  for (const char* p :
       {"\n",    "\t",       "{\"",  "\":",   "\",",  "\"}", "true",    "false", "null",
        "  ",    " \"",      "12",   ".5",    "e+",   "-0",  "},{",     "[]",    "{}",
        "\":\"", "abc",      "name", "\\u00", "\\n",  "é",   "€",       "😀",     "\xC3",
        "\xA9",  "\xE2\x82", "\xAC", "日本",  "\":[", "]}",  ",\n  \"", "2024-", "T12:"}) {
    v.pieces.emplace_back(p);
  }
  v.kinds.assign(v.pieces.size(), TokenKind::kText);
  v.pieces.emplace_back("</s>");
  v.kinds.push_back(TokenKind::kEndOfGeneration);
  v.eog = static_cast<int32_t>(v.pieces.size() - 1);
  return v;
}

}  // namespace olla::grammar::testing
