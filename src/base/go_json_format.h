#pragma once
// Go's encoding/json formatting of strings and numbers, byte for byte (json.Marshal, and
// json.Encoder with its default HTML escaping). Shared by the Go template engine (chat/), the
// blob writers whose digests must match Ollama's (store/) and the API's response writer (api/).
//
// Go's rules:
//  * strings: `"` and `\` backslash-escaped; \b \f \n \r \t short escapes; other bytes < 0x20 as
//    \u00xx (lowercase hex); '<' '>' '&' as \u003c \u003e \u0026; U+2028/U+2029 as \u2028 and
//    \u2029; each byte of invalid UTF-8 as \ufffd; everything else (DEL, non-ASCII) raw.
//  * float64: shortest round-trip digits, plain decimal when 1e-6 <= |x| < 1e21, otherwise
//    exponent form with a two-digit minimum negative exponent trimmed ("1e-7", "1e+21").

#include <string>
#include <string_view>

namespace olla {

// Appends `s` as a quoted JSON string, escaped like Go.
void AppendGoJsonString(std::string& out, std::string_view s);
std::string GoJsonString(std::string_view s);

// Appends a float64 / float32 number as Go's encoder formats it. NaN and infinities are not
// representable in JSON; they are written as `null` (Go would fail the whole Marshal).
void AppendGoFloat64(std::string& out, double v);
void AppendGoFloat32(std::string& out, float v);

// Go's HTML escaping alone (<, > and & as \u003c, \u003e, \u0026) applied inside the string
// literals of compact JSON text written by another encoder; the rest of the text is unchanged.
std::string GoEscapeHtml(std::string_view json_text);

}  // namespace olla
