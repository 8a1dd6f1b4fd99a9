// gemma3: Gemma 3 text decoders (the language model of the multimodal releases too). On top of
// gemma (LoadGemmaLike):
//  * sandwich norms as gemma2 (post_attention_norm, post_ffw_norm), but no attention softcap;
//  * q and k RMS-normalized per head (attn_q_norm / attn_k_norm, [head_dim]) before rope;
//  * five local layers per global one (gemma3.attention.sliding_window_pattern, default 6; the
//    key may also be a per-layer bool array), local layers attending within
//    gemma3.attention.sliding_window and rotating with gemma3.rope.freq_base_swa (default 10000)
//    and no rope scaling, global ones with gemma3.rope.freq_base (1e6) and the file's scaling;
//  * query scale 1/sqrt(head_dim), except 27B (62 layers): 1/sqrt(n_embd / n_head), as gemma2.

#include <cmath>

#include "base/str_cat.h"
#include "engine/arch/arch.h"

namespace olla::engine {

static Status LoadGemma3(const gguf::Metadata& md, ModelConfig& cfg) {
  OLLA_RETURN_IF_ERROR(LoadGemmaLike(md, "gemma3", cfg));
  cfg.post_attn_norm = true;
  cfg.post_ffn_norm = true;
  cfg.qk_norm = true;
  if (cfg.n_layer == 62)
    cfg.attn_scale = 1.0f / std::sqrt(static_cast<float>(cfg.n_embd / cfg.n_head));

  OLLA_ASSIGN_OR_RETURN(uint64_t window, md.GetUintOr("gemma3.attention.sliding_window", 0));
  if (window == 0) return Status::Ok();  // every layer global
  OLLA_ASSIGN_OR_RETURN(float local_base, GetFloatOr(md, "gemma3.rope.freq_base_swa", 10000.0f));
  const std::string pattern_key = "gemma3.attention.sliding_window_pattern";
  const gguf::Value* pattern = md.Find(pattern_key);
  if (pattern == nullptr || !pattern->is_array()) {
    OLLA_ASSIGN_OR_RETURN(uint64_t period, md.GetUintOr(pattern_key, 6));
    SetSlidingWindowLayers(cfg, static_cast<size_t>(window), static_cast<size_t>(period),
                           local_base, 1.0f);
    return Status::Ok();
  }
  const gguf::Array& flags = *pattern->AsArray();
  if (flags.items.size() != cfg.n_layer)
    return Status::InvalidArgument(StrCat("metadata key '", pattern_key, "' has ",
                                          flags.items.size(), " entries for ", cfg.n_layer,
                                          " layers"));
  SetSlidingWindowLayers(cfg, static_cast<size_t>(window), 1, local_base,
                         1.0f);  // all global, then per flag
  for (size_t layer_idx = 0; layer_idx < cfg.n_layer; ++layer_idx) {
    Result<bool> local = flags.items[layer_idx].AsBool();
    if (!local.ok()) return local.status().WithPrefix(pattern_key);
    cfg.layers[layer_idx].local = *local;
  }
  return Status::Ok();
}

extern const ArchSpec kGemma3Arch = {.gguf_name = "gemma3", .load_config = LoadGemma3};

}  // namespace olla::engine
