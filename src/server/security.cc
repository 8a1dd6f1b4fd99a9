#include "server/security.h"

#include <arpa/inet.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

#include "base/ascii.h"

namespace olla::server {

std::vector<std::string> AllowedOrigins(const std::vector<std::string>& extra) {
  std::vector<std::string> out = extra;
  for (const char* host : {"localhost", "127.0.0.1", "0.0.0.0"})
    for (const char* scheme : {"http", "https"}) {
      out.push_back(std::string(scheme) + "://" + host);
      out.push_back(std::string(scheme) + "://" + host + ":*");
    }
  for (const char* o :
       {"app://*", "file://*", "tauri://*", "vscode-webview://*", "vscode-file://*"})
    out.push_back(o);
  return out;
}

namespace {
bool Glob(std::string_view pattern, std::string_view s) {
  size_t p = 0, i = 0, star = std::string_view::npos, mark = 0;
  while (i < s.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = i;
    } else if (p < pattern.size() && pattern[p] == s[i]) {
      ++p;
      ++i;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      i = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool IsLocalIp(const std::string& host) {
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    uint32_t a = ntohl(v4.s_addr);
    return (a >> 24) == 127 || (a >> 24) == 10 || (a >> 20) == (172 << 4 | 1) ||
           (a >> 16) == (192 << 8 | 168) || a == 0 || (a >> 16) == (169 << 8 | 254);
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    static const in6_addr any = IN6ADDR_ANY_INIT;
    if (IN6_IS_ADDR_LOOPBACK(&v6) || std::equal(v6.s6_addr, v6.s6_addr + 16, any.s6_addr))
      return true;
    return (v6.s6_addr[0] & 0xfe) == 0xfc ||
           (v6.s6_addr[0] == 0xfe && (v6.s6_addr[1] & 0xc0) == 0x80);
  }
  return false;
}
}  // namespace

bool OriginAllowed(std::string_view origin, const std::vector<std::string>& allowed) {
  return std::any_of(allowed.begin(), allowed.end(),
                     [&](const std::string& p) { return Glob(p, origin); });
}

bool HostAllowed(std::string_view host_header) {
  std::string host(host_header);
  if (!host.empty() && host[0] == '[') {
    host = host.substr(1, host.find(']') - 1);
  } else if (std::count(host.begin(), host.end(), ':') == 1) {
    host = host.substr(0, host.find(':'));
  }
  host = AsciiToLower(host);
  if (host.empty() || host == "localhost") return true;
  if (EndsWith(host, ".localhost") || EndsWith(host, ".local") || EndsWith(host, ".internal"))
    return true;
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) == 0) {
    std::string self = name;
    self = AsciiToLower(self);
    if (host == self) return true;
  }
  return IsLocalIp(host);
}

bool IsLoopbackBind(std::string_view bind_host) {
  std::string h(bind_host);
  if (h == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, h.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  return inet_pton(AF_INET6, h.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

}  // namespace olla::server
