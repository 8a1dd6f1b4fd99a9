#pragma once
// Small Unicode helpers shared by the tokenizers.

#include <cstdint>
#include <string>
#include <string_view>

namespace olla::tokenizer {

// GPT-2's byte-level alphabet (bytes_to_unicode in openai/gpt-2 encoder.py): printable
// Latin-1 bytes map to themselves, the other 68 bytes to U+0100.. in byte order, so every
// byte string becomes printable text (' ' → 'Ġ', '\n' → 'Ċ').
uint32_t ByteToCodepoint(uint8_t byte);
// The inverse: the byte that `cp` stands for, or -1 if `cp` is not in the alphabet.
int CodepointToByte(uint32_t cp);

// Appends the byte-level encoding of `bytes` (each byte becomes one code point).
void AppendByteEncoded(std::string& out, std::string_view bytes);
// Decodes byte-level text back to bytes; code points outside the alphabet are kept as UTF-8.
std::string ByteDecode(std::string_view text);

// CJK ideograph blocks that BERT splits into single-character words (HF BertNormalizer).
bool IsCjkIdeograph(uint32_t cp);

}  // namespace olla::tokenizer
