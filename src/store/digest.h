#pragma once
// Digest: the content address of a blob, "sha256:<64 lowercase hex>" (spec §6.1, §3.11).
//
// Digests name files in the store, so they are validated by one strict parser before any
// filesystem use (user-needs §2, CVE-2024-37032): a Digest object always holds exactly 64
// lowercase hex digits, and its blob file name can never contain '/' or "..".

#include <compare>
#include <string>
#include <string_view>

#include "base/status.h"

namespace olla::store {

class Digest {
 public:
  // Strict canonical form: "sha256:" + 64 lowercase hex digits. Anything else (other algorithm,
  // wrong length, uppercase hex, "sha256-" separator, whitespace) fails with kInvalidArgument and a
  // message starting with "invalid digest format".
  static Result<Digest> Parse(std::string_view text);
  // The forms the store and the blob API accept (§6.1): "sha256:" or "sha256-" followed by 64 hex
  // digits of either case; the result is normalised to lowercase.
  static Result<Digest> ParseLenient(std::string_view text);
  // A blob file name, "sha256-" + 64 lowercase hex digits exactly (§6.1); else kInvalidArgument.
  static Result<Digest> FromBlobFileName(std::string_view name);
  // The digest of `data`.
  static Digest Of(std::string_view data);
  // From 64 lowercase hex digits (the output of Sha256::FinalHex); kInvalidArgument otherwise.
  static Result<Digest> FromHex(std::string_view hex);

  Digest() = default;  // empty; only for containers, never valid in the store

  bool empty() const { return hex_.empty(); }
  // 64 lowercase hex digits.
  const std::string& hex() const { return hex_; }
  // "sha256:<hex>".
  std::string String() const { return "sha256:" + hex_; }
  // "sha256-<hex>", the blob's file name under blobs/.
  std::string BlobFileName() const { return "sha256-" + hex_; }

  friend bool operator==(const Digest&, const Digest&) = default;
  friend std::strong_ordering operator<=>(const Digest& a, const Digest& b) {
    return a.hex_.compare(b.hex_) <=> 0;
  }

 private:
  explicit Digest(std::string hex) : hex_(std::move(hex)) {}
  std::string hex_;
};

}  // namespace olla::store
