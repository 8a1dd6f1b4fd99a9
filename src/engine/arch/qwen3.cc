// qwen3: Qwen3 dense decoders. Unlike qwen2, no q/k/v biases; instead each head of q and k is
// RMS-normalized (attn_q_norm / attn_k_norm, [head_dim]) before rope. head_dim comes from
// qwen3.attention.key_length (128 in every released size, which need not be n_embd / n_head).
// Qwen3-Embedding files are the same decoder with qwen3.pooling_type (3: last token): they both
// generate and embed, the embedding being the last token's hidden state after output_norm.

#include "engine/arch/arch.h"

namespace olla::engine {

static Status LoadQwen3(const gguf::Metadata& md, ModelConfig& cfg) {
  OLLA_RETURN_IF_ERROR(LoadLlamaLike(md, "qwen3", cfg));
  cfg.rope.style = kernels::RopeStyle::kNeox;
  cfg.qk_norm = true;
  return LoadPoolingType(md, "qwen3", cfg);
}

extern const ArchSpec kQwen3Arch = {.gguf_name = "qwen3", .load_config = LoadQwen3};

}  // namespace olla::engine
