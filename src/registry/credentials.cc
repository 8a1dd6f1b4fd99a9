#include "registry/credentials.h"

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "base/base64.h"
#include "base/file.h"
#include "base/log.h"
#include "base/str_cat.h"
#include "registry/auth.h"

namespace olla::registry {

namespace {

constexpr size_t kMaxConfigBytes = 1 << 20;

// "https://Host:5000/v1/" → "host:5000".
std::string NormalizeHost(std::string_view key) {
  for (std::string_view scheme : {"https://", "http://"}) {
    if (key.substr(0, scheme.size()) == scheme) key.remove_prefix(scheme.size());
  }
  key = key.substr(0, key.find('/'));
  std::string out(key);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

Result<std::optional<Credentials>> FindCredentials(std::string_view config_json,
                                                   std::string_view host) {
  if (config_json.size() > kMaxConfigBytes)
    return Status::InvalidArgument("credentials file too large");
  nlohmann::json root =
      nlohmann::json::parse(config_json.begin(), config_json.end(), nullptr, false);
  if (root.is_discarded() || !root.is_object()) {
    return Status::InvalidArgument("credentials file is not a JSON object");
  }
  auto auths = root.find("auths");
  if (auths == root.end() || auths->is_null()) return std::optional<Credentials>();
  if (!auths->is_object())
    return Status::InvalidArgument("credentials file: \"auths\" is not an object");
  const std::string want = NormalizeHost(host);
  for (const auto& [key, entry] : auths->items()) {
    if (NormalizeHost(key) != want) continue;
    if (!entry.is_object())
      return Status::InvalidArgument("credentials file: entry is not an object");
    auto text = [&](const char* field) -> std::string {
      auto it = entry.find(field);
      return it != entry.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    Credentials c{text("username"), text("password")};
    if (std::string auth = text("auth"); !auth.empty()) {
      Result<std::string> plain = Base64Decode(auth);
      size_t colon = plain.ok() ? plain->find(':') : std::string::npos;
      if (colon == std::string::npos) {
        return Status::InvalidArgument(StrCat("credentials file: bad \"auth\" for ", want));
      }
      c = {plain->substr(0, colon), plain->substr(colon + 1)};
    }
    if (c.username.empty()) return std::optional<Credentials>();
    return std::optional<Credentials>(std::move(c));
  }
  return std::optional<Credentials>();
}

std::string DefaultCredentialsFile() {
  if (const char* f = std::getenv("OLLA_REGISTRY_AUTH_FILE"); f != nullptr && *f != '\0') return f;
  if (const char* d = std::getenv("DOCKER_CONFIG"); d != nullptr && *d != '\0') {
    return StrCat(d, "/config.json");
  }
  const char* home = std::getenv("HOME");
  return StrCat(home ? home : "", "/.docker/config.json");
}

CredentialsFn CredentialsFromFile(std::string path) {
  return [path = std::move(path)](std::string_view host) -> std::optional<Credentials> {
    Result<std::string> text = ReadFile(path);
    if (!text.ok()) return std::nullopt;
    Result<std::optional<Credentials>> found = FindCredentials(*text, host);
    if (!found.ok()) {
      LogWarn(StrCat("registry credentials: ", found.status().message()));
      return std::nullopt;
    }
    return *found;
  };
}

}  // namespace olla::registry
