#pragma once
// StrCat: concatenates strings and numbers (GCC 12 has no <format>).

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

namespace olla {

namespace internal {
inline void AppendPiece(std::string& out, std::string_view s) { out.append(s); }
inline void AppendPiece(std::string& out, const char* s) { out.append(s ? s : "(null)"); }
inline void AppendPiece(std::string& out, const std::string& s) { out.append(s); }
inline void AppendPiece(std::string& out, char c) { out.push_back(c); }
inline void AppendPiece(std::string& out, bool b) { out.append(b ? "true" : "false"); }
template <typename T>
requires(std::is_integral_v<T> && !std::is_same_v<T, bool> &&
         !std::is_same_v<T, char>) void AppendPiece(std::string& out, T v) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, res.ptr);
}
template <typename T>
requires std::is_floating_point_v<T>
void AppendPiece(std::string& out, T v) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, res.ptr);
}
template <typename T>
requires std::is_enum_v<T>
void AppendPiece(std::string& out, T v) {
  AppendPiece(out, static_cast<std::underlying_type_t<T>>(v));
}
}  // namespace internal

template <typename... Args>
std::string StrCat(const Args&... args) {
  std::string out;
  (internal::AppendPiece(out, args), ...);
  return out;
}

template <typename... Args>
void StrAppend(std::string& out, const Args&... args) {
  (internal::AppendPiece(out, args), ...);
}

// printf-style formatting into a std::string, for the few places that need %g / %.1f.
std::string StrFormat(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

}  // namespace olla
