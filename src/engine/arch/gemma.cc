// gemma: Google's Gemma 1 decoders, and the ground gemma2 and gemma3 build on (LoadGemmaLike).
// Differences from llama: NEOX rope; GeGLU feed-forward with tanh-approximated GELU; token
// embeddings multiplied by sqrt(n_embd); output tied to the embeddings; head_dim read from
// gemma.attention.key_length, so n_head * head_dim may differ from n_embd (256 × 8 = 2048 in 2B).
// RMSNorm weights: Gemma computes x̂ · (1 + w), and its GGUF converter stores 1 + w, so the plain
// RMSNorm of every other family applies unchanged.

#include <cmath>

#include "base/str_cat.h"
#include "engine/arch/arch.h"

namespace olla::engine {

Status LoadGemmaLike(const gguf::Metadata& md, std::string_view prefix, ModelConfig& cfg) {
  OLLA_RETURN_IF_ERROR(LoadLlamaLike(md, prefix, cfg));
  cfg.rope.style = kernels::RopeStyle::kNeox;
  cfg.ffn_act = FfnActivation::kGeluTanh;
  cfg.embd_scale = std::sqrt(static_cast<float>(cfg.n_embd));
  // Logit softcapping appears in gemma2 and, optionally, later files; 0 (absent) disables it.
  OLLA_ASSIGN_OR_RETURN(cfg.final_softcap,
                        GetFloatOr(md, StrCat(prefix, ".final_logit_softcapping"), 0.0f));
  return Status::Ok();
}

static Status LoadGemma(const gguf::Metadata& md, ModelConfig& cfg) {
  return LoadGemmaLike(md, "gemma", cfg);
}

extern const ArchSpec kGemmaArch = {.gguf_name = "gemma", .load_config = LoadGemma};

}  // namespace olla::engine
