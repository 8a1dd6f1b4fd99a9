#pragma once
// Pull (spec §7.2, §3.14): fetch a model's manifest and blobs from a registry into the store.
//
// Order of events: "pulling manifest"; per layer, then the config, "pulling <12hex>" progress
// (a blob already present with the manifest's size is one event with completed == total);
// "verifying sha256 digest"; "writing manifest"; "removing unused layers" when the replaced
// manifest had layers the new one lacks; "success". Every blob is verified against its digest
// before it becomes visible (download.h), and the manifest, checked strictly first
// (manifest_check.h), is written last, atomically, byte-for-byte as the registry sent it.
//
// Errors: `insecure protocol http`; `pull model manifest: file does not exist` (registry 404)
// and `pull model manifest: <error>` for other manifest failures; kResourceExhausted
// `not enough free disk space to pull <name>: need <n>, <m> available` before any blob is
// fetched; `unauthorized: access denied`; `digest mismatch, file must be downloaded again: …`;
// `max retries exceeded: <error>`; kCancelled when `stop` is requested (partial files stay and
// the next pull resumes from them).

#include <stop_token>

#include "base/status.h"
#include "registry/client.h"
#include "registry/download.h"
#include "registry/manifest_check.h"
#include "registry/transfer.h"
#include "store/model_name.h"
#include "store/store.h"

namespace olla::registry {

struct PullOptions {
  ClientOptions client;
  TransferOptions transfer;
  ManifestLimits limits;
  bool noprune = false;  // OLLAMA_NOPRUNE: keep layers the new manifest no longer uses
};

Status Pull(store::Store& store, Downloads& downloads, const store::ModelName& name,
            const PullOptions& options, const ProgressFn& progress, std::stop_token stop = {});

// kResourceExhausted (message above) if the file system of the store's blobs/ has less free space
// than the layers not yet on disk need.
Status CheckFreeSpace(const store::Store& store, const store::ModelName& name,
                      const std::vector<store::Layer>& layers);

// "1.2 GB" style (decimal units, as Ollama's HumanBytes).
std::string FormatBytes(int64_t bytes);

}  // namespace olla::registry
