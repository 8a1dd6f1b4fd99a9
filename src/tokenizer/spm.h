#pragma once
// SentencePiece-style BPE over a scored vocabulary (tokenizer.ggml.model = "llama": llama 1/2,
// mistral, phi-3, gemma), as llama.cpp's llm_tokenizer_spm does it:
//   1. spaces become U+2581 "▁" (and one is put in front when add_space_prefix applies);
//   2. the text is cut into UTF-8 characters;
//   3. repeatedly, the adjacent pair whose concatenation is the highest-scoring token is merged
//      (ties: leftmost first);
//   4. pieces that are not tokens fall back to byte tokens "<0xNN>", else to <unk>.
// Control, byte, unknown and unused tokens are never produced by merging (user text cannot
// spell "<s>"); llama.cpp considers every token there, which only differs on such text.

#include "tokenizer/encoder.h"

namespace olla::tokenizer {

class SpmTokenizer final : public Encoder {
 public:
  // `vocab` must outlive the tokenizer.
  explicit SpmTokenizer(const Vocab& vocab) : vocab_(&vocab) {}

  void Encode(std::string_view text, bool after_special, std::vector<TokenId>& out) const override;

 private:
  // The token spelled `text` that merging may produce, or kNoToken.
  TokenId Lookup(std::string_view text) const;

  const Vocab* vocab_;
};

}  // namespace olla::tokenizer
