#include "registry/manifest_check.h"

#include <nlohmann/json.hpp>

#include "base/ascii.h"
#include "base/str_cat.h"
#include "store/digest.h"

namespace olla::registry {

namespace {

using nlohmann::json;

constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
constexpr size_t kMaxTextField = 1024;

bool IsRestrictedName(std::string_view s) {
  if (s.empty() || s.size() > 127) return false;
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (!alnum(s[0])) return false;
  for (char c : s) {
    if (!alnum(c) && std::string_view("!#$&-^_.+").find(c) == std::string_view::npos) return false;
  }
  return true;
}

Status CheckBlobRef(const json& obj, const std::string& where, const ManifestLimits& limits) {
  if (!obj.is_object()) return Status::Corrupt(StrCat("manifest: ", where, " is not an object"));
  auto media = obj.find("mediaType");
  if (media == obj.end() || !media->is_string() ||
      !IsValidMediaType(media->get_ref<const std::string&>())) {
    std::string shown = media != obj.end() && media->is_string() ? media->get<std::string>() : "";
    return Status::Corrupt(StrCat("manifest: ", where, " has an invalid media type \"",
                                  EscapeForMessage(shown), "\""));
  }
  auto digest = obj.find("digest");
  if (digest == obj.end() || !digest->is_string()) {
    return Status::Corrupt(StrCat("manifest: ", where, " has no digest"));
  }
  if (Result<store::Digest> d = store::Digest::Parse(digest->get_ref<const std::string&>());
      !d.ok()) {
    return Status::Corrupt(StrCat("manifest: ", where, " has an invalid digest \"",
                                  EscapeForMessage(digest->get_ref<const std::string&>()), "\""));
  }
  auto size = obj.find("size");
  if (size == obj.end() || !size->is_number_integer() ||
      (size->is_number_unsigned() && size->get<uint64_t>() > uint64_t{INT64_MAX}) ||
      size->get<int64_t>() < 0 || size->get<int64_t>() > limits.max_blob_size) {
    return Status::Corrupt(StrCat("manifest: ", where, " has an invalid size"));
  }
  for (const char* key : {"from", "name"}) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) continue;
    if (!it->is_string() || it->get_ref<const std::string&>().size() > kMaxTextField) {
      return Status::Corrupt(StrCat("manifest: ", where, ".", key, " is invalid"));
    }
    for (char c : it->get_ref<const std::string&>()) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
        return Status::Corrupt(StrCat("manifest: ", where, ".", key, " has control characters"));
      }
    }
  }
  return Status::Ok();
}

Status CheckJson(const json& root, const ManifestLimits& limits) {
  if (!root.is_object()) return Status::Corrupt("manifest: not a JSON object");
  auto version = root.find("schemaVersion");
  if (version == root.end() || !version->is_number_integer() || version->get<int64_t>() != 2) {
    return Status::Corrupt("manifest: schemaVersion must be 2");
  }
  if (auto media = root.find("mediaType"); media != root.end() && !media->is_null()) {
    if (!media->is_string()) return Status::Corrupt("manifest: mediaType is not a string");
    const std::string& mt = media->get_ref<const std::string&>();
    if (mt != store::kMediaTypeManifest && mt != kOciManifest) {
      if (mt.find("index") != std::string::npos || mt.find("list") != std::string::npos) {
        return Status::Unsupported(
            StrCat("manifest type \"", EscapeForMessage(mt), "\" is not supported"));
      }
      return Status::Corrupt(
          StrCat("manifest: unexpected media type \"", EscapeForMessage(mt), "\""));
    }
  }
  auto config = root.find("config");
  if (config == root.end()) return Status::Corrupt("manifest: no config");
  OLLA_RETURN_IF_ERROR(CheckBlobRef(*config, "config", limits));
  auto layers = root.find("layers");
  if (layers == root.end() || !layers->is_array()) {
    return Status::Corrupt("manifest: layers is not an array");
  }
  if (layers->size() > limits.max_layers) {
    return Status::Corrupt(StrCat("manifest: ", layers->size(), " layers, more than the limit of ",
                                  limits.max_layers));
  }
  for (size_t i = 0; i < layers->size(); ++i) {
    OLLA_RETURN_IF_ERROR(CheckBlobRef((*layers)[i], StrCat("layers[", i, "]"), limits));
  }
  return Status::Ok();
}

}  // namespace

bool IsValidMediaType(std::string_view media_type) {
  size_t slash = media_type.find('/');
  if (slash == std::string_view::npos) return false;
  return IsRestrictedName(media_type.substr(0, slash)) &&
         IsRestrictedName(media_type.substr(slash + 1));
}

Result<store::Manifest> CheckRemoteManifest(std::string_view raw, const ManifestLimits& limits) {
  if (raw.size() > limits.max_bytes) {
    return Status::Corrupt(
        StrCat("manifest: ", raw.size(), " bytes, more than the limit of ", limits.max_bytes));
  }
  json root = json::parse(raw.begin(), raw.end(), nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return Status::Corrupt("manifest: invalid JSON");
  try {
    OLLA_RETURN_IF_ERROR(CheckJson(root, limits));
  } catch (const json::exception& e) {
    return Status::Corrupt(StrCat("manifest: ", e.what()));
  }
  return store::ParseManifest(raw);
}

}  // namespace olla::registry
