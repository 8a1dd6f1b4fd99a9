#include "cli/repl_session.h"

#include <algorithm>
#include <sstream>

#include "base/str_cat.h"
#include "cli/show_render.h"

namespace olla::cli {

using nlohmann::json;

namespace {

constexpr std::string_view kQuotes = R"(""")";

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// strings.CutSuffix / CutPrefix.
bool CutSuffix(std::string& s, std::string_view suffix) {
  if (s.size() < suffix.size() || s.compare(s.size() - suffix.size(), suffix.size(), suffix) != 0)
    return false;
  s.resize(s.size() - suffix.size());
  return true;
}
bool CutPrefix(std::string& s, std::string_view prefix) {
  if (!StartsWith(s, prefix)) return false;
  s.erase(0, prefix.size());
  return true;
}

// strings.Fields: split on runs of ASCII whitespace.
std::vector<std::string> Fields(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::string Join(const std::vector<std::string>& parts, size_t from, const std::string& sep) {
  std::string out;
  for (size_t i = from; i < parts.size(); ++i) out += (i > from ? sep : "") + parts[i];
  return out;
}

// Go's %q of a string (the printable-ASCII cases Ollama's messages need).
std::string GoQuote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

// Go's %v of an option value.
std::string GoV(const modelfile::ParamValue& v) {
  if (const auto* list = std::get_if<std::vector<std::string>>(&v)) {
    return "[" + Join(*list, 0, " ") + "]";
  }
  return modelfile::FormatParamValue(v).front();
}

ReplStep Out(std::string text) {
  ReplStep s;
  s.out = std::move(text);
  return s;
}
ReplStep Err(std::string text) {
  ReplStep s;
  s.err = std::move(text);
  return s;
}

}  // namespace

json ParamValueJson(const modelfile::ParamValue& v) {
  if (const auto* list = std::get_if<std::vector<std::string>>(&v)) return *list;
  if (const auto* f = std::get_if<float>(&v)) return json::parse(modelfile::FormatGoV(*f));
  if (const auto* b = std::get_if<bool>(&v)) return *b;
  return std::get<int64_t>(v);
}

std::string ReplUsage() {
  return "Available Commands:\n"
         "  /set            Set session variables\n"
         "  /show           Show model information\n"
         "  /load <model>   Load a session or model\n"
         "  /save <model>   Save your current session\n"
         "  /clear          Clear session context\n"
         "  /bye            Exit\n"
         "  /?, /help       Help for a command\n"
         "  /? shortcuts    Help for keyboard shortcuts\n"
         "\n"
         "Use \"\"\" to begin a multi-line message.\n"
         "\n";
}

std::string ReplUsageSet() {
  return "Available Commands:\n"
         "  /set parameter ...     Set a parameter\n"
         "  /set system <string>   Set system message\n"
         "  /set history           Enable history\n"
         "  /set nohistory         Disable history\n"
         "  /set wordwrap          Enable wordwrap\n"
         "  /set nowordwrap        Disable wordwrap\n"
         "  /set format json       Enable JSON mode\n"
         "  /set noformat          Disable formatting\n"
         "  /set verbose           Show LLM stats\n"
         "  /set quiet             Disable LLM stats\n"
         "  /set think             Enable thinking\n"
         "  /set nothink           Disable thinking\n"
         "\n";
}

std::string ReplUsageShortcuts() {
  return "Available keyboard shortcuts:\n"
         "  Ctrl + a            Move to the beginning of the line (Home)\n"
         "  Ctrl + e            Move to the end of the line (End)\n"
         "   Alt + b            Move back (left) one word\n"
         "   Alt + f            Move forward (right) one word\n"
         "  Ctrl + k            Delete the sentence after the cursor\n"
         "  Ctrl + u            Delete the sentence before the cursor\n"
         "  Ctrl + w            Delete the word before the cursor\n"
         "\n"
         "  Ctrl + l            Clear the screen\n"
         "  Ctrl + c            Stop the model from responding\n"
         "  Ctrl + d            Exit ollama (/bye)\n"
         "\n";
}

std::string ReplUsageShow() {
  return "Available Commands:\n"
         "  /show info         Show details for this model\n"
         "  /show license      Show model license\n"
         "  /show modelfile    Show Modelfile for this model\n"
         "  /show parameters   Show parameters for this model\n"
         "  /show system       Show system message\n"
         "  /show template     Show prompt template\n"
         "\n";
}

std::string ReplUsageParameters() {
  return "Available Parameters:\n"
         "  /set parameter seed <int>             Random number seed\n"
         "  /set parameter num_predict <int>      Max number of tokens to predict\n"
         "  /set parameter top_k <int>            Pick from top k num of tokens\n"
         "  /set parameter top_p <float>          Pick token based on sum of probabilities\n"
         "  /set parameter min_p <float>          Pick token based on top token probability * "
         "min_p\n"
         "  /set parameter num_ctx <int>          Set the context size\n"
         "  /set parameter temperature <float>    Set creativity level\n"
         "  /set parameter repeat_penalty <float> How strongly to penalize repetitions\n"
         "  /set parameter repeat_last_n <int>    Set how far back to look for repetitions\n"
         "  /set parameter num_gpu <int>          The number of layers to send to the GPU\n"
         "  /set parameter stop <string> <string> ...   Set the stop parameters\n"
         "\n";
}

ReplStep ReplSession::Interrupt() {
  buffer_.clear();
  multiline_ = Multiline::kNone;
  return Out("\nUse Ctrl + d or /bye to exit.\n");
}

ReplStep ReplSession::Feed(const std::string& input, bool pasted) {
  ReplStep step;
  std::string line = input;
  const std::vector<std::string> args = Fields(line);
  const std::string first = args.empty() ? "" : args[0];
  if (multiline_ != Multiline::kNone) {
    // A line ending in """ closes the message; the text before the quotes is kept.
    const bool closed = CutSuffix(line, kQuotes);
    buffer_ += line;
    if (!closed) {
      buffer_ += "\n";
      return step;
    }
    if (multiline_ == Multiline::kSystem) {
      system_ = buffer_;
      messages_.push_back({"system", system_});
      step.out = "Set system message.\n";
      buffer_.clear();
    }
    multiline_ = Multiline::kNone;
  } else if (StartsWith(line, kQuotes)) {
    line.erase(0, kQuotes.size());
    const bool closed = CutSuffix(line, kQuotes);
    buffer_ += line;
    if (!closed) {
      buffer_ += "\n";
      multiline_ = Multiline::kPrompt;
    }
  } else if (pasted) {
    buffer_ += line + "\n";
    return step;
  } else if (StartsWith(line, "/list")) {
    step.action = ReplStep::Action::kList;
    if (args.size() > 1) step.arg = args[1];
    return step;
  } else if (StartsWith(line, "/load")) {
    if (args.size() != 2) return Out("Usage:\n  /load <modelname>\n");
    step.action = ReplStep::Action::kLoad;
    step.arg = args[1];
    step.out = StrCat("Loading model '", args[1], "'\n");
    return step;
  } else if (StartsWith(line, "/save")) {
    if (args.size() != 2) return Out("Usage:\n  /save <modelname>\n");
    step.action = ReplStep::Action::kSave;
    step.arg = args[1];
    return step;
  } else if (StartsWith(line, "/clear")) {
    messages_.clear();
    if (!system_.empty()) messages_.push_back({"system", system_});
    return Out("Cleared session context\n");
  } else if (StartsWith(line, "/set")) {
    return args.size() > 1 ? Set(args) : Err(ReplUsageSet());
  } else if (StartsWith(line, "/show")) {
    if (args.size() < 2) return Err(ReplUsageShow());
    step.action = ReplStep::Action::kShow;
    step.arg = args[1];
    return step;
  } else if (StartsWith(line, "/help") || StartsWith(line, "/?")) {
    if (args.size() < 2) return Err(ReplUsage());
    const std::string& topic = args[1];
    if (topic == "set" || topic == "/set") return Err(ReplUsageSet());
    if (topic == "show" || topic == "/show") return Err(ReplUsageShow());
    if (topic == "shortcut" || topic == "shortcuts") return Err(ReplUsageShortcuts());
    return step;
  } else if (StartsWith(line, "/exit") || StartsWith(line, "/bye")) {
    step.action = ReplStep::Action::kExit;
    return step;
  } else if (StartsWith(line, "/")) {
    return Out(StrCat("Unknown command '", first, "'. Type /? for help\n"));
  } else {
    buffer_ += line;
  }
  if (!buffer_.empty() && multiline_ == Multiline::kNone) {
    messages_.push_back({"user", buffer_});
    buffer_.clear();
    step.action = ReplStep::Action::kChat;
  }
  return step;
}

std::string ReplSession::ThinkWarning() const {
  if (capabilities_.empty() ||
      std::find(capabilities_.begin(), capabilities_.end(), "thinking") != capabilities_.end())
    return "";
  return StrCat("warning: model \"", s_.model, "\" does not support thinking output\n");
}

ReplStep ReplSession::Set(const std::vector<std::string>& args) {
  const std::string& what = args[1];
  if (what == "history") {
    s_.history = true;
    return {};
  }
  if (what == "nohistory") {
    s_.history = false;
    return {};
  }
  if (what == "wordwrap" || what == "nowordwrap") {
    s_.wordwrap = what == "wordwrap";
    return Out(StrCat("Set '", what, "' mode.\n"));
  }
  if (what == "verbose" || what == "quiet") {
    s_.verbose = what == "verbose";
    return Out(StrCat("Set '", what, "' mode.\n"));
  }
  if (what == "think") {
    ReplStep step = Err(ThinkWarning());
    if (args.size() > 2) {
      s_.think = args[2];
      step.out = StrCat("Set 'think' mode to '", args[2], "'.\n");
    } else {
      s_.think = true;
      step.out = "Set 'think' mode.\n";
    }
    return step;
  }
  if (what == "nothink") {
    s_.think = false;
    ReplStep step = Err(ThinkWarning());
    step.out = "Set 'nothink' mode.\n";
    return step;
  }
  if (what == "format") {
    if (args.size() < 3 || args[2] != "json")
      return Out("Invalid or missing format. For 'json' mode use '/set format json'\n");
    s_.format = args[2];
    return Out(StrCat("Set format to '", args[2], "' mode.\n"));
  }
  if (what == "noformat") {
    s_.format.clear();
    return Out("Disabled format.\n");
  }
  if (what == "parameter") return SetParameter(args);
  if (what == "system") return SetSystem(args);
  return Out(StrCat("Unknown command '/set ", what, "'. Type /? for help\n"));
}

ReplStep ReplSession::SetParameter(const std::vector<std::string>& args) {
  if (args.size() < 4) return Err(ReplUsageParameters());
  const std::string& name = args[2];
  // Like Ollama's api.FormatParams: the first value, or all of them for `stop`.
  Result<modelfile::ParamValue> value = modelfile::ParseParameterValue(name, args[3]);
  if (!value.ok())
    return Out(StrCat("Couldn't set parameter: ", GoQuote(value.status().message()), "\n"));
  if (std::holds_alternative<std::vector<std::string>>(*value)) {
    *value = std::vector<std::string>(args.begin() + 3, args.end());
  }
  options_[name] = *value;
  return Out(StrCat("Set parameter '", name, "' to '", Join(args, 3, ", "), "'\n"));
}

ReplStep ReplSession::SetSystem(const std::vector<std::string>& args) {
  if (args.size() < 3) return Err(ReplUsageSet());
  std::string line = Join(args, 2, " ");
  multiline_ = Multiline::kNone;
  if (CutPrefix(line, kQuotes)) {
    multiline_ = Multiline::kSystem;
    if (CutSuffix(line, kQuotes)) multiline_ = Multiline::kNone;
  }
  buffer_ += line;
  if (multiline_ != Multiline::kNone) {
    buffer_ += "\n";  // the next lines continue the system prompt
    return {};
  }
  system_ = buffer_;
  // A system message replaces a system message at the end of the conversation.
  if (!messages_.empty() && messages_.back().role == "system") {
    messages_.back() = {"system", buffer_};
  } else {
    messages_.push_back({"system", buffer_});
  }
  buffer_.clear();
  return Out("Set system message.\n");
}

json ReplSession::ChatRequest() const {
  json msgs = json::array();
  for (const auto& m : messages_) msgs.push_back({{"role", m.role}, {"content", m.content}});
  json options = json::object();
  for (const auto& [k, v] : options_) options[k] = ParamValueJson(v);
  json req = {{"model", s_.model}, {"messages", msgs}, {"options", options}};
  if (!s_.format.empty()) req["format"] = s_.format;
  if (s_.think) req["think"] = *s_.think;
  if (s_.keep_alive) req["keep_alive"] = *s_.keep_alive;
  return req;
}

void ReplSession::SwitchModel(const std::string& model) {
  s_.model = model;
  messages_.clear();
}

json ReplSession::SaveRequest(const std::string& name, const std::string& parent) const {
  json req = {{"model", name}, {"from", parent.empty() ? s_.model : parent}};
  if (!system_.empty()) req["system"] = system_;
  if (!options_.empty()) {
    json params = json::object();
    for (const auto& [k, v] : options_) params[k] = ParamValueJson(v);
    req["parameters"] = params;
  }
  if (!messages_.empty()) {
    json msgs = json::array();
    for (const auto& m : messages_) msgs.push_back({{"role", m.role}, {"content", m.content}});
    req["messages"] = msgs;
  }
  return req;
}

json ReplSession::ShowRequest() const {
  json req = {{"model", s_.model}};
  if (!system_.empty()) req["system"] = system_;
  if (!options_.empty()) {
    json options = json::object();
    for (const auto& [k, v] : options_) options[k] = ParamValueJson(v);
    req["options"] = options;
  }
  return req;
}

ReplStep ReplSession::RenderShow(const std::string& what, const json& show) const {
  auto field = [&](const char* key) {
    return show.contains(key) && show[key].is_string() ? show[key].get<std::string>()
                                                       : std::string();
  };
  if (what == "info") return Err(RenderShowResponse(show, /*verbose=*/false));
  if (what == "license") {
    const std::string license = field("license");
    return Out((license.empty() ? "No license was specified for this model." : license) + "\n");
  }
  if (what == "modelfile") return Out(field("modelfile") + "\n");
  if (what == "parameters") {
    std::string out = "Model defined parameters:\n";
    const std::string params = field("parameters");
    if (params.empty()) {
      out += "  No additional parameters were specified for this model.\n";
    } else {
      size_t start = 0;
      while (true) {  // strings.Split: every line, the last one too
        const size_t nl = params.find('\n', start);
        out += "  " +
               params.substr(start, nl == std::string::npos ? std::string::npos : nl - start) +
               "\n";
        if (nl == std::string::npos) break;
        start = nl + 1;
      }
    }
    out += "\n";
    if (!options_.empty()) {
      out += "User defined parameters:\n";
      for (const auto& [k, v] : options_)
        out += StrFormat("  %-30s %s\n", k.c_str(), GoV(v).c_str());
      out += "\n";
    }
    return Out(out);
  }
  if (what == "system") {
    if (!system_.empty()) return Out(system_ + "\n\n");
    const std::string sys = field("system");
    if (!sys.empty()) return Out(sys + "\n\n");
    return Out("No system message was specified for this model.\n");
  }
  if (what == "template") {
    const std::string tmpl = field("template");
    return Out((tmpl.empty() ? "No prompt template was specified for this model." : tmpl) + "\n");
  }
  return Out(StrCat("Unknown command '/show ", what, "'. Type /? for help\n"));
}

}  // namespace olla::cli
