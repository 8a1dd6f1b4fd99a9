#pragma once
// Model: a loaded GGUF file with its validated config and bound weights. Immutable after Load and
// shareable between Contexts (one per sequence slot).

#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "engine/lora.h"
#include "engine/model_config.h"
#include "engine/weights.h"
#include "gguf/reader.h"
#include "kernels/pack.h"

namespace olla::engine {

class Model {
 public:
  // Maps the file, reads the architecture's config and binds the weights. Refuses, naming the key
  // or tensor, a model whose metadata is inconsistent: unknown architecture, heads that do not
  // divide, missing tensors, wrong shapes, a vocabulary shorter than the output.
  // `adapters`: LoRA adapter files applied with scale `adapter_scale` (Ollama's ADAPTER layers:
  // one, at 1).
  static Result<std::unique_ptr<Model>> Load(const std::string& path,
                                             const std::vector<std::string>& adapters = {},
                                             float adapter_scale = 1.0f);
  static Result<std::unique_ptr<Model>> FromFile(gguf::File file);
  // Whether the LoRA adapter at `adapter_path` applies to the model at `base_path` (its type,
  // architecture and every pair's shape), without loading the model for inference: what
  // `olla create` checks of an ADAPTER. Errors name the tensor or key.
  static Status CheckAdapter(const std::string& base_path, const std::string& adapter_path);

  const ModelConfig& config() const { return cfg_; }
  const ModelWeights& weights() const { return weights_; }
  const gguf::File& file() const { return file_; }
  // The adapted projections of layer `il` (all null without an adapter).
  const LayerLora& lora(size_t il) const {
    static const LayerLora kNone;
    return lora_ ? lora_->layers()[il] : kNone;
  }

 private:
  gguf::File file_;
  ModelConfig cfg_;
  ModelWeights weights_;
  kernels::WeightPacks packs_;  // the matrices repacked for this CPU's kernels, if it has any
  std::unique_ptr<LoraAdapter> lora_;
};

// Whether the model's KV cache may be shifted when its context fills (its architecture's
// ArchTraits::can_shift_context; true when general.architecture cannot be read).
bool CanShiftContext(const Model& model);

}  // namespace olla::engine
