// `olla run MODEL [PROMPT...]` (spec §1.4). MODEL is a model name, run through the server, or a
// path to a .gguf file, loaded and run in this process. Output streams to stdout as produced.

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
#include "cli/client_util.h"
#include "cli/commands.h"
#include <nlohmann/json.hpp>
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

// The non-interactive server path: /api/show, then a streamed /api/generate.
Status RunOnServer(const RunOpts& o, const std::string& prompt) {
  OLLA_ASSIGN_OR_RETURN(api::Client c, ConnectToServer());
  nlohmann::json show = {{"model", o.model}};
  OLLA_RETURN_IF_ERROR(c.Call("POST", "/api/show", &show).status());
  nlohmann::json req = {{"model", o.model}, {"prompt", prompt}, {"options", nlohmann::json::object()}};
  if (!o.format.empty()) req["format"] = o.format;
  if (!o.keepalive.empty()) req["keep_alive"] = o.keepalive;
  nlohmann::json last;
  std::stop_source interrupt;
  g_interrupt = &interrupt;
  std::signal(SIGINT, OnInterrupt);
  Status s = c.Stream("/api/generate", req, [&](const nlohmann::json& j) {
    if (interrupt.stop_requested()) return false;
    const std::string text = j.value("response", "");
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    if (j.value("done", false)) last = j;
    return true;
  });
  std::signal(SIGINT, SIG_DFL);
  g_interrupt = nullptr;
  if (s.code() == StatusCode::kCancelled) return Status::Ok();  // Ctrl-C: silent
  OLLA_RETURN_IF_ERROR(s);
  if (!prompt.empty()) std::fputs("\n\n", stdout);
  std::fflush(stdout);
  if (o.verbose && last.is_object()) {
    runtime::GenerateStats st;
    st.prompt_tokens = last.value("prompt_eval_count", size_t{0});
    st.prompt_eval_duration = std::chrono::nanoseconds(last.value("prompt_eval_duration", int64_t{0}));
    st.eval_count = last.value("eval_count", size_t{0});
    st.eval_duration = std::chrono::nanoseconds(last.value("eval_duration", int64_t{0}));
    PrintVerbose(st, last.value("total_duration", int64_t{0}), last.value("load_duration", int64_t{0}));
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
    if (IsRegularFile(o->model)) {
      *exit_code = ReportStatus(RunFile(*o, prompt));
      return;
    }
    *exit_code = ReportStatus(RunOnServer(*o, prompt));
  });
}

}  // namespace olla::cli
