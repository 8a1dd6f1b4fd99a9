// `olla run MODEL [PROMPT...]` (spec §1.4). MODEL is a model name, run through the server, or a
// path to a .gguf file, loaded and run in this process (tools/run_file.h). Output streams to
// stdout as produced.

#include <sys/ioctl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <optional>

#include "base/file.h"
#include "base/str_cat.h"
#include "api/duration.h"
#include "cli/client_util.h"
#include "cli/interrupt.h"
#include "cli/repl.h"
#include "cli/run_stats.h"
#include "cli/transfer.h"
#include "cli/word_wrap.h"
#include "cli/commands.h"
#include <nlohmann/json.hpp>
#include "cli/parse_util.h"
#include "tools/run_file.h"

namespace olla::cli {
namespace {

using nlohmann::json;

struct RunOpts {
  std::string model;
  std::vector<std::string> prompt;
  bool verbose = false;
  bool nowordwrap = false;
  bool insecure = false;
  bool hide_thinking = false;
  std::string keepalive, format, think;
  bool think_given = false;
};

// MODEL is a file: tools/ loads and runs it in this process. Ctrl-C is caught from the moment the
// model is loaded and stops the generation.
Status RunFile(const RunOpts& o, const std::string& prompt) {
  std::optional<InterruptScope> interrupt;
  OLLA_ASSIGN_OR_RETURN(tools::FileRunTimings ft, tools::RunGgufFile(o.model, prompt, [&] {
                          return interrupt.emplace().token();
                        }));
  if (o.verbose) {
    RunTimings t;
    t.total_ns = ft.total_ns;
    t.load_ns = ft.load_ns;
    t.prompt_eval_count = ft.prompt_eval_count;
    t.prompt_eval_ns = ft.prompt_eval_ns;
    t.eval_count = ft.eval_count;
    t.eval_ns = ft.eval_ns;
    std::fputs(VerboseSummary(t).c_str(), stderr);
  }
  return Status::Ok();
}

// --keepalive as Ollama sends it: a Go duration string ("5m0s"), or -1 for negative values.
Result<std::optional<json>> KeepAliveJson(const std::string& text) {
  if (text.empty()) return std::optional<json>();
  OLLA_ASSIGN_OR_RETURN(std::chrono::nanoseconds d, api::ParseGoDuration(text));
  if (d.count() < 0) return std::optional<json>(json(-1));
  return std::optional<json>(json(api::FormatGoDuration(d)));
}

Result<std::optional<json>> ThinkJson(const RunOpts& o, const json& show) {
  if (!o.think_given) {
    // A thinking model thinks unless told otherwise.
    if (show.contains("capabilities") && show["capabilities"].is_array()) {
      for (const auto& c : show["capabilities"])
        if (c == "thinking") return std::optional<json>(json(true));
    }
    return std::optional<json>();
  }
  if (o.think == "true" || o.think.empty()) return std::optional<json>(json(true));
  if (o.think == "false") return std::optional<json>(json(false));
  if (o.think == "high" || o.think == "medium" || o.think == "low" || o.think == "max")
    return std::optional<json>(json(o.think));
  return Status::InvalidArgument(StrCat("invalid value for --think: \"", o.think,
                                        "\" (must be true, false, high, medium, low, or max)"));
}

bool HasCapability(const json& show, const char* cap) {
  if (!show.contains("capabilities") || !show["capabilities"].is_array()) return false;
  for (const auto& c : show["capabilities"])
    if (c == cap) return true;
  return false;
}

Status Embed(api::Client& c, const RunOpts& o, const std::string& prompt,
             const std::optional<json>& keep_alive) {
  if (prompt.empty())
    return Status::InvalidArgument(StrCat("embedding models require input text. Usage: ollama run ",
                                          o.model, " \"your text here\""));
  json req = {{"model", o.model}, {"input", prompt}};
  if (keep_alive) req["keep_alive"] = *keep_alive;
  OLLA_ASSIGN_OR_RETURN(json resp, c.Call("POST", "/api/embed", &req));
  if (!resp.contains("embeddings") || !resp["embeddings"].is_array() || resp["embeddings"].empty())
    return Status::Internal("no embeddings returned");
  std::printf("%s\n", resp["embeddings"][0].dump().c_str());
  return Status::Ok();
}

// The non-interactive path: a streamed /api/generate (spec §1.4 step 6).
Status Generate(api::Client& c, const RunOpts& o, const std::string& prompt,
                const std::optional<json>& keep_alive, const std::optional<json>& think) {
  json req = {{"model", o.model}, {"prompt", prompt}, {"options", json::object()}};
  if (!o.format.empty()) req["format"] = o.format;
  if (keep_alive) req["keep_alive"] = *keep_alive;
  if (think) req["think"] = *think;
  const bool tty = isatty(STDOUT_FILENO) != 0;
  std::optional<WordWrapper> wrap;
  if (tty && !o.nowordwrap) {
    winsize ws{};
    wrap.emplace(ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 ? ws.ws_col : 0);
  }
  auto print = [&](const std::string& text) {
    const std::string out = wrap ? wrap->Feed(text) : text;
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);
  };
  json last;
  std::string thinking;
  bool think_open = false;
  InterruptScope interrupt;
  Status s = c.Stream(
      "/api/generate", req,
      [&](const json& j) {
        const std::string th = j.contains("thinking") && j["thinking"].is_string()
                                   ? j["thinking"].get<std::string>()
                                   : "";
        const std::string text = j.contains("response") && j["response"].is_string()
                                     ? j["response"].get<std::string>()
                                     : "";
        if (!th.empty() && !o.hide_thinking) {
          if (!think_open)
            print(tty ? "\033[90m\033[1mThinking...\n\033[0m\033[90m" : "Thinking...\n");
          think_open = true;
          thinking += th;
          print(th);
        }
        if (think_open && !text.empty()) {
          if (!thinking.empty() && thinking.back() != '\n') print("\n");
          print(tty ? "\033[90m\033[1m...done thinking.\n\n\033[0m" : "...done thinking.\n\n");
          think_open = false;
        }
        print(text);
        if (j.value("done", false)) last = j;
        return true;
      },
      interrupt.token());
  if (s.code() == StatusCode::kCancelled) return Status::Ok();  // Ctrl-C: silent
  OLLA_RETURN_IF_ERROR(s);
  if (!prompt.empty()) std::fputs("\n\n", stdout);
  std::fflush(stdout);
  if (o.verbose && last.is_object())
    std::fputs(VerboseSummary(TimingsFromJson(last)).c_str(), stderr);
  return Status::Ok();
}

Status RunOnServer(const RunOpts& o, const std::string& prompt, bool interactive) {
  OLLA_ASSIGN_OR_RETURN(std::optional<json> keep_alive, KeepAliveJson(o.keepalive));
  OLLA_ASSIGN_OR_RETURN(api::Client c, ConnectToServer());
  json show_req = {{"model", o.model}};
  Result<json> show = c.Call("POST", "/api/show", &show_req);
  if (!show.ok() && c.last_http_status() == 404) {
    // Not here: pull it, with the progress of `olla pull` (spec §1.4 step 2).
    OLLA_RETURN_IF_ERROR(PullModel(c, o.model, o.insecure));
    show = c.Call("POST", "/api/show", &show_req);
  }
  OLLA_RETURN_IF_ERROR(show.status());
  OLLA_ASSIGN_OR_RETURN(std::optional<json> think, ThinkJson(o, *show));
  if (HasCapability(*show, "embedding")) return Embed(c, o, prompt, keep_alive);
  if (!interactive) return Generate(c, o, prompt, keep_alive, think);

  ReplOptions r;
  r.model = o.model;
  r.format = o.format;
  r.keep_alive = keep_alive;
  r.think = think;
  r.display.wordwrap = !o.nowordwrap;
  r.display.verbose = o.verbose;
  r.display.hide_thinking = o.hide_thinking;
  OLLA_RETURN_IF_ERROR(LoadModel(c, o.model, r.keep_alive, think));
  return RunRepl(c, r, *show);
}

}  // namespace

