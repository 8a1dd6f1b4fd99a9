#pragma once
// Key order of converted requests. nlohmann::json objects are key-sorted, so a request that the
// /v1 routes convert to a native one loses the client's property order. Order matters where the
// server reads it: a `format` JSON Schema becomes a grammar that emits properties in schema order
// (server/request_parse.h reads the schema from the request text), and tool definitions and
// tool-call arguments are rendered into prompts as written.

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

namespace olla::api {

// `value` (a converted request) as compact JSON text in which every object that equals, member
// for member, an object of `source_text` (the client's request body) is written in the source's
// key order; JSON object texts held in the source's strings count too (OpenAI's tool-call
// `arguments`). Other objects keep sorted order. Falls back to value.dump() if `source_text` is
// not JSON. No I/O; linear in the sizes of both.
std::string DumpWithKeyOrderOf(const nlohmann::json& value, std::string_view source_text);

}  // namespace olla::api
