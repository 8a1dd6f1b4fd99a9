#pragma once
// Byte-exact JSON output as Go's encoding/json writes it (json.Marshal / json.Encoder with the
// default HTML escaping), so that blobs olla writes (manifests, config, params and messages
// layers) have the same digests as Ollama's for the same content (spec §6.3, §6.4).
//
// Go rules reproduced here:
//  * strings: `"` and `\` backslash-escaped; \b \f \n \r \t short escapes; other bytes < 0x20 as
//    \u00xx (lowercase hex); '<' '>' '&' as \u003c \u003e \u0026; U+2028/U+2029 as \u2028 and
//    \u2029; each byte of invalid UTF-8 as \ufffd; everything else (DEL, non-ASCII) raw.
//  * float64: shortest round-trip digits, plain decimal when 1e-6 <= |x| < 1e21, otherwise
//    exponent form with a two-digit minimum negative exponent trimmed ("1e-7", "1e+21").
//  * objects from maps: keys sorted bytewise; compact (no spaces).

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "base/status.h"

namespace olla::store {

// Appends `s` as a quoted JSON string, escaped like Go.
void AppendGoJsonString(std::string& out, std::string_view s);
std::string GoJsonString(std::string_view s);

// Appends a float64 / float32 number as Go's encoder formats it. NaN and infinities are not
// representable in JSON; they are written as `null` (Go would fail the whole Marshal).
void AppendGoFloat64(std::string& out, double v);
void AppendGoFloat32(std::string& out, float v);

// Compact Go-style encoding of a JSON value (object keys sorted, as Go sorts map keys). Integer
// values print as integers, floating-point values as float64. No trailing newline. Values nested
// deeper than 256 levels → kInvalidArgument (bounded recursion on hostile input).
Result<std::string> GoMarshal(const nlohmann::json& value);

}  // namespace olla::store
