#pragma once
// ASCII-only text helpers: case mapping that leaves every non-ASCII byte alone (protocol words,
// host names, identifiers; unlike std::tolower it never depends on the C locale), and untrusted
// bytes made safe to show in an error message.

#include <cstddef>
#include <string>
#include <string_view>

namespace olla {

constexpr char AsciiToLower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}
constexpr char AsciiToUpper(char c) {
  return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}
std::string AsciiToLower(std::string_view s);
std::string AsciiToUpper(std::string_view s);
// a == b ignoring the case of ASCII letters.
bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b);

// Renders untrusted `text` for an error message: printable ASCII kept, every other byte as \xNN
// (lower-case hex), cut to `max_bytes` with "..." appended when longer. `escape_backslash` also
// writes '\' as \x5c, so that a \xNN in the output always stands for one escaped byte.
std::string EscapeForMessage(std::string_view text, size_t max_bytes = 120,
                             bool escape_backslash = true);

}  // namespace olla
