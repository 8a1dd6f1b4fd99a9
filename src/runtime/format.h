#pragma once
// The `format` field of /api/generate and /api/chat (spec §3.4): structured output. It becomes
// the grammar that constrains sampling (runtime::GenerateOptions::grammar).

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string_view>

#include "base/status.h"
#include "grammar/grammar.h"

namespace olla::server {

// `format` is the request's field, nullptr when absent:
//   absent, null or ""  -> nullptr (unconstrained);
//   "json"              -> any JSON object;
//   an object           -> its JSON Schema (grammar/json_schema.h lists the keywords);
//   anything else       -> kInvalidArgument `invalid format: "<raw>"; expected "json" or a valid
//                          JSON Schema object`; an unsupported schema keyword -> kInvalidArgument
//                          naming it and where it is ("json schema: unsupported keyword 'not'
//                          (at #/properties/a)").
// `raw_body`, when given, is the request's body text: the schema is then read from it, so the
// output lists properties in the order the client wrote them (as Ollama does; parsed JSON objects
// here are key-sorted).
Result<std::shared_ptr<const grammar::Grammar>> ParseFormat(const nlohmann::json* format,
                                                            std::string_view raw_body = {});

}  // namespace olla::server
