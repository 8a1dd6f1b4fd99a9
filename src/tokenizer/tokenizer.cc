#include "tokenizer/tokenizer.h"

#include <utility>

#include "tokenizer/bpe.h"
#include "tokenizer/detokenize.h"
#include "tokenizer/special.h"
#include "tokenizer/spm.h"
#include "tokenizer/wpm.h"

namespace olla::tokenizer {

Tokenizer::Tokenizer() = default;
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;
Tokenizer::~Tokenizer() = default;

Result<Tokenizer> Tokenizer::Create(const gguf::Metadata& md) {
  OLLA_ASSIGN_OR_RETURN(Vocab vocab, Vocab::FromMetadata(md));
  return Create(std::move(vocab));
}

Result<Tokenizer> Tokenizer::Create(Vocab vocab) {
  Tokenizer tok;
  tok.vocab_ = std::make_unique<Vocab>(std::move(vocab));
  const Vocab& v = *tok.vocab_;
  bool phantom_space = true;
  switch (v.type()) {
    case ModelType::kSpm:
      tok.encoder_ = std::make_unique<SpmTokenizer>(v);
      break;
    case ModelType::kBpe: {
      OLLA_ASSIGN_OR_RETURN(BpeTokenizer bpe, BpeTokenizer::Create(v));
      tok.encoder_ = std::make_unique<BpeTokenizer>(std::move(bpe));
      break;
    }
    case ModelType::kWpm: {
      auto wpm = std::make_unique<WpmTokenizer>(v);
      phantom_space = wpm->phantom_space();
      tok.encoder_ = std::move(wpm);
      break;
    }
  }
  tok.pieces_.reserve(v.size());
  for (TokenId id = 0; id < v.n_tokens(); ++id) {
    tok.pieces_.push_back(BuildPiece(v, id, phantom_space));
  }
  return tok;
}

std::vector<TokenId> Tokenizer::Tokenize(std::string_view text, bool add_special,
                                         bool parse_special) const {
  const Vocab& v = *vocab_;
  std::vector<TokenId> out;
  out.reserve(text.size() / 3 + 4);
  if (add_special && v.add_bos() && v.bos() != kNoToken) out.push_back(v.bos());
  bool after_special = true;
  for (const Fragment& fragment : SplitSpecialTokens(v, text, parse_special)) {
    if (fragment.token != kNoToken) {
      out.push_back(fragment.token);
      after_special = true;
      continue;
    }
    encoder_->Encode(fragment.text, after_special, out);
    after_special = false;
  }
  if (add_special && v.add_eos() && v.eos() != kNoToken) out.push_back(v.eos());
  if (add_special && v.add_sep() && v.sep() != kNoToken) out.push_back(v.sep());
  return out;
}

std::string_view Tokenizer::Piece(TokenId id, bool render_special) const {
  if (!vocab_->IsValid(id)) return {};
  if (!render_special && vocab_->IsSpecial(id)) return {};
  return pieces_[static_cast<size_t>(id)];
}

std::string Tokenizer::TokenToPiece(TokenId id, bool render_special) const {
  return std::string(Piece(id, render_special));
}

bool Tokenizer::StripsLeadingSpace() const {
  return (vocab_->type() == ModelType::kSpm && vocab_->add_space_prefix()) ||
         vocab_->type() == ModelType::kWpm;
}

std::string Tokenizer::Detokenize(std::span<const TokenId> ids,
                                  const DetokenizeOptions& options) const {
  std::string out;
  bool strip = options.strip_leading_space && StripsLeadingSpace();
  for (TokenId id : ids) {
    std::string_view piece = Piece(id, options.render_special);
    if (piece.empty()) continue;
    if (strip && piece.front() == ' ') piece.remove_prefix(1);
    strip = false;
    out.append(piece);
  }
  if (options.clean_spaces) CleanSpaces(out);
  return out;
}

}  // namespace olla::tokenizer
