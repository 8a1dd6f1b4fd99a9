#pragma once
// Push (spec §7.4, §3.15): upload a model's blobs and then its manifest to a registry.
//
// Events: "retrieving manifest" (a missing model: "couldn't retrieve manifest", then the error);
// per layer, then the config, "pushing <12hex>" progress; "pushing manifest"; "success".
// Per blob: HEAD → present: one full progress event. Else POST blobs/uploads/ — with
// `mount=<digest>&from=<repository>` when the layer's `from` names a model on the same registry
// (201 → mounted, done) — then PATCH the blob in parts (Content-Range `<start>-<end>`, each
// response naming the next upload URL; a 307 sends the part with PUT to its Location, without
// credentials unless that is the registry itself), then PUT `?digest=<digest>` to commit. A
// transient failure restarts that blob's upload (with backoff). The manifest goes last: PUT
// manifests/<tag> of the compact re-serialised manifest (no trailing newline), as Ollama does.

#include <stop_token>

#include "base/status.h"
#include "registry/client.h"
#include "registry/transfer.h"
#include "store/model_name.h"
#include "store/store.h"

namespace olla::registry {

struct PushOptions {
  ClientOptions client;
  TransferOptions transfer;
};

Status Push(const store::Store& store, const store::ModelName& name, const PushOptions& options,
            const ProgressFn& progress, std::stop_token stop = {});

}  // namespace olla::registry
