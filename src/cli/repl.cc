#include "cli/repl.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "base/str_cat.h"
#include "cli/client_util.h"
#include "cli/interrupt.h"
#include "cli/line_editor.h"
#include "cli/repl_session.h"
#include "cli/run_stats.h"
#include "cli/word_wrap.h"

namespace olla::cli {

using nlohmann::json;

namespace {

constexpr const char* kGrey = "\033[90m";
constexpr const char* kBold = "\033[1m";
constexpr const char* kDefault = "\033[0m";

void Print(const std::string& s) {
  std::fwrite(s.data(), 1, s.size(), stdout);
  std::fflush(stdout);
}
void PrintErr(const std::string& s) {
  std::fwrite(s.data(), 1, s.size(), stderr);
  std::fflush(stderr);
}

int StdoutWidth() {
  winsize ws{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0) return ws.ws_col;
  return 0;
}

bool Truthy(const char* v) {
  if (v == nullptr) return false;
  const std::string s = v;
  return s == "1" || s == "true" || s == "TRUE" || s == "True" || s == "t" || s == "T";
}

std::string HistoryPath() {
  const char* home = std::getenv("HOME");
  return home ? StrCat(home, "/.ollama/history") : std::string();
}

std::string Str(const json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>()
                                                                : std::string();
}

bool Contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

// Streams one /api/chat reply to stdout. Returns the reply text, or nullopt when Ctrl-C
// cancelled it.
Result<std::optional<std::string>> Chat(api::Client& client, const json& request,
                                        const ChatDisplayOptions& o) {
  const bool tty = isatty(STDOUT_FILENO) != 0;
  std::optional<WordWrapper> wrap;
  if (o.wordwrap && tty) wrap.emplace(StdoutWidth());
  auto show = [&](const std::string& text) { Print(wrap ? wrap->Feed(text) : text); };

  std::string content, thinking;
  bool think_open = false;
  json last;
  InterruptScope interrupt(/*forget_earlier=*/false);
  Status s = client.Stream(
      "/api/chat", request,
      [&](const json& j) {
        const json msg = j.contains("message") ? j["message"] : json::object();
        const std::string th = Str(msg, "thinking"), text = Str(msg, "content");
        if (!th.empty() && !o.hide_thinking) {
          if (!think_open) {
            Print(tty ? StrCat(kGrey, kBold, "Thinking...\n", kDefault, kGrey) : "Thinking...\n");
            think_open = true;
          }
          thinking += th;
          show(th);
        }
        const bool tools = msg.contains("tool_calls") && msg["tool_calls"].is_array() &&
                           !msg["tool_calls"].empty();
        if (think_open && (!text.empty() || tools)) {
          if (!thinking.empty() && thinking.back() != '\n') Print("\n");
          Print(tty ? StrCat(kGrey, kBold, "...done thinking.\n\n", kDefault)
                    : "...done thinking.\n\n");
          think_open = false;
          if (wrap) wrap.emplace(StdoutWidth());
        }
        content += text;
        show(text);
        if (j.value("done", false)) last = j;
        return true;
      },
      interrupt.token());
  if (think_open && tty) Print(kDefault);
  if (s.code() == StatusCode::kCancelled) {
    Print("\n");
    return std::optional<std::string>();
  }
  if (!s.ok()) {
    if (Contains(s.message(), "upstream error")) {
      Print("An error occurred while processing your message. Please try again.\n\n");
      return std::optional<std::string>();
    }
    return s;
  }
  Print("\n\n");
  if (o.verbose && last.is_object()) PrintErr(VerboseSummary(TimingsFromJson(last)));
  return std::optional<std::string>(content);
}

std::vector<std::string> Capabilities(const json& show) {
  std::vector<std::string> caps;
  if (show.contains("capabilities") && show["capabilities"].is_array()) {
    for (const auto& c : show["capabilities"])
      if (c.is_string()) caps.push_back(c.get<std::string>());
  }
  return caps;
}

Status Save(api::Client& client, const ReplSession& session, const std::string& name) {
  json show_req = {{"model", session.settings().model}};
  std::string parent;
  if (Result<json> show = client.Call("POST", "/api/show", &show_req); show.ok()) {
    if (show->contains("details")) parent = Str((*show)["details"], "parent_model");
  }
  Status s = client.Stream("/api/create", session.SaveRequest(name, parent),
                           [](const json&) { return true; });
  if (!s.ok()) {
    if (Contains(s.message(), "invalid model name")) {
      Print(StrCat("error: The model name '", name, "' is invalid\n"));
      return Status::Ok();
    }
    return s;
  }
  Print(StrCat("Created new model '", name, "'\n"));
  return Status::Ok();
}

}  // namespace

Status LoadModel(api::Client& client, const std::string& model,
                 const std::optional<json>& keep_alive, const std::optional<json>& think) {
  json req = {{"model", model}};
  if (keep_alive) req["keep_alive"] = *keep_alive;
  if (think) req["think"] = *think;
  return client.Stream("/api/generate", req, [](const json&) { return true; });
}

Status RunRepl(api::Client& client, const ReplOptions& o, const json& show) {
  // The model's stored conversation (MESSAGE lines) first.
  if (show.contains("messages") && show["messages"].is_array()) {
    for (const auto& m : show["messages"]) {
      const std::string role = Str(m, "role"), content = Str(m, "content");
      if (role == "user") Print(StrCat(">>> ", content, "\n"));
      if (role == "assistant") {
        WordWrapper wrap(StdoutWidth());
        Print((o.display.wordwrap ? wrap.Feed(content) : content) + "\n\n");
      }
    }
  }
  ReplSession::Settings settings;
  settings.model = o.model;
  settings.format = o.format;
  settings.keep_alive = o.keep_alive;
  settings.think = o.think;
  settings.verbose = o.display.verbose;
  settings.wordwrap = o.display.wordwrap;
  ReplSession session(settings);
  session.set_capabilities(Capabilities(show));

  const bool history_on = !Truthy(std::getenv("OLLAMA_NOHISTORY")) && !HistoryPath().empty();
  std::vector<std::string> history;
  LineEditor editor(STDIN_FILENO, STDOUT_FILENO);
  if (history_on) {
    history = LoadHistory(HistoryPath());
    editor.SetHistory(history);
  }

  // Ctrl-C while a submitted line is handled must not end the session; one pressed after Enter
  // and before a reply starts cancels that reply.
  SigintToFlag sigint;

  Print("\033[?2004h");  // bracketed paste on
  struct PasteOff {
    ~PasteOff() { Print("\033[?2004l"); }
  } paste_off;

  while (true) {
    const bool alt = session.continuation();
    SigintToFlag::Clear();  // the terminal sends no SIGINT while a line is edited (raw mode)
    LineEditor::Result in = editor.Read(
        alt ? "... " : ">>> ", alt ? "Press Enter to send" : "Send a message (/? for help)");
    using Kind = LineEditor::Result::Kind;
    if (in.kind == Kind::kEof) {
      Print("\n");
      return Status::Ok();
    }
    if (in.kind == Kind::kError) return Status::IoError("reading the terminal failed");
    if (in.kind == Kind::kInterrupt) {
      Print(session.Interrupt().out);
      continue;
    }
    if (history_on && session.settings().history && !in.text.empty()) {
      history.push_back(in.text);
      if (history.size() > 100) history.erase(history.begin());
      editor.SetHistory(history);
      (void)SaveHistory(HistoryPath(), history);  // best effort, as Ollama's autosave
    }

    ReplStep step = session.Feed(in.text, in.pasted);
    if (!step.err.empty()) PrintErr(step.err);
    if (!step.out.empty()) Print(step.out);
    switch (step.action) {
      case ReplStep::Action::kNone:
        break;
      case ReplStep::Action::kExit:
        return Status::Ok();
      case ReplStep::Action::kList:
        OLLA_RETURN_IF_ERROR(PrintModelList(client, step.arg));
        break;
      case ReplStep::Action::kShow: {
        const json req = session.ShowRequest();
        Result<json> resp = client.Call("POST", "/api/show", &req);
        if (!resp.ok()) {
          Print("error: couldn't get model\n");
          return resp.status();
        }
        ReplStep shown = session.RenderShow(step.arg, *resp);
        if (!shown.err.empty()) PrintErr(shown.err);
        Print(shown.out);
        break;
      }
      case ReplStep::Action::kLoad: {
        json req = {{"model", step.arg}};
        Result<json> resp = client.Call("POST", "/api/show", &req);
        Status s = resp.status();
        if (s.ok())
          s = LoadModel(client, step.arg, session.settings().keep_alive, session.settings().think);
        if (!s.ok()) {
          if (Contains(s.message(), "not found")) {
            Print(StrCat("Couldn't find model '", step.arg, "'\n"));
            break;
          }
          if (Contains(s.message(), "does not support thinking")) {
            Print(StrCat("error: ", s.message(), "\n"));
            break;
          }
          return s;
        }
        session.SwitchModel(step.arg);
        session.set_capabilities(Capabilities(*resp));
        break;
      }
      case ReplStep::Action::kSave:
        OLLA_RETURN_IF_ERROR(Save(client, session, step.arg));
        break;
      case ReplStep::Action::kChat: {
        ChatDisplayOptions display = o.display;
        display.wordwrap = session.settings().wordwrap;
        display.verbose = session.settings().verbose;
        Result<std::optional<std::string>> reply = Chat(client, session.ChatRequest(), display);
        if (!reply.ok()) {
          const std::string& msg = reply.status().message();
          if (Contains(msg, "does not support thinking") || Contains(msg, "invalid think value")) {
            Print(StrCat("error: ", msg, "\n"));
            break;
          }
          return reply.status();
        }
        if (*reply) session.AddReply(**reply);
        break;
      }
    }
  }
}

}  // namespace olla::cli
