#pragma once
// The interactive `olla run MODEL` session on a terminal (spec §1.4.1): the line editor, the
// REPL state machine (repl_session.h) and /api/chat, with Ctrl-C cancelling a reply.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "api/client.h"
#include "base/status.h"

namespace olla::cli {

struct ChatDisplayOptions {
  bool wordwrap = true;  // only honoured when stdout is a terminal
  bool hide_thinking = false;
  bool verbose = false;
};

struct ReplOptions {
  std::string model;
  std::string format;
  std::optional<nlohmann::json> keep_alive;
  std::optional<nlohmann::json> think;
  ChatDisplayOptions display;
};

// Runs the REPL until /bye or Ctrl-D. `show` is the model's /api/show response (its stored
// MESSAGEs are printed first, its capabilities drive the thinking warnings).
Status RunRepl(api::Client& client, const ReplOptions& options, const nlohmann::json& show);

// Sends POST /api/generate with no prompt, which loads the model (keep_alive, think as given).
Status LoadModel(api::Client& client, const std::string& model,
                 const std::optional<nlohmann::json>& keep_alive,
                 const std::optional<nlohmann::json>& think);

}  // namespace olla::cli
