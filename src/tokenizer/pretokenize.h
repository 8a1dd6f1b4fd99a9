#pragma once
// Pre-tokenizers of byte-level BPE vocabularies: the regex cascades that cut text into words
// before BPE merges, selected by `tokenizer.ggml.pre` (llama.cpp's llm_tokenizer_bpe and the
// `pre_tokenizer` sections of Hugging Face tokenizer.json files).
//
// Each regex of a cascade is applied to every piece produced by the previous one; both the
// matches and the text between them become pieces (HF Split with behaviour "Isolated"), and
// anchors and lookaheads see only the piece. Regexes run on PCRE2 in UTF + UCP mode, with `\s`
// narrowed to the Unicode White_Space property so that it agrees with llama.cpp and HF.

#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace olla::tokenizer {

// Settings that llama.cpp ties to a pre-tokenizer name (llama_vocab::impl::load).
struct PreTokenizerConfig {
  std::string_view name;                      // the canonical `tokenizer.ggml.pre` value
  std::span<const std::string_view> regexes;  // the cascade, in our PCRE2 dialect (see .cc)
  bool clean_spaces = true;                   // HF clean_up_tokenization_spaces on decode
  bool ignore_merges = false;                 // a word that is itself a token skips the merges
  bool add_bos = false;                       // default of tokenizer.ggml.add_bos_token
};

// The configuration of `tokenizer.ggml.pre` = `name`, or nullptr if we do not know it.
// Aliases map to one configuration ("llama-bpe" and "llama3", "gpt-2" and "mpt", ...).
const PreTokenizerConfig* FindPreTokenizer(std::string_view name);

class PreTokenizer {
 public:
  // kUnsupported for an unknown name.
  static Result<PreTokenizer> Create(std::string_view name);
  // Compiles an explicit cascade (tests, experiments). kInvalidArgument names a bad pattern.
  static Result<PreTokenizer> FromRegexes(std::span<const std::string_view> patterns);

  PreTokenizer(PreTokenizer&&) noexcept;
  PreTokenizer& operator=(PreTokenizer&&) noexcept;
  ~PreTokenizer();

  // Splits `text`, which must be valid UTF-8, into non-empty pieces that concatenate back to
  // `text`. The views point into `text`. Thread-safe.
  std::vector<std::string_view> Split(std::string_view text) const;

 private:
  struct Regex;
  PreTokenizer();
  std::vector<std::unique_ptr<Regex>> regexes_;
};

}  // namespace olla::tokenizer
