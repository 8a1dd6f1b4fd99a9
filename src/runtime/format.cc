#include "server/format.h"

#include <nlohmann/json.hpp>

#include "grammar/json_schema.h"

namespace olla::server {

namespace {

// The `format` object as the client wrote it (key order kept), or "" if the body does not hold
// one.
std::string OrderedFormat(std::string_view raw_body) {
  try {
    const auto body = nlohmann::ordered_json::parse(raw_body);
    if (!body.is_object()) return "";
    const auto it = body.find("format");
    if (it == body.end() || !it->is_object()) return "";
    return it->dump();
  } catch (const nlohmann::json::exception&) {
    return "";
  }
}

}  // namespace

Result<std::shared_ptr<const grammar::Grammar>> ParseFormat(const nlohmann::json* format, std::string_view raw_body) {
  if (format == nullptr || format->is_null()) return std::shared_ptr<const grammar::Grammar>();
  std::string text;
  if (format->is_object() && !raw_body.empty()) text = OrderedFormat(raw_body);
  if (text.empty()) text = format->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return grammar::GrammarForFormat(text);
}

}  // namespace olla::server
