#include "base/go_json_format.h"

#include <charconv>
#include <cmath>
#include <cstdint>

#include "base/utf8.h"

namespace olla {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// \uXXXX for a code point below 0x10000.
void AppendU4(std::string& out, uint32_t cp) {
  out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(cp >> shift) & 0xF];
}

// Go trims a negative exponent's leading zero ("e-07" → "e-7") but keeps "e+21".
void TrimExponent(std::string& out, size_t start) {
  size_t n = out.size();
  if (n - start >= 4 && out[n - 4] == 'e' && out[n - 3] == '-' && out[n - 2] == '0') {
    out[n - 2] = out[n - 1];
    out.pop_back();
  }
}

template <typename T>
void AppendGoFloat(std::string& out, T v, T lo, T hi) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  char buf[64];
  T abs = std::fabs(v);
  bool exp_form = abs != 0 && (abs < lo || abs >= hi);
  auto res = std::to_chars(buf, buf + sizeof(buf), v,
                           exp_form ? std::chars_format::scientific : std::chars_format::fixed);
  size_t start = out.size();
  out.append(buf, res.ptr);
  if (exp_form) TrimExponent(out, start);
}

}  // namespace

void AppendGoJsonString(std::string& out, std::string_view s) {
  out.push_back('"');
  size_t pos = 0;
  while (pos < s.size()) {
    auto c = static_cast<unsigned char>(s[pos]);
    if (c < 0x80) {
      ++pos;
      switch (c) {
        case '"':
          out += "\\\"";
          continue;
        case '\\':
          out += "\\\\";
          continue;
        case '\b':
          out += "\\b";
          continue;
        case '\f':
          out += "\\f";
          continue;
        case '\n':
          out += "\\n";
          continue;
        case '\r':
          out += "\\r";
          continue;
        case '\t':
          out += "\\t";
          continue;
        case '<':
        case '>':
        case '&':
          AppendU4(out, c);
          continue;
        default:
          if (c < 0x20) {
            AppendU4(out, c);
          } else {
            out.push_back(static_cast<char>(c));
          }
          continue;
      }
    }
    size_t start = pos;
    uint32_t cp = utf8::DecodeNext(s, &pos);
    if (cp == 0xFFFD && pos - start == 1) {
      out += "\\ufffd";  // one invalid byte (a literal U+FFFD is 3 bytes and is copied raw)
    } else if (cp == 0x2028 || cp == 0x2029) {
      AppendU4(out, cp);
    } else {
      out.append(s.substr(start, pos - start));
    }
  }
  out.push_back('"');
}

std::string GoJsonString(std::string_view s) {
  std::string out;
  AppendGoJsonString(out, s);
  return out;
}

void AppendGoFloat64(std::string& out, double v) { AppendGoFloat<double>(out, v, 1e-6, 1e21); }

void AppendGoFloat32(std::string& out, float v) { AppendGoFloat<float>(out, v, 1e-6f, 1e21f); }

std::string GoEscapeHtml(std::string_view json_text) {
  std::string out;
  out.reserve(json_text.size());
  bool in_string = false, escaped = false;
  for (char c : json_text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      } else if (c == '<' || c == '>' || c == '&') {
        AppendU4(out, static_cast<unsigned char>(c));
        continue;
      }
    } else if (c == '"') {
      in_string = true;
    }
    out += c;
  }
  return out;
}

}  // namespace olla
