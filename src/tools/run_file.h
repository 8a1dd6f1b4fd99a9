#pragma once
// `olla run FILE.gguf [PROMPT]`: the model loaded and run in this process, without a server.
// cli/cmd_run.cc hands every MODEL that is a file here; it keeps Ctrl-C and the --verbose summary.

#include <cstdint>
#include <functional>
#include <stop_token>
#include <string>

#include "base/status.h"

namespace olla::tools {

// The timings of one run, as the fields of a final /api/generate response carry them.
struct FileRunTimings {
  int64_t total_ns = 0, load_ns = 0;
  int64_t prompt_eval_count = 0, prompt_eval_ns = 0;
  int64_t eval_count = 0, eval_ns = 0;
};

// Loads the GGUF file at `path` (context: the trained one, at most 4096), generates from `prompt`
// with the default options and streams the text to stdout as produced, then "\n\n" unless the
// prompt is empty. `arm_stop` is called once the model is loaded; the token it returns ends the
// generation early (Ctrl-C).
Result<FileRunTimings> RunGgufFile(const std::string& path, const std::string& prompt,
                                   const std::function<std::stop_token()>& arm_stop);

}  // namespace olla::tools
