#include "store/manifest.h"

#include <nlohmann/json.hpp>

#include "base/str_cat.h"
#include "store/go_json.h"

namespace olla::store {
namespace {

using nlohmann::json;

void AppendLayer(std::string& out, const Layer& layer) {
  out += "{\"mediaType\":";
  AppendGoJsonString(out, layer.media_type);
  out += ",\"digest\":";
  AppendGoJsonString(out, layer.digest.empty() ? std::string() : layer.digest.String());
  out += ",\"size\":";
  out += std::to_string(layer.size);
  if (!layer.from.empty()) {
    out += ",\"from\":";
    AppendGoJsonString(out, layer.from);
  }
  if (!layer.name.empty()) {
    out += ",\"name\":";
    AppendGoJsonString(out, layer.name);
  }
  out.push_back('}');
}

// Reads an optional string field; absent or null → "". Wrong type → error.
Status GetString(const json& obj, const char* key, std::string_view where, std::string* out) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return Status::Ok();
  if (!it->is_string()) {
    return Status::Corrupt(StrCat("manifest: ", where, ".", key, " is not a string"));
  }
  *out = it->get<std::string>();
  return Status::Ok();
}

Result<Layer> ParseLayer(const json& obj, const std::string& where) {
  if (!obj.is_object()) return Status::Corrupt(StrCat("manifest: ", where, " is not an object"));
  Layer layer;
  OLLA_RETURN_IF_ERROR(GetString(obj, "mediaType", where, &layer.media_type));
  std::string digest;
  OLLA_RETURN_IF_ERROR(GetString(obj, "digest", where, &digest));
  if (digest.empty()) return Status::Corrupt(StrCat("manifest: ", where, " has no digest"));
  // Registries and older clients may write "sha256-" or uppercase hex; normalise.
  Result<Digest> d = Digest::ParseLenient(digest);
  if (!d.ok()) return Status::Corrupt(StrCat("manifest: ", where, ": ", d.status().message()));
  layer.digest = *d;
  if (auto it = obj.find("size"); it != obj.end() && !it->is_null()) {
    if (!it->is_number_integer()) {
      return Status::Corrupt(StrCat("manifest: ", where, ".size is not an integer"));
    }
    if (it->is_number_unsigned() && it->get<uint64_t>() > uint64_t{INT64_MAX}) {
      return Status::Corrupt(StrCat("manifest: ", where, ".size is out of range"));
    }
    layer.size = it->get<int64_t>();
    if (layer.size < 0) return Status::Corrupt(StrCat("manifest: ", where, ".size is negative"));
  }
  OLLA_RETURN_IF_ERROR(GetString(obj, "from", where, &layer.from));
  OLLA_RETURN_IF_ERROR(GetString(obj, "name", where, &layer.name));
  return layer;
}

Result<Manifest> ParseManifestJson(const json& root) {
  if (!root.is_object()) return Status::Corrupt("manifest: not a JSON object");
  Manifest m;
  if (auto it = root.find("schemaVersion"); it != root.end() && !it->is_null()) {
    if (!it->is_number_integer())
      return Status::Corrupt("manifest: schemaVersion is not an integer");
    m.schema_version = it->get<int64_t>();
  }
  m.media_type.clear();
  OLLA_RETURN_IF_ERROR(GetString(root, "mediaType", "manifest", &m.media_type));
  auto config = root.find("config");
  if (config == root.end() || config->is_null()) return Status::Corrupt("manifest: no config");
  OLLA_ASSIGN_OR_RETURN(m.config, ParseLayer(*config, "config"));
  if (auto it = root.find("layers"); it != root.end() && !it->is_null()) {
    if (!it->is_array()) return Status::Corrupt("manifest: layers is not an array");
    m.layers.reserve(it->size());
    for (size_t i = 0; i < it->size(); ++i) {
      OLLA_ASSIGN_OR_RETURN(Layer layer, ParseLayer((*it)[i], StrCat("layers[", i, "]")));
      m.layers.push_back(std::move(layer));
    }
  }
  return m;
}

}  // namespace

int64_t Manifest::TotalSize() const {
  int64_t total = config.size;
  for (const Layer& l : layers) total += l.size;
  return total;
}

std::vector<Digest> Manifest::ReferencedDigests() const {
  std::vector<Digest> out;
  out.reserve(layers.size() + 1);
  if (!config.digest.empty()) out.push_back(config.digest);
  for (const Layer& l : layers) {
    if (!l.digest.empty()) out.push_back(l.digest);
  }
  return out;
}

std::string EncodeManifest(const Manifest& manifest) {
  std::string out = "{\"schemaVersion\":";
  out += std::to_string(manifest.schema_version);
  out += ",\"mediaType\":";
  AppendGoJsonString(out, manifest.media_type);
  out += ",\"config\":";
  AppendLayer(out, manifest.config);
  out += ",\"layers\":[";
  for (size_t i = 0; i < manifest.layers.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendLayer(out, manifest.layers[i]);
  }
  out += "]}\n";
  return out;
}

Result<Manifest> ParseManifest(std::string_view bytes) {
  if (bytes.size() > kMaxManifestBytes) {
    return Status::Corrupt(StrCat("manifest: ", bytes.size(), " bytes is larger than the limit of ",
                                  kMaxManifestBytes));
  }
  json root = json::parse(bytes.begin(), bytes.end(), nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return Status::Corrupt("manifest: invalid JSON");
  try {
    return ParseManifestJson(root);
  } catch (const json::exception& e) {
    return Status::Corrupt(StrCat("manifest: ", e.what()));
  }
}

}  // namespace olla::store
