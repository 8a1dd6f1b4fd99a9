#include "cli/run_stats.h"

#include <nlohmann/json.hpp>

#include "base/str_cat.h"
#include "cli/human.h"

namespace olla::cli {

RunTimings TimingsFromJson(const nlohmann::json& done) {
  auto num = [&](const char* key) {
    return done.contains(key) && done[key].is_number() ? done[key].get<int64_t>() : int64_t{0};
  };
  RunTimings t;
  t.total_ns = num("total_duration");
  t.load_ns = num("load_duration");
  t.prompt_eval_count = num("prompt_eval_count");
  t.prompt_eval_ns = num("prompt_eval_duration");
  t.eval_count = num("eval_count");
  t.eval_ns = num("eval_duration");
  return t;
}

std::string VerboseSummary(const RunTimings& t) {
  std::string out;
  auto line = [&](const char* label, const std::string& value) {
    out += StrFormat("%-22s%s\n", label, value.c_str());
  };
  if (t.total_ns > 0) line("total duration:", GoDuration(t.total_ns));
  if (t.load_ns > 0) line("load duration:", GoDuration(t.load_ns));
  if (t.prompt_eval_count > 0) line("prompt eval count:", StrCat(t.prompt_eval_count, " token(s)"));
  if (t.prompt_eval_ns > 0) {
    line("prompt eval duration:", GoDuration(t.prompt_eval_ns));
    line("prompt eval rate:",
         StrFormat("%.2f tokens/s", t.prompt_eval_count / (t.prompt_eval_ns / 1e9)));
  }
  if (t.eval_count > 0) line("eval count:", StrCat(t.eval_count, " token(s)"));
  if (t.eval_ns > 0) {
    line("eval duration:", GoDuration(t.eval_ns));
    line("eval rate:", StrFormat("%.2f tokens/s", t.eval_count / (t.eval_ns / 1e9)));
  }
  return out;
}

}  // namespace olla::cli
