#pragma once
// Vocab: a model's token table and tokenizer settings, read from the GGUF `tokenizer.ggml.*`
// metadata keys (llama.cpp's conventions; see docs of gguf-py `Keys.Tokenizer`).
//
// Read keys: tokenizer.ggml.{model, pre, tokens, scores, token_type, merges,
// bos/eos/eot/eom/unknown/seperator/padding/mask/cls_token_id, add_bos_token, add_eos_token,
// add_sep_token, add_space_prefix} and general.name. Token id 4294967295 (or -1) means "none".
// A Vocab is immutable after construction and safe to share between threads.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "gguf/metadata.h"
#include "tokenizer/text_index.h"

namespace olla::tokenizer {

using TokenId = int32_t;
inline constexpr TokenId kNoToken = -1;

// Values of `tokenizer.ggml.token_type` (llama.cpp's llama_token_type).
enum class TokenType : uint8_t {
  kUndefined = 0,
  kNormal = 1,
  kUnknown = 2,      // <unk>
  kControl = 3,      // <s>, </s>, <|im_end|>: never produced from user text
  kUserDefined = 4,  // added tokens: always matched as a whole in the text
  kUnused = 5,
  kByte = 6,  // SPM byte fallback "<0xNN>"
};

// The tokenizer algorithm, from `tokenizer.ggml.model`.
enum class ModelType : uint8_t {
  kSpm,  // "llama": SentencePiece BPE with byte fallback (llama, mistral, phi3, gemma)
  kBpe,  // "gpt2": byte-level BPE with a regex pre-tokenizer (gpt2, llama3, qwen2, ...)
  kWpm,  // "bert": WordPiece
};

struct TokenData {
  std::string text;
  float score = 0.0f;
  TokenType type = TokenType::kNormal;
  // When matched as a special token, also swallow ASCII whitespace on that side.
  bool lstrip = false;
  bool rstrip = false;
};

struct SpecialTokens {
  TokenId bos = kNoToken;  // for WPM: [CLS]
  TokenId eos = kNoToken;
  TokenId eot = kNoToken;  // end of turn (<|eot_id|>, <|im_end|>, <end_of_turn>, ...)
  TokenId eom = kNoToken;  // end of message (<|eom_id|>)
  TokenId unk = kNoToken;
  TokenId sep = kNoToken;  // for WPM: [SEP]
  TokenId pad = kNoToken;
  TokenId mask = kNoToken;
};

class Vocab {
 public:
  // Builds the vocabulary from GGUF metadata. Errors name the offending key:
  //   kNotFound    tokenizer.ggml.model / tokens (or merges for BPE) missing;
  //   kCorrupt     wrong value types, array length mismatches, special ids out of range
  //                (bos, eos, unk, sep, cls; a bad pad/mask/eot/eom id is ignored, as
  //                llama.cpp does, because real conversions often carry one);
  //   kUnsupported an unknown tokenizer model or BPE pre-tokenizer name.
  static Result<Vocab> FromMetadata(const gguf::Metadata& md);

  Vocab(Vocab&&) = default;
  Vocab& operator=(Vocab&&) = default;
  Vocab(const Vocab&) = delete;  // the lookup map points into tokens_
  Vocab& operator=(const Vocab&) = delete;

  ModelType type() const { return type_; }
  const std::string& model_name() const { return model_name_; }  // tokenizer.ggml.model
  const std::string& pre() const { return pre_; }                // tokenizer.ggml.pre
  size_t size() const { return tokens_.size(); }
  TokenId n_tokens() const { return static_cast<TokenId>(tokens_.size()); }

  bool IsValid(TokenId id) const { return id >= 0 && id < n_tokens(); }
  // `id` must be valid (OLLA_CHECK).
  const TokenData& Token(TokenId id) const;
  const std::string& Text(TokenId id) const { return Token(id).text; }
  TokenType Type(TokenId id) const { return Token(id).type; }
  // Control and unknown tokens: rendered only on request, matched only with parse_special.
  bool IsSpecial(TokenId id) const {
    TokenType t = Type(id);
    return t == TokenType::kControl || t == TokenType::kUnknown;
  }
  // True for tokens that end generation: eos, eot, eom and the well-known end markers.
  bool IsEog(TokenId id) const;
  const std::vector<TokenId>& eog_ids() const { return eog_ids_; }

  // The id whose text is exactly `text` (the last one if the table has duplicates), or kNoToken.
  TokenId Find(std::string_view text) const;
  // SPM byte-fallback token "<0xNN>" for `byte`, else the token spelled as that single byte,
  // else kNoToken.
  TokenId ByteToken(uint8_t byte) const { return byte_tokens_[byte]; }
  // Longest token text in bytes.
  size_t max_token_len() const { return max_token_len_; }

  const SpecialTokens& special() const { return special_; }
  TokenId bos() const { return special_.bos; }
  TokenId eos() const { return special_.eos; }
  TokenId unk() const { return special_.unk; }
  TokenId sep() const { return special_.sep; }

  // BPE merges "left right", rank = index. Empty for other models.
  const std::vector<std::string>& merges() const { return merges_; }

  // Settings (metadata keys, else the defaults llama.cpp uses for this model/pre-tokenizer).
  bool add_bos() const { return add_bos_; }
  bool add_eos() const { return add_eos_; }
  bool add_sep() const { return add_sep_; }
  bool add_space_prefix() const { return add_space_prefix_; }  // SPM: " " before the text
  bool clean_spaces() const { return clean_spaces_; }          // HF clean_up_tokenization_spaces
  bool ignore_merges() const { return ignore_merges_; }        // BPE: whole-word vocab hits win

  // Token ids of control, user-defined and unknown tokens, longest text first (ties by id):
  // the candidates of special-token splitting.
  const std::vector<TokenId>& special_by_length() const { return special_by_length_; }

 private:
  Vocab() = default;
  Status LoadTokens(const gguf::Metadata& md);
  Status LoadSettings(const gguf::Metadata& md);
  Status LoadSpecialIds(const gguf::Metadata& md);
  void BuildCaches(const gguf::Metadata& md);

  ModelType type_ = ModelType::kSpm;
  std::string model_name_;
  std::string pre_;
  std::vector<TokenData> tokens_;
  TextIndex index_;  // views into tokens_[i].text
  std::array<TokenId, 256> byte_tokens_{};
  size_t max_token_len_ = 0;
  std::vector<std::string> merges_;
  SpecialTokens special_;
  std::vector<TokenId> eog_ids_;
  std::vector<TokenId> special_by_length_;
  bool add_bos_ = false;
  bool add_eos_ = false;
  bool add_sep_ = false;
  bool add_space_prefix_ = false;
  bool clean_spaces_ = true;
  bool ignore_merges_ = false;
};

}  // namespace olla::tokenizer
