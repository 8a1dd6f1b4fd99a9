#pragma once
// Ollama's key-signature authentication (spec §1.3, §7.3): the identity key pair under
// ~/.ollama, created by `olla serve` when missing, and the signature that a token request to the
// registry carries:
//
//   GET <realm>?nonce=…&scope=…&service=…&ts=…
//   Authorization: <base64 SSH public key blob>:<base64 Ed25519 signature of
//                  "GET,<that URL>,<base64 of the hex sha256 of the empty body>">
//
// client.h sends it only to a token realm on the registry's own host.

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "registry/client.h"
#include "registry/ssh_key.h"

namespace olla::registry {

// $HOME/.ollama/id_ed25519 (home from the password database if HOME is unset).
Result<std::string> DefaultKeyPath();

// Reads and parses the OpenSSH private key at `path`; errors name the path.
Result<Ed25519Key> LoadKey(const std::string& path);

struct EnsuredKey {
  bool created = false;
  std::string public_line;  // "ssh-ed25519 AAAA…" of the new key; empty when it existed
};
// Ollama's key check at server start: if `path` does not exist, generates a key and writes it
// there (OpenSSH PEM, mode 0600, never replacing a file that appeared meanwhile; parent
// directories 0755) and its public key line to `path`.pub (mode 0644). An existing file is left
// as it is, unread. A path that cannot be checked (stat fails other than "missing") → kIoError.
Result<EnsuredKey> EnsureKeyPair(const std::string& path);

// The string that is signed: "<method>,<url>,<base64 of the lowercase hex sha256 of body>".
std::string SignaturePayload(std::string_view method, std::string_view url, std::string_view body);

// The Authorization value "<base64 of key.PublicKeyBlob()>:<base64 of the signature of data>".
Result<std::string> SignAuthorization(const Ed25519Key& key, std::string_view data);

// A SignFn that loads the key at `path` on every call (a replaced key applies at once).
SignFn SignWithKeyFile(std::string path);
// SignWithKeyFile(DefaultKeyPath()), the path resolved at each call.
SignFn SignWithDefaultKey();

// A token request's nonce: base64url without padding of 16 random bytes.
Result<std::string> NewNonce();
// Seconds since the Unix epoch.
int64_t UnixSeconds();

}  // namespace olla::registry
