#include "registry/url.h"

#include <curl/curl.h>

#include <cctype>
#include <cstdlib>
#include <memory>

#include "base/ascii.h"
#include "base/str_cat.h"

namespace olla::registry {

namespace {

struct UrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
using UrlHandle = std::unique_ptr<CURLU, UrlDeleter>;

// Cut and escaped for error messages: the text comes from a server.
std::string ForMessage(std::string_view text) {
  return EscapeForMessage(text, 200, /*escape_backslash=*/false);
}

Result<std::string> GetPart(CURLU* h, CURLUPart part, unsigned flags = 0) {
  char* out = nullptr;
  CURLUcode rc = curl_url_get(h, part, &out, flags);
  if (rc != CURLUE_OK) return Status::NotFound("no such URL part");
  std::string s(out);
  curl_free(out);
  return s;
}

Result<Url> FromHandle(CURLU* h, std::string_view original) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument(StrCat("invalid URL \"", ForMessage(original), "\": ", why));
  };
  Url url;
  Result<std::string> scheme = GetPart(h, CURLUPART_SCHEME);
  if (!scheme.ok()) return bad("no scheme");
  url.scheme = *scheme;
  url.scheme = AsciiToLower(url.scheme);
  if (url.scheme != "http" && url.scheme != "https") return bad("only http and https are allowed");
  if (GetPart(h, CURLUPART_USER).ok() || GetPart(h, CURLUPART_PASSWORD).ok()) {
    return bad("credentials in URLs are not allowed");
  }
  Result<std::string> host = GetPart(h, CURLUPART_HOST);
  if (!host.ok() || host->empty()) return bad("no host");
  url.host = *host;
  url.host = AsciiToLower(url.host);
  Result<std::string> port = GetPart(h, CURLUPART_PORT, CURLU_DEFAULT_PORT);
  if (!port.ok()) return bad("no port");
  url.port = std::atoi(port->c_str());
  if (url.port <= 0 || url.port > 65535) return bad("bad port");
  Result<std::string> full = GetPart(h, CURLUPART_URL);
  if (!full.ok()) return bad("cannot normalise");
  url.full = *full;
  return url;
}

}  // namespace

std::string Url::Authority() const {
  int default_port = scheme == "https" ? 443 : 80;
  return port == default_port ? host : StrCat(host, ":", port);
}

Result<Url> ParseUrl(std::string_view text) {
  UrlHandle h(curl_url());
  if (!h) return Status::Internal("curl_url failed");
  std::string s(text);
  if (s.find('\0') != std::string::npos ||
      curl_url_set(h.get(), CURLUPART_URL, s.c_str(), 0) != CURLUE_OK) {
    return Status::InvalidArgument(StrCat("invalid URL \"", ForMessage(text), "\""));
  }
  return FromHandle(h.get(), text);
}

Result<Url> ResolveUrl(const Url& base, std::string_view reference) {
  UrlHandle h(curl_url());
  if (!h) return Status::Internal("curl_url failed");
  std::string ref(reference);
  if (ref.empty() || ref.find('\0') != std::string::npos ||
      curl_url_set(h.get(), CURLUPART_URL, base.full.c_str(), 0) != CURLUE_OK ||
      curl_url_set(h.get(), CURLUPART_URL, ref.c_str(), 0) != CURLUE_OK) {
    return Status::InvalidArgument(StrCat("invalid URL reference \"", ForMessage(reference), "\""));
  }
  return FromHandle(h.get(), reference);
}

bool SameOrigin(const Url& a, const Url& b) {
  return a.scheme == b.scheme && a.host == b.host && a.port == b.port;
}

Result<Url> CheckRedirect(const Url& from, std::string_view location, bool insecure) {
  if (location.empty()) return Status::Corrupt("redirect without a Location header");
  Result<Url> to = ResolveUrl(from, location);
  if (!to.ok()) return Status::Corrupt(StrCat("redirect refused: ", to.status().message()));
  if (from.scheme == "https" && to->scheme == "http" && !insecure) {
    return Status::Corrupt(
        StrCat("redirect refused: https to http downgrade (to ", to->Authority(), ")"));
  }
  return to;
}

std::string QueryEscape(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : text) {
    unsigned char u = static_cast<unsigned char>(ch);
    if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u == '-' ||
        u == '.' || u == '_' || u == '~') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  return out;
}

std::string AddQuery(std::string_view url, std::string_view key, std::string_view value) {
  size_t hash = url.find('#');
  std::string_view base = url.substr(0, hash);
  std::string out(base);
  if (base.find('?') == std::string_view::npos) {
    out.push_back('?');
  } else if (!base.empty() && base.back() != '?' && base.back() != '&') {
    out.push_back('&');
  }
  out += QueryEscape(key);
  out.push_back('=');
  out += QueryEscape(value);
  return out;
}

}  // namespace olla::registry
