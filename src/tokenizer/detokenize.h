#pragma once
// Token → bytes, per algorithm (llama.cpp's llama_token_to_piece with special = true).

#include <string>

#include "tokenizer/vocab.h"

namespace olla::tokenizer {

// The piece of `id` (a valid id):
//   control, unknown, user-defined: the token text as is;
//   SPM normal: "▁" → " "; SPM byte "<0xNN>": that one byte;
//   BPE normal: byte-level alphabet decoded to bytes;
//   WPM normal: "▁" → " " (phantom_space vocabularies), else "##x" → "x" and "x" → " x";
//   unused and undefined tokens: "".
std::string BuildPiece(const Vocab& vocab, TokenId id, bool phantom_space);

}  // namespace olla::tokenizer
