// granite: IBM Granite 3.x dense decoders. The llama block (normal-style rope, SwiGLU, GQA) with
// four multipliers from the file, as llama.cpp's LLM_ARCH_GRANITE:
//  * granite.embedding_scale multiplies the token embeddings;
//  * granite.residual_scale multiplies each branch's output (attention, FFN) before its residual
//    add;
//  * granite.attention.scale replaces 1/sqrt(head_dim) as the query scale;
//  * granite.logit_scale divides the output logits.
// Each is optional here (1, or 1/sqrt(head_dim), when absent or 0). granite.rope.scaling.finetuned
// false turns rope off, as llama.cpp reads it (default true).

#include "base/str_cat.h"
#include "engine/arch/arch.h"

namespace olla::engine {

static Status LoadGranite(const gguf::Metadata& md, ModelConfig& cfg) {
  OLLA_RETURN_IF_ERROR(LoadLlamaLike(md, "granite", cfg));
  cfg.rope.style = kernels::RopeStyle::kNormal;
  OLLA_ASSIGN_OR_RETURN(cfg.embd_scale, GetFloatOr(md, "granite.embedding_scale", 1.0f));
  OLLA_ASSIGN_OR_RETURN(cfg.residual_scale, GetFloatOr(md, "granite.residual_scale", 1.0f));
  OLLA_ASSIGN_OR_RETURN(cfg.attn_scale, GetFloatOr(md, "granite.attention.scale", 0.0f));
  OLLA_ASSIGN_OR_RETURN(cfg.logit_scale, GetFloatOr(md, "granite.logit_scale", 1.0f));
  // llama.cpp applies the embedding and residual multipliers only when non-zero.
  if (cfg.embd_scale == 0.0f) cfg.embd_scale = 1.0f;
  if (cfg.residual_scale == 0.0f) cfg.residual_scale = 1.0f;
  // The logits are divided by it: 0 would make them infinite, a negative value flip them.
  if (!(cfg.logit_scale > 0.0f))
    return Status::InvalidArgument(
        StrCat("metadata key 'granite.logit_scale' has invalid value ", cfg.logit_scale));
  // llama.cpp treats 0 as "absent" for the attention scale; a negative one is no scale.
  if (cfg.attn_scale < 0.0f)
    return Status::InvalidArgument(
        StrCat("metadata key 'granite.attention.scale' has invalid value ", cfg.attn_scale));
  OLLA_ASSIGN_OR_RETURN(cfg.use_rope, md.GetBoolOr("granite.rope.scaling.finetuned", true));
  return Status::Ok();
}

extern const ArchSpec kGraniteArch = {.gguf_name = "granite", .load_config = LoadGranite};

}  // namespace olla::engine
