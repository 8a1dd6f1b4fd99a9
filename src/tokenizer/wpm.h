#pragma once
// WordPiece (tokenizer.ggml.model = "bert"), following Hugging Face tokenizers' BertNormalizer,
// BertPreTokenizer and WordPiece model:
//   1. drop NUL, U+FFFD and control characters; whitespace separates words;
//   2. CJK ideographs and punctuation become one-character words;
//   3. letters are NFD-decomposed, stripped of nonspacing marks (Mn) and lowercased;
//   4. each word is matched greedily, longest vocabulary entry first; a word with an
//      unmatchable rest, or longer than 100 characters, becomes [UNK].
// GGUF conversions store word-initial pieces as "▁word" and continuations bare (llama.cpp's
// "phantom space"); vocabularies in the original "##piece" style are recognised too.

#include <string>

#include "tokenizer/encoder.h"

namespace olla::tokenizer {

class WpmTokenizer final : public Encoder {
 public:
  // `vocab` must outlive the tokenizer.
  explicit WpmTokenizer(const Vocab& vocab);

  void Encode(std::string_view text, bool after_special, std::vector<TokenId>& out) const override;

  // Steps 1-3: the normalized words of `text`.
  static std::vector<std::string> SplitWords(std::string_view text);

  // True if the vocabulary spells word starts with "▁" (else continuations with "##").
  bool phantom_space() const { return phantom_space_; }

 private:
  void EncodeWord(const std::string& word, std::vector<TokenId>& out) const;

  const Vocab* vocab_;
  bool phantom_space_ = true;
  std::string word_prefix_;          // "▁" or ""
  std::string continuation_prefix_;  // "" or "##"
};

}  // namespace olla::tokenizer
