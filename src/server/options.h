#pragma once
// Runtime options (spec §3.19): built-in defaults, then the model's PARAMETER layer, then the
// request's `options`, mapped onto the scheduler's load-time parameters and the generation
// options. Wrong JSON types are kInvalidArgument ("option \"top_k\" must be of type integer").

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "base/status.h"
#include "runtime/options.h"

namespace olla::server {

using runtime::ResolvedOptions;

// Upper bounds of the load-time options (a 400 above them): 2^30 positions, 64k tokens per batch,
// 1024 threads (ThreadPool::kMaxThreads). Integer sampling options must fit their type.
inline constexpr int64_t kMaxNumCtx = int64_t{1} << 30;
inline constexpr int64_t kMaxNumBatch = int64_t{1} << 16;
inline constexpr int64_t kMaxNumThread = 1024;

// `model_params` and `request_options` are JSON objects or null. `default_num_ctx` comes from
// OLLAMA_CONTEXT_LENGTH (4096 when unset).
Result<ResolvedOptions> ResolveOptions(const nlohmann::json& model_params,
                                       const nlohmann::json& request_options,
                                       size_t default_num_ctx);

}  // namespace olla::server
