#include "tokenizer/streaming.h"

#include "base/utf8.h"

namespace olla::tokenizer {

StreamingDetokenizer::StreamingDetokenizer(const Tokenizer& tokenizer, DetokenizeOptions options)
    : tokenizer_(&tokenizer),
      options_(options),
      strip_next_(options.strip_leading_space && tokenizer.StripsLeadingSpace()) {}

std::string StreamingDetokenizer::Push(TokenId id) {
  std::string_view piece = tokenizer_->Piece(id, options_.render_special);
  if (piece.empty()) return {};
  if (strip_next_ && piece.front() == ' ') piece.remove_prefix(1);
  strip_next_ = false;
  pending_.append(piece);
  size_t complete = utf8::CompletePrefixLength(pending_);
  if (complete == 0) return {};
  // Bytes that can never become valid count as complete; they leave as U+FFFD.
  std::string out = utf8::Sanitize(std::string_view(pending_).substr(0, complete));
  pending_.erase(0, complete);
  return out;
}

std::string StreamingDetokenizer::Flush() {
  std::string out = utf8::Sanitize(pending_);
  pending_.clear();
  strip_next_ = options_.strip_leading_space && tokenizer_->StripsLeadingSpace();
  return out;
}

}  // namespace olla::tokenizer
