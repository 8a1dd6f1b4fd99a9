#pragma once
// Streaming SHA-256 over OpenSSL's EVP interface.

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace olla {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(const void* data, size_t n);
  void Update(std::string_view s) { Update(s.data(), s.size()); }
  // Finishes the hash; the object must not be updated afterwards.
  std::array<uint8_t, 32> Final();
  // Finishes the hash and returns 64 lowercase hex digits.
  std::string FinalHex();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Lowercase hex of sha256(data).
std::string Sha256Hex(std::string_view data);
// Lowercase hex of the sha256 of a file's contents, streamed.
Result<std::string> Sha256File(const std::string& path);

}  // namespace olla
