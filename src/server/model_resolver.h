#pragma once
// Resolves a model name through the store to everything a request needs: the GGUF blob, the
// template, system prompt, parameters, messages and licenses of its manifest layers, and its
// config blob (spec §6.8).

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "store/store.h"

namespace olla::server {

struct ResolvedModel {
  store::ModelName name;
  std::string short_name;  // e.g. "llama3.2:latest"
  store::StoredManifest stored;
  std::string model_path;  // the GGUF blob; empty if the manifest has no model layer
  std::vector<std::string> adapter_paths;  // its LoRA adapter layers' blobs (ADAPTER)
  bool has_template = false;
  std::string template_text;
  std::string system;
  nlohmann::json params;    // object or null
  nlohmann::json messages;  // array or null
  std::vector<std::string> licenses;
  nlohmann::json config;  // the config blob, or null
};

// kInvalidArgument for a malformed name; kNotFound "model '<name>' not found" when absent.
Result<ResolvedModel> ResolveModel(const store::Store& store, std::string_view name);

}  // namespace olla::server
