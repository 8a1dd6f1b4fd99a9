#pragma once
// A request's options resolved (spec §3.19): built-in defaults, then the model's PARAMETER
// layer, then the request's `options`, split into the scheduler's load-time parameters and the
// generation options. The server reads them from JSON (server/options.h).

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/generate.h"
#include "runtime/scheduler.h"

namespace olla::runtime {

struct ResolvedOptions {
  LoadParams load;
  GenerateOptions gen;
  int32_t num_keep = 4;
  std::vector<std::string> ignored;  // unknown or deprecated keys (logged)
};

}  // namespace olla::runtime
