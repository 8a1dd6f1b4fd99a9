#pragma once
// Ed25519 identity keys in OpenSSH's formats (spec §1.3, §2.2, §7.3): the private key file
// `~/.ollama/id_ed25519` ("-----BEGIN OPENSSH PRIVATE KEY-----", the `openssh-key-v1` container
// of OpenSSH's PROTOCOL.key, unencrypted) and the public key line `ssh-ed25519 AAAA…`.
// Keys and signatures are OpenSSL 3's EVP_PKEY_ED25519; the container is parsed and written here.
//
// Key files are outside input: the parser bounds every length, never throws, and names what is
// wrong (kCorrupt for damaged files, kUnsupported for encrypted keys or other key types).

#include <string>
#include <string_view>

#include "base/status.h"

namespace olla::registry {

class Ed25519Key {
 public:
  // A fresh key from OpenSSL's random generator.
  static Result<Ed25519Key> Generate();
  // The key of a 32-byte RFC 8032 private key (seed); other sizes → kInvalidArgument.
  static Result<Ed25519Key> FromSeed(std::string_view seed);
  // Parses an OpenSSH private key file holding exactly one unencrypted ssh-ed25519 key.
  static Result<Ed25519Key> ParseOpenSsh(std::string_view text);

  Ed25519Key(Ed25519Key&&) = default;
  Ed25519Key& operator=(Ed25519Key&&) = default;
  Ed25519Key(const Ed25519Key&) = delete;
  Ed25519Key& operator=(const Ed25519Key&) = delete;
  ~Ed25519Key();  // wipes the seed

  // The OpenSSH private key file, as Go's ssh.MarshalPrivateKey + pem.Encode write it (Ollama):
  // 64-column base64, empty comment, random check words.
  std::string ToOpenSsh() const;
  // 32 raw bytes.
  const std::string& public_key() const { return public_; }
  // The SSH wire-format public key: string "ssh-ed25519", string <32 bytes>.
  std::string PublicKeyBlob() const;
  // "ssh-ed25519 <base64 of PublicKeyBlob>" (the .pub line without its newline).
  std::string AuthorizedKey() const;
  // The raw 64-byte Ed25519 signature of `data`.
  Result<std::string> Sign(std::string_view data) const;

 private:
  Ed25519Key(std::string seed, std::string pub) : seed_(std::move(seed)), public_(std::move(pub)) {}
  std::string seed_, public_;
};

// Checks a raw 64-byte Ed25519 signature of `data` against a 32-byte public key.
bool VerifyEd25519(std::string_view public_key, std::string_view data, std::string_view signature);

// The 32-byte key of an SSH wire-format ssh-ed25519 public key blob (the base64 field of a .pub
// line, decoded). Anything else → kCorrupt / kUnsupported.
Result<std::string> ParsePublicKeyBlob(std::string_view blob);

}  // namespace olla::registry
