#pragma once
// What pulls and pushes report, and how they move bytes: the progress events of /api/pull and
// /api/push (spec §3.14, §3.15) and the knobs of ranged, parallel, retried transfers.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "registry/client.h"
#include "registry/parts.h"

namespace olla::registry {

// One NDJSON status object: {"status":…} or {"status":"pulling <12hex>","digest":…,"total":…,
// "completed":…} (completed omitted while 0, digest/total omitted when empty/0).
struct Progress {
  std::string status;
  std::string digest;  // "sha256:<hex>" or empty
  int64_t total = 0;
  int64_t completed = 0;
};
// Called from the thread that runs the pull or push, never concurrently.
using ProgressFn = std::function<void(const Progress&)>;

struct TransferOptions {
  PartSizing parts;       // Ollama: total/16 clamped to [100 MB, 1000 MB]
  int max_parallel = 16;  // parts in flight per blob
  std::chrono::milliseconds progress_interval{60};
};

}  // namespace olla::registry
