// libFuzzer target for a request's `format` (CONVENTIONS.md C12): any bytes a client sends as
// `format` go through the JSON parser, the JSON Schema compiler and the GBNF parser. They must
// be refused with a Status or compiled (nullptr: unconstrained), never crash, hang or exhaust
// memory.
// Build and run: scripts/fuzz.sh SECONDS.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "grammar/json_schema.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto grammar = olla::grammar::GrammarForFormat(text);  // a Status or a grammar: both are fine
  (void)grammar;
  return 0;
}
