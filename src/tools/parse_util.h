#pragma once
// Small parsers of the developer commands' flags.

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "tensor/dtype.h"

namespace olla::tools {

// "1,2, 3" → {1, 2, 3}; also accepts a JSON-style "[1,2,3]". Fails naming the bad item.
Result<std::vector<int32_t>> ParseIdList(const std::string& text);
// "f16" / "f32" / "q8_0" (case-insensitive) → DType.
Result<tensor::DType> ParseKvType(const std::string& text);

}  // namespace olla::tools
