#pragma once
// URLs as the registry client sees them: parsing, resolving a Location header against the URL
// it came from, origins (who may receive credentials), and the redirect policy. Pure functions
// over libcurl's URL parser (no I/O).

#include <string>
#include <string_view>

#include "base/status.h"

namespace olla::registry {

struct Url {
  std::string scheme;  // "http" or "https"
  std::string host;    // lowercase; IPv6 literals keep their brackets
  int port = 0;        // explicit, else the scheme's default (80, 443)
  std::string full;    // the normalised absolute URL
  // "host" or "host:port" when the port is not the scheme's default (a ModelName host).
  std::string Authority() const;
};

// Parses an absolute http(s) URL. Other schemes, user:password@ parts, or a missing host →
// kInvalidArgument.
Result<Url> ParseUrl(std::string_view text);
// Resolves `reference` (absolute, or relative as in a Location header) against `base`
// (RFC 3986 §5), then parses the result as ParseUrl does.
Result<Url> ResolveUrl(const Url& base, std::string_view reference);

// Same scheme, host (ASCII case-insensitive) and port: the only URLs that may receive the
// registry's credentials.
bool SameOrigin(const Url& a, const Url& b);

// Maximum redirects followed for one request.
inline constexpr int kMaxRedirects = 10;

// One redirect hop from `from` to its `location` header: the target must be http(s) and must not
// downgrade https to http unless `insecure`. Returns the target URL.
Result<Url> CheckRedirect(const Url& from, std::string_view location, bool insecure);

// `url` with "key=value" appended to its query (value percent-encoded).
std::string AddQuery(std::string_view url, std::string_view key, std::string_view value);
// Percent-encodes everything but unreserved characters (RFC 3986 §2.3).
std::string QueryEscape(std::string_view text);

}  // namespace olla::registry
