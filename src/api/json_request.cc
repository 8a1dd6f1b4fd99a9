#include "api/json_request.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "base/str_cat.h"

namespace olla::api {

using nlohmann::json;

Status CheckNestingDepth(std::string_view text, size_t max_depth) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;  // the escaped character cannot end the string
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth)
        return Status::InvalidArgument(
            StrCat("invalid JSON: nested deeper than ", max_depth, " levels"));
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return Status::Ok();
}

Result<json> ParseRequestBody(std::string_view body, std::string_view go_type) {
  size_t first = body.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return Status::InvalidArgument("missing request body");
  // Serializing, validating or compiling a value recurses once per level: a 200 KB body nested
  // 100k deep overflowed the stack. Refused before parsing.
  OLLA_RETURN_IF_ERROR(CheckNestingDepth(body, kMaxRequestDepth));
  json j = json::parse(body.begin(), body.end(), nullptr, false);
  if (j.is_discarded()) {
    // Find the parser's message for a precise error.
    try {
      json again = json::parse(body.begin(), body.end());
      (void)again;
    } catch (const json::exception& e) {
      return Status::InvalidArgument(e.what());
    }
    return Status::InvalidArgument("invalid JSON");
  }
  if (!j.is_object())
    return Status::InvalidArgument(
        StrCat("json: cannot unmarshal ", JsonKindName(j), " into Go value of type api.", go_type));
  return j;
}

std::string_view JsonKindName(const json& v) {
  if (v.is_string()) return "string";
  if (v.is_number()) return "number";
  if (v.is_boolean()) return "bool";
  if (v.is_array()) return "array";
  if (v.is_object()) return "object";
  return "null";
}

Status Fields::TypeError(std::string_view key, const json& value, std::string_view go_kind) const {
  return Status::InvalidArgument(StrCat("json: cannot unmarshal ", JsonKindName(value),
                                        " into Go struct field ", type_, ".", key, " of type ",
                                        go_kind));
}

const json* Fields::Raw(std::string_view key) const {
  auto it = obj_.find(key);
  if (it == obj_.end() || it->is_null()) return nullptr;
  return &*it;
}

Result<std::optional<std::string>> Fields::String(std::string_view key) const {
  const json* v = Raw(key);
  if (!v) return std::optional<std::string>();
  if (!v->is_string()) return TypeError(key, *v, "string");
  return std::optional<std::string>(v->get<std::string>());
}

Result<std::optional<bool>> Fields::Bool(std::string_view key) const {
  const json* v = Raw(key);
  if (!v) return std::optional<bool>();
  if (!v->is_boolean()) return TypeError(key, *v, "bool");
  return std::optional<bool>(v->get<bool>());
}

Result<std::optional<int64_t>> Fields::Int(std::string_view key) const {
  const json* v = Raw(key);
  if (!v) return std::optional<int64_t>();
  if (!v->is_number()) return TypeError(key, *v, "int");
  if (v->is_number_float()) {
    double d = v->get<double>();
    if (d != std::floor(d))
      return Status::InvalidArgument(StrCat("json: cannot unmarshal number ", DumpGo(*v),
                                            " into Go struct field ", type_, ".", key,
                                            " of type int"));
    return std::optional<int64_t>(static_cast<int64_t>(d));
  }
  return std::optional<int64_t>(v->get<int64_t>());
}

Result<std::optional<double>> Fields::Number(std::string_view key) const {
  const json* v = Raw(key);
  if (!v) return std::optional<double>();
  if (!v->is_number()) return TypeError(key, *v, "float64");
  return std::optional<double>(v->get<double>());
}

Result<std::optional<std::vector<std::string>>> Fields::Strings(std::string_view key) const {
  const json* v = Raw(key);
  if (!v) return std::optional<std::vector<std::string>>();
  if (!v->is_array()) return TypeError(key, *v, "[]string");
  std::vector<std::string> out;
  for (const auto& item : *v) {
    if (!item.is_string()) return TypeError(key, item, "string");
    out.push_back(item.get<std::string>());
  }
  return std::optional<std::vector<std::string>>(std::move(out));
}

std::string DumpGo(const json& value) {
  return GoEscapeHtml(value.dump(-1, ' ', false, json::error_handler_t::replace));
}

std::string ErrorBody(std::string_view message) {
  return DumpGo(json{{"error", std::string(message)}});
}

}  // namespace olla::api
