#pragma once
// The one mapping from Status codes to HTTP statuses (CONVENTIONS.md C2).

#include "base/status.h"

namespace olla::server {

int HttpStatusFor(const Status& status);

}  // namespace olla::server
