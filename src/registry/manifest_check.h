#pragma once
// Validation of a manifest received from a registry, before any of it names a file or sizes an
// allocation (user-needs: path traversal through digests, hostile registries). Stricter than
// store::ParseManifest, which also reads older local files: digests must be canonical
// ("sha256:" + 64 lowercase hex; so `sha256:../../x` is refused), media types must be RFC 6838
// names, and the size of the manifest, the number of layers and each blob size are capped.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/status.h"
#include "store/manifest.h"

namespace olla::registry {

struct ManifestLimits {
  size_t max_bytes = size_t{4} << 20;
  size_t max_layers = 4096;
  int64_t max_blob_size = int64_t{4} << 40;  // 4 TiB
};

// "type/subtype" per RFC 6838 §4.2 (restricted names, 1-127 characters each, no parameters).
bool IsValidMediaType(std::string_view media_type);

// Checks `raw` (the body of a manifest GET) and returns it parsed. Schema version must be 2 and
// the manifest media type, if given, a Docker v2 or OCI image manifest (an image index or
// manifest list → kUnsupported). Every other failure → kCorrupt naming the field; hostile text is
// escaped before it reaches a message.
Result<store::Manifest> CheckRemoteManifest(std::string_view raw,
                                            const ManifestLimits& limits = {});

}  // namespace olla::registry
