#pragma once
// `olla pull` and `olla push` as clients of /api/pull and /api/push (spec §1.6, §1.7), shared
// with `olla run`, which pulls a model it cannot find.

#include <string>

#include "api/client.h"
#include "base/status.h"

namespace olla::cli {

// Streams POST /api/pull for `model`, showing Ollama's progress on stderr.
Status PullModel(api::Client& client, const std::string& model, bool insecure);
// Streams POST /api/push for `model`, showing progress on stderr, then prints where the model
// can be found on stdout.
Status PushModel(api::Client& client, const std::string& model, bool insecure);

// The address `olla push` prints for a pushed model: https://ollama.com/<short name> for
// ollama.com and ollama.ai hosts, else the full name host/namespace/model:tag.
std::string PushDestination(const std::string& model);

}  // namespace olla::cli
