#pragma once
// Special-token splitting: before any tokenizer runs, occurrences of special-token texts are
// cut out of the input and become those tokens (llama.cpp's tokenizer_st_partition, HF's
// added-vocabulary pass).
//
// Candidates are taken longest text first (ties: lower id); each one splits every remaining
// text fragment at all its occurrences. User-defined tokens (type 4) are always matched, as
// HF does; control and unknown tokens only when `parse_special` is true, so text from a user
// can be tokenized with parse_special = false and never turns into control tokens. A token's
// lstrip/rstrip attribute also removes the ASCII whitespace on that side.

#include <string_view>
#include <vector>

#include "tokenizer/vocab.h"

namespace olla::tokenizer {

// Either plain text (token == kNoToken) or one special token.
struct Fragment {
  std::string_view text;  // a view into the input; empty for a token
  TokenId token = kNoToken;
};

// Splits `text` into fragments; plain-text fragments are never empty. An empty `text` gives
// no fragments.
std::vector<Fragment> SplitSpecialTokens(const Vocab& vocab, std::string_view text,
                                         bool parse_special);

}  // namespace olla::tokenizer
