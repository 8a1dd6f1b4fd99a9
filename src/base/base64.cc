#include "base/base64.h"

#include <cstdint>

#include "base/str_cat.h"

namespace olla {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

Status Illegal(size_t pos) {
  return Status::InvalidArgument(StrCat("illegal base64 data at input byte ", pos));
}

}  // namespace

std::string Base64Encode(std::string_view data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  auto byte = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(data[k])); };
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    const uint32_t v = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    for (int shift : {18, 12, 6, 0}) out.push_back(kAlphabet[(v >> shift) & 63]);
  }
  const size_t rest = data.size() - i;
  if (rest > 0) {
    const uint32_t v = byte(i) << 16 | (rest == 2 ? byte(i + 1) << 8 : 0);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(rest == 2 ? kAlphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

Result<std::string> Base64Decode(std::string_view text) {
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (size_t pos = 0; pos < text.size(); pos += 4) {
    if (pos + 4 > text.size()) return Illegal(text.size());  // a truncated final quantum
    uint32_t acc = 0;
    int n_data = 0;
    for (size_t k = 0; k < 4; ++k) {
      const char c = text[pos + k];
      if (c == '=') {
        // Padding: only as the last one or two characters of the final quantum.
        if (k < 2 || pos + 4 != text.size()) return Illegal(pos + k);
        if (k == 2 && text[pos + 3] != '=') return Illegal(pos + 3);
        break;
      }
      const int v = Value(c);
      if (v < 0) return Illegal(pos + k);
      acc |= static_cast<uint32_t>(v) << (18 - 6 * k);
      ++n_data;
    }
    out.push_back(static_cast<char>(acc >> 16));
    if (n_data >= 3) out.push_back(static_cast<char>((acc >> 8) & 0xff));
    if (n_data == 4) out.push_back(static_cast<char>(acc & 0xff));
  }
  return out;
}

}  // namespace olla
