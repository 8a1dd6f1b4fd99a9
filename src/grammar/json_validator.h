#pragma once
// A JSON Schema validator for the keywords json_schema.h compiles (and no others: an
// unsupported keyword is kInvalidArgument, as there). It is written separately from the
// compiler, so tests can hold generated output to the schema, and a server can check a
// constrained answer before returning it (user-needs: "validate the final output").
// Semantics are JSON Schema 2020-12 for those keywords: additionalProperties absent means
// allowed, pattern is an unanchored ECMAScript search, lengths count code points, 1.0 is an
// integer, format is asserted (date and date-time check the calendar, incl. leap years).

#include <string_view>

#include "base/status.h"

namespace olla::grammar {

// Ok if `instance_json` parses and is valid against `schema_json`; otherwise
// kInvalidArgument naming the first violation and its location ("at /items/2: ...").
Status ValidateJson(std::string_view instance_json, std::string_view schema_json);

}  // namespace olla::grammar
