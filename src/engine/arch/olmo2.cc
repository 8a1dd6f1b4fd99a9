// olmo2: AllenAI OLMo 2 decoders (and OLMo 3, which keeps the architecture name). Differences
// from llama, as llama.cpp's LLM_ARCH_OLMO2:
//  * no norm before the attention or the FFN: each branch's output is RMS-normalized instead
//    (post_attention_norm, post_ffw_norm) before its residual add (NormPlacement::kNone);
//  * q and k RMS-normalized over the whole projection (attn_q_norm [q_dim], attn_k_norm
//    [kv_dim]), not per head, before rope;
//  * NEOX rope; untied output;
//  * optional sliding-window layers (olmo2.attention.sliding_window, OLMo 3): three local layers
//    per global one unless olmo2.attention.sliding_window_pattern says otherwise, local layers
//    rotating with olmo2.rope.freq_base_swa (default: the global base) unscaled.

#include "engine/arch/arch.h"

namespace olla::engine {

static Status LoadOlmo2(const gguf::Metadata& md, ModelConfig& cfg) {
  OLLA_RETURN_IF_ERROR(LoadLlamaLike(md, "olmo2", cfg));
  cfg.rope.style = kernels::RopeStyle::kNeox;
  cfg.norm_placement = NormPlacement::kNone;
  cfg.post_attn_norm = true;
  cfg.post_ffn_norm = true;
  cfg.qk_norm = true;
  cfg.qk_norm_full = true;
  return LoadSlidingWindow(md, "olmo2", 4, cfg.rope.freq_base, cfg);
}

extern const ArchSpec kOlmo2Arch = {.gguf_name = "olmo2", .load_config = LoadOlmo2};

}  // namespace olla::engine
