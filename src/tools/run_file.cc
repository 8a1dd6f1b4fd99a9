#include "tools/run_file.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "base/thread_pool.h"
#include "engine/model.h"
#include "runtime/generate.h"
#include "tokenizer/tokenizer.h"

namespace olla::tools {

Result<FileRunTimings> RunGgufFile(const std::string& path, const std::string& prompt,
                                   const std::function<std::stop_token()>& arm_stop) {
  using Clock = std::chrono::steady_clock;
  auto since = [](Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t).count();
  };
  const auto t0 = Clock::now();
  OLLA_ASSIGN_OR_RETURN(auto model, engine::Model::Load(path));
  OLLA_ASSIGN_OR_RETURN(tokenizer::Tokenizer tok,
                        tokenizer::Tokenizer::Create(model->file().metadata()));
  ThreadPool pool(ThreadPool::DefaultThreadCount());
  engine::ContextParams params;
  params.n_ctx = std::min<size_t>(4096, model->config().n_ctx_train);
  OLLA_ASSIGN_OR_RETURN(auto seq, runtime::Sequence::Create(*model, tok, params, pool));
  const int64_t load_ns = since(t0);

  const std::stop_token stop = arm_stop();
  runtime::GenerateOptions gen;
  auto stats = seq->Generate(
      prompt, gen,
      [](std::string_view text) {
        std::fwrite(text.data(), 1, text.size(), stdout);
        std::fflush(stdout);
        return true;
      },
      stop);
  if (!stats.ok()) return stats.status();
  if (!prompt.empty()) std::fputs("\n\n", stdout);
  std::fflush(stdout);
  FileRunTimings t;
  t.total_ns = since(t0);
  t.load_ns = load_ns;
  t.prompt_eval_count = static_cast<int64_t>(stats->prompt_tokens);
  t.prompt_eval_ns = stats->prompt_eval_duration.count();
  t.eval_count = static_cast<int64_t>(stats->eval_count);
  t.eval_ns = stats->eval_duration.count();
  return t;
}

}  // namespace olla::tools
