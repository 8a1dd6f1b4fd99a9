#pragma once
// The `format` field of /api/generate and /api/chat (spec §3.4): structured output. It becomes
// the grammar that constrains sampling (GenerateOptions::grammar). The server hands over the
// field's JSON text, with a schema's properties in the order the client wrote them, so that the
// output lists them in that order (as Ollama does).

#include <memory>
#include <string_view>

#include "base/status.h"
#include "grammar/grammar.h"

namespace olla::runtime {

// `format_json` is the field's JSON text, "" when absent:
//   "", `null` or `""`  -> nullptr (unconstrained);
//   `"json"`            -> any JSON object;
//   an object           -> its JSON Schema (grammar/json_schema.h lists the keywords);
//   anything else       -> kInvalidArgument `invalid format: "<raw>"; expected "json" or a valid
//                          JSON Schema object`; an unsupported schema keyword -> kInvalidArgument
//                          naming it and where it is ("json schema: unsupported keyword 'not'
//                          (at #/properties/a)").
Result<std::shared_ptr<const grammar::Grammar>> CompileFormat(std::string_view format_json);

}  // namespace olla::runtime
