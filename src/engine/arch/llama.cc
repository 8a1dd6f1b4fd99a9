// llama: Llama 1/2/3, Mistral, TinyLlama and other plain llama-architecture decoders. RMSNorm,
// normal-style RoPE (the converter permutes Q/K so adjacent pairs rotate), GQA, SwiGLU.
// Mixtral is llama with llama.expert_count > 0: every FFN a mixture of experts, softmax gating
// and the top-k weights renormalized.

#include "engine/arch/arch.h"

namespace olla::engine {

static Status LoadLlama(const gguf::Metadata& md, ModelConfig& cfg) {
  OLLA_RETURN_IF_ERROR(LoadLlamaLike(md, "llama", cfg));
  cfg.rope.style = kernels::RopeStyle::kNormal;
  cfg.ffn_act = FfnActivation::kSilu;
  OLLA_RETURN_IF_ERROR(LoadExperts(md, "llama", cfg));
  cfg.expert_gating = ExpertGating::kSoftmax;
  cfg.expert_weights_norm = true;
  return Status::Ok();
}

extern const ArchSpec kLlamaArch = {
    .gguf_name = "llama", .load_config = LoadLlama, .traits = {.quant_70b_at_80_layers = true}};

}  // namespace olla::engine
