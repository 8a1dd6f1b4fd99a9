#pragma once
// Library side of the `olla debug tokenize FILE.gguf "text"` and
// `olla debug detokenize FILE.gguf 1,2,3` commands: load a tokenizer from a file, and the
// text formats of id lists.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "tokenizer/tokenizer.h"

namespace olla::tokenizer {

// Opens a GGUF file and builds its tokenizer (errors of gguf::File::Open and Vocab).
Result<Tokenizer> LoadTokenizer(const std::string& gguf_path);

// A JSON array: "[1, 403, 407]"; "[]" when empty.
std::string FormatTokenIds(std::span<const TokenId> ids);

// Parses ids separated by commas and/or whitespace, optionally inside [ ] ("1,2,3",
// "1 2 3", "[1, 2, 3]"). kInvalidArgument names the first bad entry.
Result<std::vector<TokenId>> ParseTokenIds(std::string_view text);

// `olla debug tokenize`: the JSON array of the ids of `text`.
Result<std::string> DebugTokenize(const std::string& gguf_path, std::string_view text,
                                  bool add_special = true, bool parse_special = false);

// `olla debug detokenize`: the text of `ids` (special tokens rendered). kInvalidArgument for
// an id outside the vocabulary.
Result<std::string> DebugDetokenize(const std::string& gguf_path, std::string_view ids);

}  // namespace olla::tokenizer
