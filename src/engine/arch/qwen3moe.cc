// qwen3moe: Qwen3 mixture-of-experts decoders (Qwen3-30B-A3B, Qwen3-235B-A22B, Qwen3-Coder).
// Qwen3 attention (per-head q/k RMSNorm, NEOX rope, head_dim from key_length) with every FFN a
// mixture of experts: a softmax over the router's logits, the top expert_used_count experts,
// their weights renormalized to sum 1 (engine/moe.cc).

#include "base/str_cat.h"
#include "engine/arch/arch.h"

namespace olla::engine {

static Status LoadQwen3Moe(const gguf::Metadata& md, ModelConfig& cfg) {
  OLLA_RETURN_IF_ERROR(LoadLlamaLike(md, "qwen3moe", cfg));
  cfg.rope.style = kernels::RopeStyle::kNeox;
  cfg.qk_norm = true;
  OLLA_RETURN_IF_ERROR(LoadExperts(md, "qwen3moe", cfg));
  if (cfg.n_expert == 0)
    return Status::InvalidArgument("metadata key 'qwen3moe.expert_count' is missing or 0");
  cfg.expert_gating = ExpertGating::kSoftmax;
  cfg.expert_weights_norm = true;
  return Status::Ok();
}

extern const ArchSpec kQwen3MoeArch = {.gguf_name = "qwen3moe", .load_config = LoadQwen3Moe};

}  // namespace olla::engine
