#pragma once
// JSON Schema -> GBNF, and the grammar of Ollama's `format` field (ollama-surface.md §3.4;
// OpenAI `response_format` maps onto it, §4.2: json_object -> "json", json_schema -> schema).
//
// The grammar is a subset of what the schema accepts: every sentence is a JSON text valid
// against the schema, but not every valid text is a sentence. The shape follows llama.cpp's
// json-schema-to-grammar (as Ollama uses it):
//   * whitespace is bounded: after each token at most `"\n"{1,2} [ \t]{0,20}` or one space, so a
//     model cannot run away in whitespace; none before the first character;
//   * object properties come in the order of `properties`; optional ones may be left out;
//   * `additionalProperties` absent on an object that lists `properties` or `required` means no
//     other keys (llama.cpp's and so Ollama's behaviour); true or a schema allows other keys
//     after the listed ones, spelled without escapes and never equal to a listed name;
//   * `{"type": "object"}` alone (and `format: "json"`) is any object.
// Supported keywords: type (incl. arrays of types), enum, const, $ref (local: "#", "#/$defs/..",
// any JSON pointer), $defs/definitions, anyOf, oneOf (only when the branches are provably
// disjoint: different types, or a required property with different const/enum values),
// allOf with one schema, properties, required, additionalProperties, unevaluatedProperties
// false, items, prefixItems, minItems, maxItems, uniqueItems false, minLength, maxLength,
// pattern (ECMAScript subset: literals, classes, \d \w \s, ., groups, alternation,
// quantifiers; anchors only at the ends; no lookaround or backreferences), format (date, time,
// date-time, uuid, ipv4), minimum/maximum/exclusiveMinimum/exclusiveMaximum (integers: any
// bound; numbers: integer bounds). Annotations (title, description, default, examples,
// $schema, $id, $comment, deprecated, readOnly, writeOnly, discriminator, x-*) are ignored.
// Anything else is kInvalidArgument naming the keyword and where it is, never ignored:
//   "json schema: unsupported keyword 'not' (at #/properties/a)".
// Sibling constraints next to $ref/anyOf/oneOf/allOf are refused the same way. Schemas nested
// deeper than kMaxSchemaDepth and counts above kMaxRepetition are refused.

#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "grammar/grammar.h"

namespace olla::grammar {

inline constexpr int kMaxSchemaDepth = 64;

// Any JSON object (Ollama's `format: "json"`: llama.cpp's json.gbnf starts at `object`).
std::string JsonObjectGbnf();
// Any JSON value.
std::string JsonValueGbnf();

// GBNF text for a JSON Schema given as JSON text. The root rule is `root`.
Result<std::string> JsonSchemaToGbnf(std::string_view schema_json);

// The raw JSON of a request's `format` field: `"json"` -> JsonObjectGbnf(); an object -> its
// schema's grammar; absent (empty text), `null` or `""` -> "" (unconstrained). Anything else is
// kInvalidArgument `invalid format: "<raw>"; expected "json" or a valid JSON Schema object`.
Result<std::string> FormatToGbnf(std::string_view format_json);

// FormatToGbnf() parsed: nullptr when unconstrained.
Result<std::shared_ptr<const Grammar>> GrammarForFormat(std::string_view format_json);

}  // namespace olla::grammar
