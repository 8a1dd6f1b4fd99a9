// qwen2: Qwen 1.5 / Qwen2 / Qwen2.5 decoders. The llama block with biases on the q, k and v
// projections and NEOX-style rope (rotating the two halves of each head, not adjacent pairs).
// The output matrix is often tied to the token embeddings (the small sizes).

#include "engine/arch/arch.h"

namespace olla::engine {

static Status LoadQwen2(const gguf::Metadata& md, ModelConfig& cfg) {
  OLLA_RETURN_IF_ERROR(LoadLlamaLike(md, "qwen2", cfg));
  cfg.rope.style = kernels::RopeStyle::kNeox;
  cfg.qkv_bias = true;
  return Status::Ok();
}

extern const ArchSpec kQwen2Arch = {
    .gguf_name = "qwen2", .load_config = LoadQwen2, .traits = {.quant_70b_at_80_layers = true}};

}  // namespace olla::engine
