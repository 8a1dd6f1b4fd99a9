#pragma once
// Byte-exact JSON output as Go's encoding/json writes it (json.Marshal / json.Encoder with the
// default HTML escaping), so that blobs olla writes (manifests, config, params and messages
// layers) have the same digests as Ollama's for the same content (spec §6.3, §6.4).
//
// Strings and numbers are written by base/go_json_format.h (included here for the writers of
// store/); objects from maps: keys sorted bytewise; compact (no spaces).

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "base/go_json_format.h"
#include "base/status.h"

namespace olla::store {

// Compact Go-style encoding of a JSON value (object keys sorted, as Go sorts map keys). Integer
// values print as integers, floating-point values as float64. No trailing newline. Values nested
// deeper than 256 levels → kInvalidArgument (bounded recursion on hostile input).
Result<std::string> GoMarshal(const nlohmann::json& value);

}  // namespace olla::store
