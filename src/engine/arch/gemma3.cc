// gemma3: Gemma 3 text decoders (the language model of the multimodal releases too). On top of
// gemma (LoadGemmaLike), as LoadGemma3Like (shared with gemma-embedding):
//  * sandwich norms as gemma2 (post_attention_norm, post_ffw_norm), but no attention softcap;
//  * q and k RMS-normalized per head (attn_q_norm / attn_k_norm, [head_dim]) before rope;
//  * five local layers per global one (gemma3.attention.sliding_window_pattern, default 6; the
//    key may also be a per-layer bool array), local layers attending within
//    gemma3.attention.sliding_window and rotating with gemma3.rope.freq_base_swa (default 10000)
//    and no rope scaling, global ones with gemma3.rope.freq_base (1e6) and the file's scaling;
//  * query scale 1/sqrt(head_dim), except 27B (62 layers): 1/sqrt(n_embd / n_head), as gemma2.

#include <cmath>

#include "engine/arch/arch.h"

namespace olla::engine {

Status LoadGemma3Like(const gguf::Metadata& md, std::string_view prefix, ModelConfig& cfg) {
  OLLA_RETURN_IF_ERROR(LoadGemmaLike(md, prefix, cfg));
  cfg.post_attn_norm = true;
  cfg.post_ffn_norm = true;
  cfg.qk_norm = true;
  return LoadSlidingWindow(md, prefix, 6, 10000.0f, cfg);
}

static Status LoadGemma3(const gguf::Metadata& md, ModelConfig& cfg) {
  OLLA_RETURN_IF_ERROR(LoadGemma3Like(md, "gemma3", cfg));
  if (cfg.n_layer == 62)
    cfg.attn_scale = 1.0f / std::sqrt(static_cast<float>(cfg.n_embd / cfg.n_head));
  return Status::Ok();
}

extern const ArchSpec kGemma3Arch = {.gguf_name = "gemma3", .load_config = LoadGemma3};

}  // namespace olla::engine
