#pragma once
// LoRA adapters (Modelfile ADAPTER, llama.cpp's adapter GGUF: general.type "adapter",
// adapter.type "lora", adapter.lora.alpha): for a base weight W ([out, in]) the pair
// "<W name>.lora_a" (ne [in, r]) and ".lora_b" (ne [r, out]) adds s · (alpha / r) · B·(A·x) to
// W·x, computed in F32 beside the base matmul, as llama.cpp does. Ollama applies its one adapter
// with s = 1.

#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/thread_pool.h"
#include "engine/weights.h"
#include "gguf/reader.h"

namespace olla::engine {

// One adapted weight: A [r, in], B [out, r] and the factor s · alpha / r.
struct LoraPair {
  kernels::QMatrix a, b;
  float scale = 0.0f;
};

// The adapted projections of one layer (null: not adapted).
struct LayerLora {
  const LoraPair *wq = nullptr, *wk = nullptr, *wv = nullptr, *wo = nullptr;
  const LoraPair *ffn_gate = nullptr, *ffn_up = nullptr, *ffn_down = nullptr;
};

class LoraAdapter {
 public:
  // Maps the adapter and binds its pairs to `w`'s projections, checking the architecture, every
  // shape against the base and that no pair is left unused (an adapter for weights olla does not
  // adapt is refused, naming the tensor). `scale` is s.
  static Result<std::unique_ptr<LoraAdapter>> Load(const std::string& path, const ModelConfig& cfg,
                                                   const ModelWeights& w, float scale = 1.0f);

  const std::vector<LayerLora>& layers() const { return layers_; }

 private:
  gguf::File file_;
  std::vector<std::unique_ptr<LoraPair>> pairs_;
  std::vector<LayerLora> layers_;
};

// y[n, w.n_rows] = W·x, plus the adapter's s·B·(A·x) when `lora` is set; scratch: [n, r].
void ProjectWithLora(const kernels::QMatrix& w, const LoraPair* lora, const float* x, size_t n,
                     float* y, std::vector<float>& scratch, std::vector<float>& scratch_out,
                     ThreadPool& pool);

}  // namespace olla::engine
