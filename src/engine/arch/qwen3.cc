// qwen3: Qwen3 dense decoders. Unlike qwen2, no q/k/v biases; instead each head of q and k is
// RMS-normalized (attn_q_norm / attn_k_norm, [head_dim]) before rope. head_dim comes from
// qwen3.attention.key_length (128 in every released size, which need not be n_embd / n_head).

#include "engine/arch/arch.h"

namespace olla::engine {

static Status LoadQwen3(const gguf::Metadata& md, ModelConfig& cfg) {
  OLLA_RETURN_IF_ERROR(LoadLlamaLike(md, "qwen3", cfg));
  cfg.rope.style = kernels::RopeStyle::kNeox;
  cfg.qk_norm = true;
  return Status::Ok();
}

extern const ArchSpec kQwen3Arch = {.gguf_name = "qwen3", .load_config = LoadQwen3};

}  // namespace olla::engine
