#pragma once
// StreamingDetokenizer: turns generated tokens into text one token at a time, releasing only
// complete UTF-8 characters, so a character split over several byte tokens ("<0xE2>",
// "<0x82>", "<0xAC>") is emitted once it is whole and a stream never carries broken UTF-8.
//
// Applies DetokenizeOptions::render_special and strip_leading_space like Detokenize();
// clean_spaces is ignored (it needs to see the following text). Not thread-safe; one per
// sequence. The Tokenizer must outlive it.

#include <string>

#include "tokenizer/tokenizer.h"

namespace olla::tokenizer {

class StreamingDetokenizer {
 public:
  explicit StreamingDetokenizer(const Tokenizer& tokenizer, DetokenizeOptions options = {});

  // Adds one token; returns the text that is now complete (possibly "").
  std::string Push(TokenId id);
  // Returns what is still held back (an incomplete sequence at the end of the stream, with
  // invalid bytes replaced by U+FFFD) and resets the stream.
  std::string Flush();
  // Bytes held back, waiting for the rest of a character.
  size_t pending_bytes() const { return pending_.size(); }

 private:
  const Tokenizer* tokenizer_;
  DetokenizeOptions options_;
  std::string pending_;
  bool strip_next_ = false;  // the next text-producing token loses one leading space
};

}  // namespace olla::tokenizer
