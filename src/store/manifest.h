#pragma once
// Manifest (Docker Image Manifest V2 Schema 2 layout, spec §6.3) and its (de)serialisation.
//
// EncodeManifest writes exactly what Ollama writes for locally created manifests: compact JSON,
// fields in the order schemaVersion, mediaType, config, layers (each layer: mediaType, digest,
// size, then from/name when non-empty), Go string escaping, and one trailing '\n'. The manifest
// digest (§6.2) is the sha256 of those bytes, so equal manifests give equal digests.
// ParseManifest accepts any key order and extra fields; every digest must be a valid sha256
// digest (it names a file), sizes must be non-negative.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "store/digest.h"

namespace olla::store {

// Manifests larger than this are treated as corrupt (a safetensors model with tens of thousands
// of tensor layers stays far below it); bounds memory when reading hostile files.
inline constexpr size_t kMaxManifestBytes = size_t{32} << 20;

// Media types (§6.3).
inline constexpr std::string_view kMediaTypeManifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kMediaTypeConfig =
    "application/vnd.docker.container.image.v1+json";
inline constexpr std::string_view kMediaTypeModel = "application/vnd.ollama.image.model";
inline constexpr std::string_view kMediaTypeProjector = "application/vnd.ollama.image.projector";
inline constexpr std::string_view kMediaTypeAdapter = "application/vnd.ollama.image.adapter";
inline constexpr std::string_view kMediaTypeDraft = "application/vnd.ollama.image.draft";
inline constexpr std::string_view kMediaTypeTemplate = "application/vnd.ollama.image.template";
inline constexpr std::string_view kMediaTypePrompt = "application/vnd.ollama.image.prompt";
inline constexpr std::string_view kMediaTypeSystem = "application/vnd.ollama.image.system";
inline constexpr std::string_view kMediaTypeParams = "application/vnd.ollama.image.params";
inline constexpr std::string_view kMediaTypeMessages = "application/vnd.ollama.image.messages";
inline constexpr std::string_view kMediaTypeLicense = "application/vnd.ollama.image.license";
inline constexpr std::string_view kMediaTypeEmbed = "application/vnd.ollama.image.embed";
inline constexpr std::string_view kMediaTypeTensor = "application/vnd.ollama.image.tensor";
inline constexpr std::string_view kMediaTypeJson = "application/vnd.ollama.image.json";

struct Layer {
  std::string media_type;
  Digest digest;
  int64_t size = 0;  // bytes of the blob
  std::string from;  // origin model short name or imported file name; omitted when empty
  std::string name;  // tensor/file name (safetensors models); omitted when empty

  friend bool operator==(const Layer&, const Layer&) = default;
};

struct Manifest {
  int64_t schema_version = 2;
  std::string media_type = std::string(kMediaTypeManifest);
  Layer config;
  std::vector<Layer> layers;

  // Sum of the sizes of all layers and the config (what `ollama list` shows, §1.8).
  int64_t TotalSize() const;
  // The config digest followed by every layer digest, in manifest order (may repeat).
  std::vector<Digest> ReferencedDigests() const;

  friend bool operator==(const Manifest&, const Manifest&) = default;
};

// Compact Go-style JSON + '\n' (see the file comment).
std::string EncodeManifest(const Manifest& manifest);
// Parses manifest bytes from disk or a registry. Malformed JSON, wrong field types, missing
// config/digests, invalid digests, negative sizes or more than kMaxManifestBytes → kCorrupt
// naming the problem.
Result<Manifest> ParseManifest(std::string_view bytes);

}  // namespace olla::store
