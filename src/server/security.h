#pragma once
// CORS and the DNS-rebinding guard (spec §3.2), as a pre-routing check.

#include <string>
#include <string_view>
#include <vector>

namespace olla::server {

// The allowed origins: OLLAMA_ORIGINS entries first, then Ollama's built-in list.
std::vector<std::string> AllowedOrigins(const std::vector<std::string>& extra);
// Glob match with '*' wildcards, as Ollama's CORS config uses.
bool OriginAllowed(std::string_view origin, const std::vector<std::string>& allowed);
// The Host-header check that applies when listening on loopback: empty, localhost, *.localhost,
// *.local, *.internal, loopback/private/unspecified IPs, or this machine's hostname.
bool HostAllowed(std::string_view host_header);
// True if `bind_host` is a loopback address (the guard is active only then).
bool IsLoopbackBind(std::string_view bind_host);

}  // namespace olla::server
