#include "runtime/format.h"

#include "grammar/json_schema.h"

namespace olla::runtime {

Result<std::shared_ptr<const grammar::Grammar>> CompileFormat(std::string_view format_json) {
  return grammar::GrammarForFormat(format_json);
}

}  // namespace olla::runtime
