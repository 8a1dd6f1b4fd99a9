#pragma once
// Encoder: the interface of the three tokenizer algorithms (SPM, BPE, WPM). Each one turns a
// run of plain text, found between special tokens, into token ids.

#include <string_view>
#include <vector>

#include "tokenizer/vocab.h"

namespace olla::tokenizer {

class Encoder {
 public:
  virtual ~Encoder() = default;
  // Appends the ids of `text` (any bytes; invalid UTF-8 is handled, never rejected) to `out`.
  // `after_special` is true for the first run of a text and for runs that follow a special
  // token: SPM then puts the space of add_space_prefix in front. Thread-safe.
  virtual void Encode(std::string_view text, bool after_special,
                      std::vector<TokenId>& out) const = 0;
};

}  // namespace olla::tokenizer
