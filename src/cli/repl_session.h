#pragma once
// The state machine of the interactive `olla run` REPL (spec §1.4.1), free of terminal and
// network I/O: it turns each input line into text to print and, where needed, an action for
// the driver (repl.cc) to carry out against the server (chat, show, load, save, list). Every
// message it prints is Ollama's, byte for byte.

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "modelfile/params.h"

namespace olla::cli {

struct ReplMessage {
  std::string role, content;
  friend bool operator==(const ReplMessage&, const ReplMessage&) = default;
};

struct ReplStep {
  enum class Action { kNone, kChat, kExit, kShow, kLoad, kSave, kList };
  Action action = Action::kNone;
  std::string out;  // for stdout, printed before the action
  std::string err;  // for stderr (help texts), printed before the action
  std::string arg;  // kShow: what to show; kLoad/kSave: the model name; kList: the prefix
};

// A Modelfile PARAMETER value as request JSON: floats keep float32's shortest digits (0.6).
nlohmann::json ParamValueJson(const modelfile::ParamValue& value);

class ReplSession {
 public:
  struct Settings {
    std::string model;
    std::string format;                        // "" or "json"
    std::optional<nlohmann::json> keep_alive;  // "5m0s" or -1; unset = server default
    std::optional<nlohmann::json> think;       // true/false/"high"/...; unset = server default
    bool verbose = false;
    bool wordwrap = true;
    bool history = true;
  };

  explicit ReplSession(Settings settings) : s_(std::move(settings)) {}

  // One line from the line editor. `pasted` lines (bracketed paste, not the last line) are
  // accumulated into one message.
  ReplStep Feed(const std::string& line, bool pasted = false);
  // Ctrl-C at the prompt: drops any pending multi-line input.
  ReplStep Interrupt();
  // True while a multi-line message or system prompt is open (the "... " prompt).
  bool continuation() const { return multiline_ != Multiline::kNone || !buffer_.empty(); }

  // The /api/chat body for the current conversation.
  nlohmann::json ChatRequest() const;
  // Records the assistant's reply (content only; thinking is not kept).
  void AddReply(const std::string& content) { messages_.push_back({"assistant", content}); }
  // After a successful /load: the new model and a fresh conversation.
  void SwitchModel(const std::string& model);
  // The /api/create body of `/save <name>`; `parent` is /api/show's details.parent_model.
  nlohmann::json SaveRequest(const std::string& name, const std::string& parent) const;
  // The /api/show body for /show (model, session system and options).
  nlohmann::json ShowRequest() const;
  // What `/show <what>` prints for an /api/show response.
  ReplStep RenderShow(const std::string& what, const nlohmann::json& show) const;

  // Capabilities from /api/show, for the thinking warnings of /set think.
  void set_capabilities(std::vector<std::string> caps) { capabilities_ = std::move(caps); }

  const Settings& settings() const { return s_; }
  const std::vector<ReplMessage>& messages() const { return messages_; }
  const std::map<std::string, modelfile::ParamValue>& options() const { return options_; }
  const std::string& system() const { return system_; }

 private:
  enum class Multiline { kNone, kPrompt, kSystem };
  ReplStep Set(const std::vector<std::string>& args);
  ReplStep SetSystem(const std::vector<std::string>& args);
  ReplStep SetParameter(const std::vector<std::string>& args);
  std::string ThinkWarning() const;

  Settings s_;
  std::vector<ReplMessage> messages_;
  std::map<std::string, modelfile::ParamValue> options_;
  std::string system_;
  std::vector<std::string> capabilities_;
  std::string buffer_;
  Multiline multiline_ = Multiline::kNone;
};

// The help texts (stderr): `/?`, `/? set`, `/? show`, `/? shortcuts`, and the parameter list.
std::string ReplUsage();
std::string ReplUsageSet();
std::string ReplUsageShow();
std::string ReplUsageShortcuts();
std::string ReplUsageParameters();

}  // namespace olla::cli