void RegisterRun(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("run", "Run a model");
  auto o = std::make_shared<RunOpts>();
  cmd->add_option("MODEL", o->model, "Model name or path to a .gguf file")->required();
  cmd->add_option("PROMPT", o->prompt, "Prompt");
  cmd->add_option("--keepalive", o->keepalive, "Duration to keep a model loaded (e.g. 5m)");
  cmd->add_flag("--verbose", o->verbose, "Show timings for response");
  cmd->add_flag("--insecure", o->insecure, "Use an insecure registry");
  cmd->add_flag("--nowordwrap", o->nowordwrap, "Don't wrap words to the next line automatically");
  cmd->add_option("--format", o->format, "Response format (e.g. json)");
  auto* think =
      cmd->add_option("--think", o->think,
                      "Enable thinking mode: true/false or high/medium/low for supported models")
          ->expected(0, 1);
  cmd->add_flag("--hidethinking", o->hide_thinking, "Hide thinking output (if provided)");
  cmd->callback([o, exit_code, think] {
    o->think_given = think->count() > 0;
    std::string prompt;
    for (const auto& p : o->prompt) prompt += (prompt.empty() ? "" : " ") + p;
    const bool stdin_tty = isatty(STDIN_FILENO) != 0;
    if (!stdin_tty) {
      std::string in((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
      if (!in.empty()) prompt = prompt.empty() ? in : in + " " + prompt;
    }
    if (IsRegularFile(o->model)) {
      *exit_code = ReportStatus(RunFile(*o, prompt));
      return;
    }
    const bool interactive = o->prompt.empty() && stdin_tty && isatty(STDOUT_FILENO) != 0;
    *exit_code = ReportStatus(RunOnServer(*o, prompt, interactive));
  });
}

}  // namespace olla::cli
