#pragma once
// Registry credentials from a Docker-style config file, so that `docker login` (or a hand-written
// file) gives olla access to private registries (user-needs §13; spec §7.5 "Basic auth … MAY be
// supported via config"):
//
//   {"auths": {"registry.example.com": {"auth": "<base64 of user:password>"},
//              "127.0.0.1:5000":       {"username": "u", "password": "p"}}}
//
// Keys are registry hosts ("host" or "host:port"; an "https://" or "http://" prefix and a
// trailing path are ignored, as Docker writes "https://index.docker.io/v1/"). Credential helpers
// ("credsStore", "credHelpers") are not run. The client sends these credentials only to the
// registry they are filed under (client.h).

#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "registry/client.h"

namespace olla::registry {

// Parses a config file's bytes and returns the credentials for `host` (matched ignoring ASCII
// case), or nullopt. Malformed files → kInvalidArgument naming the problem (never the secrets).
Result<std::optional<Credentials>> FindCredentials(std::string_view config_json,
                                                   std::string_view host);

// The config file olla reads: $OLLA_REGISTRY_AUTH_FILE, else $DOCKER_CONFIG/config.json, else
// $HOME/.docker/config.json.
std::string DefaultCredentialsFile();

// A CredentialsFn that reads `path` on every call (a new `docker login` applies at once). A
// missing or unreadable file gives no credentials; a malformed one is logged and gives none.
CredentialsFn CredentialsFromFile(std::string path);

}  // namespace olla::registry
