#pragma once
// UTF-8 helpers: validation, code point decoding, and the length of a complete prefix (so a
// streaming detokenizer never emits half a character).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace olla::utf8 {

// Number of bytes of the sequence that starts with `lead`, 1..4, or 0 for an invalid lead byte.
size_t SequenceLength(uint8_t lead);

// True if `s` is entirely well-formed UTF-8 (no overlongs, surrogates or values > U+10FFFF).
bool IsValid(std::string_view s);

// Length of the longest prefix of `s` that does not end inside an incomplete (but so far valid)
// multi-byte sequence. Invalid bytes count as complete (they will never become valid).
size_t CompletePrefixLength(std::string_view s);

// Decodes the code point at s[*pos], advancing *pos. Invalid input yields U+FFFD and advances 1.
uint32_t DecodeNext(std::string_view s, size_t* pos);

// Appends the UTF-8 encoding of `cp` (U+FFFD for invalid code points).
void Append(std::string& out, uint32_t cp);

// Replaces every invalid byte sequence by U+FFFD.
std::string Sanitize(std::string_view s);

}  // namespace olla::utf8
