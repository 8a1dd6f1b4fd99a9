// gpt-oss: OpenAI's open-weight mixture-of-experts models (gpt-oss-20b, -120b), as llama.cpp's
// openai-moe graph:
//  * attention with q/k/v/o biases and learned attention sinks (attn_sinks: one logit per head
//    joining each softmax); query scale 1/sqrt(head_dim);
//  * alternating layers: even layers attend within gpt-oss.attention.sliding_window (128), odd
//    ones globally; the same YaRN rope (factor 32 over 4096 positions, NEOX) on both;
//  * the FFN pre-norm is stored as post_attention_norm; every FFN is a mixture of experts with a
//    biased router whose top-k logits are softmaxed among themselves, experts with biases and
//    the clamped SwiGLU (alpha 1.702, limit 7, (up + 1));
//  * expert weights usually MXFP4. Chat goes through the built-in harmony renderer/parser.

#include <cmath>

#include "base/str_cat.h"
#include "engine/arch/arch.h"

namespace olla::engine {

static Status LoadGptOss(const gguf::Metadata& md, ModelConfig& cfg) {
  OLLA_RETURN_IF_ERROR(LoadLlamaLike(md, "gpt-oss", cfg));
  cfg.rope.style = kernels::RopeStyle::kNeox;
  cfg.qkv_bias = true;
  cfg.attn_out_bias = true;
  cfg.attn_sinks = true;
  cfg.attn_scale = 1.0f / std::sqrt(static_cast<float>(cfg.head_dim));
  cfg.ffn_norm_name = "post_attention_norm";
  OLLA_RETURN_IF_ERROR(LoadExperts(md, "gpt-oss", cfg));
  if (cfg.n_expert == 0)
    return Status::InvalidArgument("metadata key 'gpt-oss.expert_count' is missing or 0");
  cfg.expert_gating = ExpertGating::kSoftmaxTopK;
  cfg.expert_bias = true;
  cfg.ffn_act = FfnActivation::kSwigluOai;
  OLLA_ASSIGN_OR_RETURN(uint64_t window, md.GetUintOr("gpt-oss.attention.sliding_window", 0));
  if (window > 0)
    SetSlidingWindowLayers(cfg, static_cast<size_t>(window), 2, cfg.rope.freq_base,
                           cfg.rope.freq_scale);
  return Status::Ok();
}

extern const ArchSpec kGptOssArch = {
    .gguf_name = "gpt-oss", .load_config = LoadGptOss, .traits = {.harmony_template = true}};

}  // namespace olla::engine
