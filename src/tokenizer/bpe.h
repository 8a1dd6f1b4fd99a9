#pragma once
// Byte-level BPE (tokenizer.ggml.model = "gpt2": gpt-2, llama 3, qwen2, deepseek, falcon,
// starcoder, ...), as in openai/gpt-2 encoder.py and llama.cpp's llm_tokenizer_bpe:
//   1. the pre-tokenizer of `tokenizer.ggml.pre` cuts the text into words;
//   2. each byte of a word becomes one symbol, spelled in GPT-2's byte alphabet (unicode.h);
//   3. repeatedly, the adjacent pair with the lowest merge rank is merged (ties: leftmost);
//   4. each final symbol is emitted as its token (ignore_merges vocabularies first try the
//      whole word as one token).
// Invalid UTF-8 in the input is replaced by U+FFFD first, as llama.cpp does.

#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>

#include "tokenizer/encoder.h"
#include "tokenizer/pretokenize.h"

namespace olla::tokenizer {

class BpeTokenizer final : public Encoder {
 public:
  // Builds the merge table from vocab.merges() and the pre-tokenizer from vocab.pre().
  // `vocab` must outlive the tokenizer. kUnsupported for an unknown pre-tokenizer.
  static Result<BpeTokenizer> Create(const Vocab& vocab);

  BpeTokenizer(BpeTokenizer&&) = default;
  BpeTokenizer& operator=(BpeTokenizer&&) = default;

  void Encode(std::string_view text, bool after_special, std::vector<TokenId>& out) const override;

  // Appends the ids of one pre-tokenized word (raw bytes, not byte-encoded).
  void EncodeWord(std::string_view word, std::vector<TokenId>& out) const;

 private:
  struct Merge {
    int32_t rank;
    int32_t result;  // symbol id of the merged text
  };

  BpeTokenizer(const Vocab& vocab, PreTokenizer pre);
  // Symbol ids: vocabulary ids, then ids >= vocab size for merge texts that are not tokens.
  int32_t FindSymbol(std::string_view text) const;
  int32_t AddSymbol(std::string_view text);
  static uint64_t PairKey(int32_t left, int32_t right) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) |
           static_cast<uint32_t>(right);
  }

  const Vocab* vocab_;
  PreTokenizer pre_;
  std::deque<std::string> extra_text_;  // deque: stable addresses for extra_index_'s keys
  std::unordered_map<std::string_view, int32_t> extra_index_;
  std::unordered_map<uint64_t, Merge> merges_;  // PairKey(left, right) -> merge
  int32_t byte_symbol_[256];                    // symbol of each byte's one-character text
};

}  // namespace olla::tokenizer
