#pragma once
// Decoding of JSON request bodies with Ollama's (Go encoding/json) error messages:
//   empty body        → "missing request body"
//   malformed JSON    → the parser's message
//   wrong field type  → "json: cannot unmarshal number into Go struct field GenerateRequest.prompt
//   of type string"
// All errors are kInvalidArgument (HTTP 400).

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/go_json_format.h"
#include "base/status.h"

namespace olla::api {

// How deep arrays and objects may nest in a request body.
inline constexpr size_t kMaxRequestDepth = 128;

// kInvalidArgument when arrays and objects in `text` nest deeper than `max_depth` (brackets
// inside strings do not count). Linear, no allocation: run before parsing untrusted JSON.
Status CheckNestingDepth(std::string_view text, size_t max_depth);

// Parses a request body that must be a JSON object nested at most kMaxRequestDepth deep.
Result<nlohmann::json> ParseRequestBody(std::string_view body, std::string_view go_type);

// A field reader bound to one request object and its Go type name (for messages).
class Fields {
 public:
  Fields(const nlohmann::json& obj, std::string go_type) : obj_(obj), type_(std::move(go_type)) {}

  // nullopt when the key is absent or null.
  Result<std::optional<std::string>> String(std::string_view key) const;
  Result<std::optional<bool>> Bool(std::string_view key) const;
  Result<std::optional<int64_t>> Int(std::string_view key) const;
  Result<std::optional<double>> Number(std::string_view key) const;
  Result<std::optional<std::vector<std::string>>> Strings(std::string_view key) const;
  // The raw value, or nullptr when absent or null.
  const nlohmann::json* Raw(std::string_view key) const;

  // Go's message for a type mismatch of `key` (go_kind: "string", "bool", "int", "[]string", ...).
  Status TypeError(std::string_view key, const nlohmann::json& value,
                   std::string_view go_kind) const;

 private:
  const nlohmann::json& obj_;
  std::string type_;
};

// Go's name of a JSON value's kind as encoding/json reports it: "string", "number", "bool",
// "array", "object".
std::string_view JsonKindName(const nlohmann::json& value);

// Compact serialization with Go's escaping of <, > and & (\u003c, \u003e, \u0026), as Ollama
// writes responses.
std::string DumpGo(const nlohmann::json& value);
// Go's escaping of <, > and & inside the strings of compact JSON text (base/go_json_format.h).
using ::olla::GoEscapeHtml;

// {"error": message}
std::string ErrorBody(std::string_view message);

}  // namespace olla::api
