// `olla run MODEL [PROMPT...]`. Until the server exists, MODEL must be a path to a .gguf file,
// which is loaded and run in this process; output streams to stdout as it is produced.

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <stop_token>

#include "base/file.h"
#include "base/str_cat.h"
#include "base/thread_pool.h"
#include "cli/commands.h"
#include "cli/human.h"
#include "cli/parse_util.h"
#include "runtime/generate.h"

namespace olla::cli {
namespace {

struct RunOpts {
  std::string model;
  std::vector<std::string> prompt;
  bool verbose = false;
  bool nowordwrap = false;
  std::string keepalive, format;
};

// Ctrl-C cancels the generation, not the program (spec §1.4).
std::stop_source* g_interrupt = nullptr;
extern "C" void OnInterrupt(int) {
  if (g_interrupt) g_interrupt->request_stop();
}

void PrintVerbose(const runtime::GenerateStats& s, int64_t total_ns, int64_t load_ns) {
  auto line = [](const char* label, const std::string& value) { std::fprintf(stderr, "%-22s%s\n", label, value.c_str()); };
  const int64_t pe = s.prompt_eval_duration.count(), ev = s.eval_duration.count();
  if (total_ns > 0) line("total duration:", GoDuration(total_ns));
  if (load_ns > 0) line("load duration:", GoDuration(load_ns));
  if (s.prompt_tokens > 0) line("prompt eval count:", StrCat(s.prompt_tokens, " token(s)"));
  if (pe > 0) line("prompt eval duration:", GoDuration(pe));
  if (pe > 0) line("prompt eval rate:", StrFormat("%.2f tokens/s", s.prompt_tokens / (pe / 1e9)));
  if (s.eval_count > 0) line("eval count:", StrCat(s.eval_count, " token(s)"));
  if (ev > 0) line("eval duration:", GoDuration(ev));
  if (ev > 0) line("eval rate:", StrFormat("%.2f tokens/s", s.eval_count / (ev / 1e9)));
}

Status RunFile(const RunOpts& o, std::string prompt) {
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  OLLA_ASSIGN_OR_RETURN(auto model, engine::Model::Load(o.model));
  OLLA_ASSIGN_OR_RETURN(tokenizer::Tokenizer tok, tokenizer::Tokenizer::Create(model->file().metadata()));
  ThreadPool pool(ThreadPool::DefaultThreadCount());
  engine::ContextParams params;
  params.n_ctx = std::min<size_t>(4096, model->config().n_ctx_train);
  OLLA_ASSIGN_OR_RETURN(auto seq, runtime::Sequence::Create(*model, tok, params, pool));
  const int64_t load_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count();

  std::stop_source interrupt;
  g_interrupt = &interrupt;
  std::signal(SIGINT, OnInterrupt);
  runtime::GenerateOptions gen;
  auto stats = seq->Generate(prompt, gen, [](std::string_view text) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    return true;
  }, interrupt.get_token());
  std::signal(SIGINT, SIG_DFL);
  g_interrupt = nullptr;
  if (!stats.ok()) return stats.status();
  if (!prompt.empty()) std::fputs("\n\n", stdout);
  std::fflush(stdout);
  if (o.verbose) {
    const int64_t total = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count();
    PrintVerbose(*stats, total, load_ns);
  }
  return Status::Ok();
}

}  // namespace

void RegisterRun(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("run", "Run a model");
  auto o = std::make_shared<RunOpts>();
  cmd->add_option("MODEL", o->model, "Model name or path to a .gguf file")->required();
  cmd->add_option("PROMPT", o->prompt, "Prompt");
  cmd->add_flag("--verbose", o->verbose, "Show timings for response");
  cmd->add_flag("--nowordwrap", o->nowordwrap, "Don't wrap words to the next line automatically");
  cmd->add_option("--keepalive", o->keepalive, "Duration to keep a model loaded (e.g. 5m)");
  cmd->add_option("--format", o->format, "Response format (e.g. json)");
  cmd->callback([o, exit_code] {
    std::string prompt;
    for (const auto& p : o->prompt) prompt += (prompt.empty() ? "" : " ") + p;
    if (!isatty(STDIN_FILENO)) {
      std::string in((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
      if (!in.empty()) prompt = prompt.empty() ? in : in + " " + prompt;
    }
    if (!IsRegularFile(o->model)) {
      *exit_code = ReportStatus(Status::Unsupported(
          StrCat("'", o->model, "' is not a .gguf file; running models by name needs `olla serve`, which is not built yet")));
      return;
    }
    *exit_code = ReportStatus(RunFile(*o, prompt));
  });
}

}  // namespace olla::cli
