#pragma once
// Typed Modelfile PARAMETER values (spec §3.19 option table, §8.2-8.3).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/status.h"

namespace olla::modelfile {

enum class ParamType { kInt, kFloat, kBool, kStringList };

// int64 (Go ParseInt base 10), float (Go ParseFloat with bitSize 32: the value is float32 and is
// written to JSON with float32's shortest digits, e.g. 0.6), bool (Go ParseBool), or the `stop`
// list.
using ParamValue = std::variant<int64_t, float, bool, std::vector<std::string>>;

// The type of an option name of §3.19 (case-sensitive), or nullopt if unknown.
std::optional<ParamType> ParameterType(std::string_view name);
// penalize_newline, low_vram, f16_kv, logits_all, vocab_only, use_mlock, mirostat, mirostat_tau,
// mirostat_eta: accepted and ignored with `warning: parameter <name> is deprecated`.
bool IsDeprecatedParameter(std::string_view name);

// Converts one PARAMETER value. Errors (kInvalidArgument), exactly as Ollama:
//   unknown parameter '<name>'
//   invalid int value [<value>] / invalid float value [<value>] / invalid bool value [<value>]
// A `stop` value becomes a one-element list. Non-finite floats (inf, nan) are rejected as
// invalid (Ollama fails later, when encoding the request JSON).
Result<ParamValue> ParseParameterValue(std::string_view name, std::string_view value);

// Go's fmt %v of a float64 / float32: shortest digits, exponent form when the decimal exponent
// is < -4 or >= 6 ("0.9", "42", "1e+06", "1.5e-05"), "+Inf", "-Inf", "NaN".
std::string FormatGoV(double v);
std::string FormatGoV(float v);
// The value(s) as `ollama show` prints them with %v: one string per list element.
std::vector<std::string> FormatParamValue(const ParamValue& value);

}  // namespace olla::modelfile
