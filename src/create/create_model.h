#pragma once
// POST /api/create (spec §3.10): decoding the request and assembling the model in the store.
//
// CreateModel follows upstream's create flow step by step:
//  1. base layers: every layer of the `from` model (each tagged "from": <its short name>), or the
//     GGUF files of `files`, classified by metadata as model, projector or adapter (§8.5), with
//     chat-template auto-detection (§9.3) adding a template and a stop-params layer;
//  2. `adapters` appended (one GGUF at most);
//  3. `quantize` re-quantizes the model layer (quantize_model.h);
//  4. `template` replaces the template layers, a non-empty `system` the system layer, `license`
//     appends license layers, `parameters` are merged over the existing params layers into one
//     params layer (written only if the merged set is non-empty), non-empty `messages` replace the
//     messages layer; each new layer is appended at the end;
//  5. the config blob and the manifest are written;
//  6. blobs only the replaced manifest used are pruned (unless noprune).
// Progress objects: "parsing GGUF", quantization progress, "verifying conversion", one status per
// layer ("using existing layer sha256:…", "creating new layer sha256:…" or "using autodetected
// template <name>"), "writing manifest", "success".
//
// On any error no manifest is written and the blobs this call added are removed again (unless a
// manifest references them), so the store is left as it was.

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "store/store.h"

namespace olla::create {

struct CreateModelRequest {
  std::optional<store::ModelName> name;  // the target (always set by ParseCreateRequest)
  std::string from;                      // existing model to derive from ("" = none)
  bool has_files = false, has_adapters = false;
  std::map<std::string, store::Digest> files, adapters;  // relative file name → blob digest
  std::string template_text;                             // "" = keep
  std::string system;                                    // "" = keep
  std::vector<std::string> license;                      // appended
  nlohmann::json parameters = nlohmann::json::object();  // merged over inherited ones
  nlohmann::json messages = nlohmann::json::array();     // replace inherited ones when non-empty
  std::string quantize;                                  // "" = none
  std::string renderer, parser, requires_version;        // "" = inherit from `from`
  nlohmann::json info = nullptr;                         // validated `info` object, or null
  bool stream = true;
};

// Decodes a request body. kInvalidArgument (HTTP 400) with Ollama's texts: JSON decoding errors,
// `file path must be relative` (a name in files/adapters that is not a clean relative slash
// path), `invalid digest format`, `invalid model name`, `--draft-quantize requires a DRAFT model`,
// `info field "<k>" must be a string` / `must be a number` / `must be a non-negative integer`,
// and Go's type errors for license, parameters and messages. Draft models and remote stubs are
// not supported (kUnsupported).
Result<CreateModelRequest> ParseCreateRequest(std::string_view body);

// Parameters merged as upstream's setParameters does: keys of `request` win, the others come from
// `existing` (a whole array value is replaced, never concatenated). Both must be objects (null
// counts as empty).
nlohmann::json MergeParameters(const nlohmann::json& request, const nlohmann::json& existing);

// "260K", "8.0B", "137M": Ollama's HumanNumber of a parameter count (config model_type).
std::string ParameterSizeLabel(uint64_t n);

using CreateProgressFn = std::function<void(const nlohmann::json& status)>;

struct CreateOptions {
  bool noprune = false;  // OLLAMA_NOPRUNE: keep the blobs of a replaced manifest
  // Fetches a `from` model that is not in the store (a registry pull); null: such a `from` is
  // kNotFound `model "<from>" not found, try pulling it first`.
  std::function<Status(const store::ModelName& name, const CreateProgressFn& progress)> pull;
};

// Runs the create (see the file comment). Errors: kInvalidArgument for bad input (the 400s of
// §3.10: `neither 'from' or 'files' was specified`, `template error: …`, `unknown type`,
// `supplied file was not in GGUF format`, `only one adapter is currently supported`,
// quantization errors), kCorrupt for a malformed GGUF, kNotFound for a missing `from` or blob,
// store errors (kIoError, kResourceExhausted) as they come.
Status CreateModel(store::Store& store, const CreateModelRequest& req, const CreateOptions& options,
                   const CreateProgressFn& progress);

}  // namespace olla::create
