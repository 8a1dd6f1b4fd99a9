// gemma2: Gemma 2 decoders. On top of gemma (LoadGemmaLike):
//  * "sandwich" norms: post_attention_norm and post_ffw_norm normalize each block's output
//    before it is added to the residual stream;
//  * attention scores soft-capped, s -> 50 tanh(s / 50), and the final logits likewise with 30;
//  * local (sliding-window, 4096 in the released models) and global layers alternating, layer 0
//    local, as llama.cpp's swa pattern 2;
//  * the query scale is 1/sqrt(head_dim), except in 27B (46 layers), which Google trained with
//    1/sqrt(n_embd / n_head) (query_pre_attn_scalar = 144); llama.cpp picks it by layer count too,
//    since the GGUF does not store it.

#include <cmath>

#include "engine/arch/arch.h"

namespace olla::engine {

static Status LoadGemma2(const gguf::Metadata& md, ModelConfig& cfg) {
  OLLA_RETURN_IF_ERROR(LoadGemmaLike(md, "gemma2", cfg));
  cfg.post_attn_norm = true;
  cfg.post_ffn_norm = true;
  OLLA_ASSIGN_OR_RETURN(cfg.attn_softcap, GetFloatOr(md, "gemma2.attn_logit_softcapping", 50.0f));
  OLLA_ASSIGN_OR_RETURN(cfg.final_softcap, GetFloatOr(md, "gemma2.final_logit_softcapping", 30.0f));
  OLLA_ASSIGN_OR_RETURN(uint64_t window, md.GetUintOr("gemma2.attention.sliding_window", 4096));
  SetSlidingWindowLayers(cfg, static_cast<size_t>(window), 2, cfg.rope.freq_base,
                         cfg.rope.freq_scale);
  if (cfg.n_layer == 46)
    cfg.attn_scale = 1.0f / std::sqrt(static_cast<float>(cfg.n_embd / cfg.n_head));
  return Status::Ok();
}

extern const ArchSpec kGemma2Arch = {.gguf_name = "gemma2", .load_config = LoadGemma2};

}  // namespace olla::engine
