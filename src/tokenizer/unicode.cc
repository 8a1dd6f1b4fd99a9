#include "tokenizer/unicode.h"

#include <array>

#include "base/utf8.h"

namespace olla::tokenizer {
namespace {

constexpr bool IsPrintableLatin1(uint32_t b) {
  return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
}

constexpr std::array<uint32_t, 256> MakeByteTable() {
  std::array<uint32_t, 256> table{};
  uint32_t next = 256;
  for (uint32_t b = 0; b < 256; ++b) table[b] = IsPrintableLatin1(b) ? b : next++;
  return table;
}

constexpr std::array<uint32_t, 256> kByteToCp = MakeByteTable();

// The alphabet spans U+0000..U+0143 (256 + 68 code points).
constexpr uint32_t kAlphabetEnd = 256 + 68;

constexpr std::array<int16_t, kAlphabetEnd> MakeInverseTable() {
  std::array<int16_t, kAlphabetEnd> table{};
  for (auto& v : table) v = -1;
  for (uint32_t b = 0; b < 256; ++b) table[kByteToCp[b]] = static_cast<int16_t>(b);
  return table;
}

constexpr std::array<int16_t, kAlphabetEnd> kCpToByte = MakeInverseTable();

}  // namespace

uint32_t ByteToCodepoint(uint8_t byte) { return kByteToCp[byte]; }

int CodepointToByte(uint32_t cp) { return cp < kAlphabetEnd ? kCpToByte[cp] : -1; }

void AppendByteEncoded(std::string& out, std::string_view bytes) {
  for (char c : bytes) utf8::Append(out, kByteToCp[static_cast<uint8_t>(c)]);
}

std::string ByteDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    size_t start = pos;
    uint32_t cp = utf8::DecodeNext(text, &pos);
    int byte = CodepointToByte(cp);
    if (byte >= 0) {
      out.push_back(static_cast<char>(byte));
    } else {
      out.append(text.substr(start, pos - start));
    }
  }
  return out;
}

bool IsCjkIdeograph(uint32_t cp) {
  // The ranges of HF tokenizers' BertNormalizer (and llama.cpp's copy of it).
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
         (cp >= 0x20000 && cp <= 0x2A6DF) || (cp >= 0x2A700 && cp <= 0x2B73F) ||
         (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B920 && cp <= 0x2CEAF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

}  // namespace olla::tokenizer
