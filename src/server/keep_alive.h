#pragma once
// keep_alive request values (spec §10.2): a JSON number of seconds or a Go duration string;
// any negative value means forever.

#include <nlohmann/json_fwd.hpp>
#include <optional>

#include "base/status.h"
#include "runtime/scheduler.h"

namespace olla::server {

// nullopt when absent or null; kInvalidArgument "Unsupported type: '<type>'" for other types.
Result<std::optional<runtime::Duration>> ParseKeepAlive(const nlohmann::json* value);

}  // namespace olla::server
