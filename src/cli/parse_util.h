#pragma once
// Small parsers and reporters shared by CLI commands.

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "tensor/dtype.h"

namespace olla::cli {

// "1,2, 3" → {1, 2, 3}; also accepts a JSON-style "[1,2,3]". Fails naming the bad item.
Result<std::vector<int32_t>> ParseIdList(const std::string& text);
// "f16" / "f32" (case-insensitive) → DType.
Result<tensor::DType> ParseKvType(const std::string& text);
// Prints "Error: <message>" to stderr for a failed status; returns the exit code (0 or 1).
int ReportStatus(const Status& status);

}  // namespace olla::cli
