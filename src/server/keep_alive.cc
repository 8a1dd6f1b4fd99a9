#include "server/keep_alive.h"

#include <nlohmann/json.hpp>

#include "api/duration.h"
#include "api/json_request.h"
#include "base/str_cat.h"

namespace olla::server {

Result<std::optional<runtime::Duration>> ParseKeepAlive(const nlohmann::json* value) {
  if (!value || value->is_null()) return std::optional<runtime::Duration>();
  runtime::Duration d{0};
  if (value->is_number()) {
    d = runtime::Duration(static_cast<int64_t>(value->get<double>() * 1e9));
  } else if (value->is_string()) {
    OLLA_ASSIGN_OR_RETURN(d, api::ParseGoDuration(value->get<std::string>()));
  } else {
    return Status::InvalidArgument(StrCat("Unsupported type: '", api::JsonKindName(*value), "'"));
  }
  if (d.count() < 0) d = runtime::kForever;
  return std::optional<runtime::Duration>(d);
}

}  // namespace olla::server
