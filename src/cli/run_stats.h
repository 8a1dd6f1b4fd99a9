#pragma once
// The timing summary `olla run --verbose` prints after a response (spec §1.4).

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>

namespace olla::cli {

struct RunTimings {
  int64_t total_ns = 0, load_ns = 0;
  int64_t prompt_eval_count = 0, prompt_eval_ns = 0;
  int64_t eval_count = 0, eval_ns = 0;
};

// From the final object of a /api/generate or /api/chat stream.
RunTimings TimingsFromJson(const nlohmann::json& done);
// "total duration:       1.2s\n..." (each line only when its value is > 0).
std::string VerboseSummary(const RunTimings& t);

}  // namespace olla::cli
