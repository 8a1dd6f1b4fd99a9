#pragma once
// Small helpers shared by CLI commands.

#include "base/status.h"

namespace olla::cli {

// Prints "Error: <message>" to stderr for a failed status; returns the exit code (0 or 1).
int ReportStatus(const Status& status);

}  // namespace olla::cli
