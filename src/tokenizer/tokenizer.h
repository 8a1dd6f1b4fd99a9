#pragma once
// Tokenizer: text ⇄ token ids for a GGUF model. The one entry point of this library; it owns the
// Vocab and dispatches to the SPM, BPE or WordPiece algorithm of `tokenizer.ggml.model`.
//
// Compatibility target: llama.cpp's llama_tokenize / llama_token_to_piece / llama_detokenize,
// which reproduce Hugging Face `tokenizers`. The ids of llama.cpp's tokenizer test vectors
// (tests in this folder) are matched exactly.
//
// A Tokenizer is immutable after Create(); all methods are const and thread-safe.

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "gguf/metadata.h"
#include "tokenizer/vocab.h"

namespace olla::tokenizer {

class Encoder;

struct DetokenizeOptions {
  // Render control and unknown tokens (<s>, <|im_end|>, [CLS]) as their text; by default they
  // produce nothing. User-defined tokens always render.
  bool render_special = false;
  // Remove the space that tokenizing added in front of the first word: SPM's add_space_prefix
  // ("▁Hello" → "Hello") and WordPiece's word separator. Only the first token that produces
  // text is affected, so [BOS, "▁Hello"] → "Hello" (HF decode; llama.cpp's llama_detokenize
  // strips only when the very first token is text). No effect on BPE.
  bool strip_leading_space = true;
  // Hugging Face clean_up_tokenization_spaces (" ." → ".", " 's" → "'s", ...), which is lossy.
  // Vocab::clean_spaces() tells whether the model's HF tokenizer does it on decode.
  bool clean_spaces = false;
};

class Tokenizer {
 public:
  // Reads the vocabulary from GGUF metadata (see Vocab::FromMetadata for the errors).
  static Result<Tokenizer> Create(const gguf::Metadata& md);
  static Result<Tokenizer> Create(Vocab vocab);

  Tokenizer(Tokenizer&&) noexcept;
  Tokenizer& operator=(Tokenizer&&) noexcept;
  ~Tokenizer();

  const Vocab& vocab() const { return *vocab_; }
  ModelType type() const { return vocab_->type(); }

  // Token ids of `text` (any bytes; never fails).
  //   add_special:   put BOS in front / EOS (or WordPiece's [CLS] … [SEP]) around the text, as
  //                  the metadata says (add_bos_token, add_eos_token, add_sep_token).
  //   parse_special: match the texts of control tokens ("<|im_start|>") in `text` as those
  //                  tokens. Must be false for text that came from a user (CONVENTIONS.md C12).
  std::vector<TokenId> Tokenize(std::string_view text, bool add_special, bool parse_special) const;

  // The bytes of one token: SPM "▁" → " " and "<0xNN>" → that byte; BPE's byte alphabet →
  // bytes; WordPiece continuations bare, word starts with a leading " ". A piece can be an
  // incomplete UTF-8 sequence (use StreamingDetokenizer for output). Control and unknown
  // tokens give their text if `render_special`, else "". Ids outside the vocabulary give "".
  std::string TokenToPiece(TokenId id, bool render_special = true) const;

  // The text of `ids`: the pieces concatenated, then the options applied.
  std::string Detokenize(std::span<const TokenId> ids, const DetokenizeOptions& options = {}) const;

  // True if DetokenizeOptions::strip_leading_space applies to this vocabulary.
  bool StripsLeadingSpace() const;

 private:
  Tokenizer();
  std::string_view Piece(TokenId id, bool render_special) const;

  std::unique_ptr<Vocab> vocab_;  // heap: encoders point at it
  std::unique_ptr<Encoder> encoder_;
  std::vector<std::string> pieces_;  // TokenToPiece(id, true) for every id

  friend class StreamingDetokenizer;
};

// Removes the spaces that HF's clean_up_tokenization_spaces removes, in place (llama.cpp's
// three passes: before ?!., ; around a lone '; before 's 'm 're 've).
void CleanSpaces(std::string& text);

}  // namespace olla::tokenizer
