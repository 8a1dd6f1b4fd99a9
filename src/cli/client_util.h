#pragma once
// Shared steps of the CLI commands that talk to the server.

#include "api/client.h"
#include "base/status.h"

namespace olla::cli {

// A client for OLLAMA_HOST after a successful heartbeat (spec §1.1).
Result<api::Client> ConnectToServer();

// Prints the `olla list` table (spec §1.8) of the models whose names start with `prefix`
// (ASCII case-insensitive; "" = all).
Status PrintModelList(api::Client& client, const std::string& prefix);

}  // namespace olla::cli
