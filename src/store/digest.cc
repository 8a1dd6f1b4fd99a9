#include "store/digest.h"

#include "base/ascii.h"
#include "base/sha256.h"
#include "base/str_cat.h"

namespace olla::store {
namespace {

constexpr size_t kHexLen = 64;

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }
bool IsUpperHex(char c) { return c >= 'A' && c <= 'F'; }

Status FormatError(std::string_view text, std::string_view why) {
  return Status::InvalidArgument(
      StrCat("invalid digest format: \"", EscapeForMessage(text), "\": ", why));
}

// Checks that `hex` is 64 hex digits; uppercase is allowed only if `allow_upper`.
Status CheckHex(std::string_view text, std::string_view hex, bool allow_upper) {
  if (hex.size() != kHexLen) {
    return FormatError(text, StrCat("expected 64 hex digits, got ", hex.size(), " characters"));
  }
  for (size_t i = 0; i < hex.size(); ++i) {
    char c = hex[i];
    if (IsLowerHex(c) || (allow_upper && IsUpperHex(c))) continue;
    if (IsUpperHex(c)) return FormatError(text, "hex digits must be lowercase");
    return FormatError(text, StrCat("character ", i, " is not a hex digit"));
  }
  return Status::Ok();
}

}  // namespace

Result<Digest> Digest::Parse(std::string_view text) {
  constexpr std::string_view kPrefix = "sha256:";
  if (text.substr(0, kPrefix.size()) != kPrefix) {
    return FormatError(text, "expected \"sha256:\" followed by 64 lowercase hex digits");
  }
  std::string_view hex = text.substr(kPrefix.size());
  OLLA_RETURN_IF_ERROR(CheckHex(text, hex, /*allow_upper=*/false));
  return Digest(std::string(hex));
}

Result<Digest> Digest::ParseLenient(std::string_view text) {
  if (text.size() < 7 || text.substr(0, 6) != "sha256" || (text[6] != ':' && text[6] != '-')) {
    return FormatError(text, "expected \"sha256:\" or \"sha256-\" followed by 64 hex digits");
  }
  std::string_view hex = text.substr(7);
  OLLA_RETURN_IF_ERROR(CheckHex(text, hex, /*allow_upper=*/true));
  return Digest(AsciiToLower(hex));
}

Result<Digest> Digest::FromBlobFileName(std::string_view name) {
  constexpr std::string_view kPrefix = "sha256-";
  if (name.substr(0, kPrefix.size()) != kPrefix) {
    return FormatError(name, "blob file names are \"sha256-\" followed by 64 lowercase hex digits");
  }
  std::string_view hex = name.substr(kPrefix.size());
  OLLA_RETURN_IF_ERROR(CheckHex(name, hex, /*allow_upper=*/false));
  return Digest(std::string(hex));
}

Digest Digest::Of(std::string_view data) { return Digest(Sha256Hex(data)); }

Result<Digest> Digest::FromHex(std::string_view hex) {
  OLLA_RETURN_IF_ERROR(CheckHex(hex, hex, /*allow_upper=*/false));
  return Digest(std::string(hex));
}

}  // namespace olla::store
