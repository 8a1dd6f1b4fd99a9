#include "base/utf8.h"

namespace olla::utf8 {

size_t SequenceLength(uint8_t lead) {
  if (lead < 0x80) return 1;
  if (lead < 0xC2) return 0;  // continuation byte or overlong 2-byte lead
  if (lead < 0xE0) return 2;
  if (lead < 0xF0) return 3;
  if (lead < 0xF5) return 4;
  return 0;
}

namespace {
// Returns the number of bytes of a valid sequence at s[pos], 0 if invalid, or -1 if the input
// ends before the sequence is complete while every byte so far is valid.
int ValidSequenceAt(std::string_view s, size_t pos) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data()) + pos;
  size_t avail = s.size() - pos;
  size_t len = SequenceLength(p[0]);
  if (len == 0) return 0;
  if (len == 1) return 1;
  // Allowed range of the second byte depends on the lead (no overlongs, no surrogates).
  uint8_t lo = 0x80, hi = 0xBF;
  if (p[0] == 0xE0) lo = 0xA0;
  if (p[0] == 0xED) hi = 0x9F;
  if (p[0] == 0xF0) lo = 0x90;
  if (p[0] == 0xF4) hi = 0x8F;
  for (size_t i = 1; i < len; ++i) {
    if (i >= avail) return -1;
    uint8_t b = p[i];
    if (i == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return 0;
  }
  return static_cast<int>(len);
}
}  // namespace

bool IsValid(std::string_view s) {
  size_t pos = 0;
  while (pos < s.size()) {
    int n = ValidSequenceAt(s, pos);
    if (n <= 0) return false;
    pos += static_cast<size_t>(n);
  }
  return true;
}

size_t CompletePrefixLength(std::string_view s) {
  size_t pos = 0;
  while (pos < s.size()) {
    int n = ValidSequenceAt(s, pos);
    if (n < 0) return pos;
    pos += n == 0 ? 1 : static_cast<size_t>(n);
  }
  return pos;
}

uint32_t DecodeNext(std::string_view s, size_t* pos) {
  int n = ValidSequenceAt(s, *pos);
  const auto* p = reinterpret_cast<const uint8_t*>(s.data()) + *pos;
  if (n <= 0) {
    *pos += 1;
    return 0xFFFD;
  }
  *pos += static_cast<size_t>(n);
  switch (n) {
    case 1:
      return p[0];
    case 2:
      return (uint32_t(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
    case 3:
      return (uint32_t(p[0] & 0x0F) << 12) | (uint32_t(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
    default:
      return (uint32_t(p[0] & 0x07) << 18) | (uint32_t(p[1] & 0x3F) << 12) |
             (uint32_t(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
  }
}

void Append(std::string& out, uint32_t cp) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string Sanitize(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t pos = 0;
  while (pos < s.size()) {
    int n = ValidSequenceAt(s, pos);
    if (n <= 0) {
      Append(out, 0xFFFD);
      pos += 1;
    } else {
      out.append(s.substr(pos, static_cast<size_t>(n)));
      pos += static_cast<size_t>(n);
    }
  }
  return out;
}

}  // namespace olla::utf8
