#pragma once
// Registry authentication, the pure parts (spec §7.3, Docker token authentication): parsing
// WWW-Authenticate challenges, building the token request URL, reading the token response.
// Registry bytes are hostile: every parser here bounds its input and never throws.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace olla::registry {

// One challenge of a WWW-Authenticate header (RFC 7235 §4.1), e.g.
// `Bearer realm="https://r/token",service="r",scope="repository:ns/m:pull"`.
struct Challenge {
  std::string scheme;                         // lowercase: "bearer", "basic", ...
  std::map<std::string, std::string> params;  // lowercase names → unquoted values
  std::string Param(const std::string& name) const {
    auto it = params.find(name);
    return it == params.end() ? std::string() : it->second;
  }
};

// Parses a WWW-Authenticate header value that may hold several challenges
// (`Bearer realm="a", Basic realm="b"`). Values may be tokens or quoted strings (with backslash
// escapes). Headers over 8 KiB, unterminated quotes or other malformed input → kCorrupt.
Result<std::vector<Challenge>> ParseWwwAuthenticate(std::string_view header);

// The token request URL: the realm with `service` and one `scope` per space-separated scope of
// the challenge appended as query parameters (existing realm parameters kept).
// kInvalidArgument if the challenge has no realm.
Result<std::string> TokenRequestUrl(const Challenge& challenge);

// The token request URL of Ollama's key-signature scheme (spec §7.3), built as Go's
// url.Values.Encode does, since it is the signed string: the realm's own query parameters,
// `service`, one `scope` per space-separated scope (both even when empty), `ts` and `nonce`, keys
// in byte order, values form-encoded (space → '+'). The realm's fragment is dropped.
// kInvalidArgument if the challenge has no realm or it is not an http(s) URL.
Result<std::string> SignedTokenRequestUrl(const Challenge& challenge, int64_t ts,
                                          std::string_view nonce);

// Reads a token server's JSON response: "token", else "access_token" (Docker token spec).
// Bodies that are not a JSON object, lack both fields, or hold a token with characters outside
// the token68/visible-ASCII set → kCorrupt.
Result<std::string> ParseTokenResponse(std::string_view body);

// "Basic " + base64(user ":" password) (RFC 7617).
std::string BasicAuthorization(std::string_view user, std::string_view password);

}  // namespace olla::registry
