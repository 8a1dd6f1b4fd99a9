#pragma once
// Standard base64 (RFC 4648 §4, with padding) as Go's encoding/base64.StdEncoding reads and
// writes it: images in requests, embeddings with encoding_format "base64", registry credentials
// and keys.

#include <string>
#include <string_view>

#include "base/status.h"

namespace olla {

std::string Base64Encode(std::string_view data);
// Strict decoding: padding required, no whitespace. Errors are kInvalidArgument with Go's
// message "illegal base64 data at input byte <n>".
Result<std::string> Base64Decode(std::string_view text);

}  // namespace olla
