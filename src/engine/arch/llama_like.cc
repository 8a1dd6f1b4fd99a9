// Metadata common to the llama family of decoders: "<arch>.embedding_length" and friends, and the
// sliding-window layer pattern that gemma2/gemma3 share.

#include "base/str_cat.h"
#include "engine/arch/arch.h"

namespace olla::engine {

namespace {
Result<size_t> PositiveSize(const gguf::Metadata& md, const std::string& key,
                            uint64_t max = 1ull << 32) {
  OLLA_ASSIGN_OR_RETURN(uint64_t v, md.GetUint(key));
  if (v == 0 || v > max)
    return Status::InvalidArgument(StrCat("metadata key '", key, "' has invalid value ", v));
  return static_cast<size_t>(v);
}

// Per-layer tables are sized by block_count before the tensors are bound; the largest models
// have a few hundred layers. (A crafted 1e9 once exhausted memory and froze later loads.)
constexpr uint64_t kMaxLayers = 4096;

// YaRN as llama.cpp applies it: extrapolation factor 1, the training context before scaling
// (rope.scaling.original_context_length, else context_length), beta_fast 32, beta_slow 1.
Status LoadYarn(const gguf::Metadata& md, const std::string& p, ModelConfig& cfg) {
  kernels::RopeParams& r = cfg.rope;
  r.ext_factor = 1.0f;
  OLLA_ASSIGN_OR_RETURN(uint64_t orig,
                        md.GetUintOr(p + ".rope.scaling.original_context_length", cfg.n_ctx_train));
  if (orig == 0 || orig > (1ull << 32))
    return Status::InvalidArgument(StrCat("metadata key '", p,
                                          ".rope.scaling.original_context_length' has invalid "
                                          "value ",
                                          orig));
  r.n_ctx_orig = static_cast<size_t>(orig);
  OLLA_ASSIGN_OR_RETURN(r.beta_fast, GetFloatOr(md, p + ".rope.scaling.yarn_beta_fast", 32.0f));
  OLLA_ASSIGN_OR_RETURN(r.beta_slow, GetFloatOr(md, p + ".rope.scaling.yarn_beta_slow", 1.0f));
  OLLA_ASSIGN_OR_RETURN(r.attn_factor, GetFloatOr(md, p + ".rope.scaling.attn_factor", 1.0f));
  if (!(r.freq_scale > 0.0f && r.freq_scale <= 1.0f))
    return Status::InvalidArgument(
        StrCat("metadata key '", p, ".rope.scaling.factor' must be at least 1 for yarn"));
  return Status::Ok();
}
}  // namespace

Status LoadLlamaLike(const gguf::Metadata& md, std::string_view prefix, ModelConfig& cfg) {
  const std::string p(prefix);
  cfg.arch = p;
  OLLA_ASSIGN_OR_RETURN(cfg.n_embd, PositiveSize(md, p + ".embedding_length"));
  OLLA_ASSIGN_OR_RETURN(cfg.n_layer, PositiveSize(md, p + ".block_count", kMaxLayers));
  OLLA_ASSIGN_OR_RETURN(cfg.n_ff, PositiveSize(md, p + ".feed_forward_length"));
  OLLA_ASSIGN_OR_RETURN(cfg.n_head, PositiveSize(md, p + ".attention.head_count"));
  OLLA_ASSIGN_OR_RETURN(uint64_t n_head_kv,
                        md.GetUintOr(p + ".attention.head_count_kv", cfg.n_head));
  cfg.n_head_kv = static_cast<size_t>(n_head_kv);
  if (cfg.n_head_kv == 0 || cfg.n_head % cfg.n_head_kv != 0)
    return Status::InvalidArgument(StrCat("metadata key '", p, ".attention.head_count_kv' (",
                                          cfg.n_head_kv, ") must divide head_count (", cfg.n_head,
                                          ")"));
  if (md.Contains(p + ".attention.key_length")) {
    OLLA_ASSIGN_OR_RETURN(cfg.head_dim, PositiveSize(md, p + ".attention.key_length"));
  } else {
    if (cfg.n_embd % cfg.n_head != 0)
      return Status::InvalidArgument(StrCat("metadata key '", p, ".attention.head_count' (",
                                            cfg.n_head, ") does not divide embedding_length (",
                                            cfg.n_embd, ")"));
    cfg.head_dim = cfg.n_embd / cfg.n_head;
  }
  if (md.Contains(p + ".attention.value_length")) {
    OLLA_ASSIGN_OR_RETURN(cfg.head_dim_v, PositiveSize(md, p + ".attention.value_length"));
  } else {
    cfg.head_dim_v = cfg.head_dim;
  }
  OLLA_ASSIGN_OR_RETURN(uint64_t ctx, md.GetUintOr(p + ".context_length", 2048));
  cfg.n_ctx_train = static_cast<size_t>(ctx);
  OLLA_ASSIGN_OR_RETURN(double eps, md.GetDoubleOr(p + ".attention.layer_norm_rms_epsilon", 1e-5));
  cfg.norm_eps = static_cast<float>(eps);
  OLLA_ASSIGN_OR_RETURN(double base, md.GetDoubleOr(p + ".rope.freq_base", 10000.0));
  cfg.rope.freq_base = static_cast<float>(base);
  OLLA_ASSIGN_OR_RETURN(uint64_t n_rot, md.GetUintOr(p + ".rope.dimension_count", cfg.head_dim));
  if (n_rot == 0 || n_rot > cfg.head_dim || n_rot % 2 != 0)
    return Status::InvalidArgument(StrCat("metadata key '", p, ".rope.dimension_count' (", n_rot,
                                          ") must be even and at most the head size ",
                                          cfg.head_dim));
  cfg.rope.n_rot = static_cast<size_t>(n_rot);
  // Rope scaling: "<arch>.rope.scaling.type" linear (positions / factor) or yarn (arch.h).
  OLLA_ASSIGN_OR_RETURN(std::string scaling, md.GetStringOr(p + ".rope.scaling.type", "none"));
  OLLA_ASSIGN_OR_RETURN(double factor, md.GetDoubleOr(p + ".rope.scaling.factor", 0.0));
  if (!md.Contains(p + ".rope.scaling.factor")) {
    OLLA_ASSIGN_OR_RETURN(factor, md.GetDoubleOr(p + ".rope.scale_linear", 0.0));
    if (factor > 0) scaling = "linear";
  }
  if ((scaling == "linear" || scaling == "yarn") && factor > 0)
    cfg.rope.freq_scale = static_cast<float>(1.0 / factor);
  if (scaling == "yarn") OLLA_RETURN_IF_ERROR(LoadYarn(md, p, cfg));
  // Others change the rotation itself; computing without them would be silently wrong.
  if (!scaling.empty() && scaling != "none" && scaling != "linear" && scaling != "yarn")
    return Status::Unsupported(StrCat("metadata key '", p, ".rope.scaling.type' is '", scaling,
                                      "': only linear and yarn rope scaling are supported"));
  cfg.layers.assign(cfg.n_layer, LayerConfig{});
  return Status::Ok();
}

Status LoadExperts(const gguf::Metadata& md, std::string_view prefix, ModelConfig& cfg) {
  const std::string p(prefix);
  OLLA_ASSIGN_OR_RETURN(uint64_t n_expert, md.GetUintOr(p + ".expert_count", 0));
  if (n_expert == 0) return Status::Ok();
  if (n_expert > kMaxExperts)
    return Status::InvalidArgument(
        StrCat("metadata key '", p, ".expert_count' (", n_expert, ") exceeds ", kMaxExperts));
  OLLA_ASSIGN_OR_RETURN(uint64_t used, md.GetUint(p + ".expert_used_count"));
  if (used == 0 || used > n_expert)
    return Status::InvalidArgument(StrCat("metadata key '", p, ".expert_used_count' (", used,
                                          ") must be between 1 and expert_count (", n_expert, ")"));
  cfg.n_expert = static_cast<size_t>(n_expert);
  cfg.n_expert_used = static_cast<size_t>(used);
  cfg.n_ff_exp = cfg.n_ff;
  if (md.Contains(p + ".expert_feed_forward_length")) {
    OLLA_ASSIGN_OR_RETURN(cfg.n_ff_exp, PositiveSize(md, p + ".expert_feed_forward_length"));
  }
  return Status::Ok();
}

void SetSlidingWindowLayers(ModelConfig& cfg, size_t window, size_t pattern, float local_freq_base,
                            float local_freq_scale) {
  cfg.sliding_window = window;
  cfg.rope_local = cfg.rope;
  cfg.rope_local.freq_base = local_freq_base;
  cfg.rope_local.freq_scale = local_freq_scale;
  for (size_t layer_idx = 0; layer_idx < cfg.layers.size(); ++layer_idx)
    cfg.layers[layer_idx].local = pattern == 0 || layer_idx % pattern < pattern - 1;
}

Status LoadSlidingWindow(const gguf::Metadata& md, std::string_view prefix, size_t default_period,
                         float default_local_base, ModelConfig& cfg) {
  const std::string p(prefix);
  OLLA_ASSIGN_OR_RETURN(uint64_t window, md.GetUintOr(p + ".attention.sliding_window", 0));
  if (window == 0) return Status::Ok();  // every layer global
  OLLA_ASSIGN_OR_RETURN(float local_base,
                        GetFloatOr(md, p + ".rope.freq_base_swa", default_local_base));
  const std::string pattern_key = p + ".attention.sliding_window_pattern";
  const gguf::Value* pattern = md.Find(pattern_key);
  if (pattern == nullptr || !pattern->is_array()) {
    OLLA_ASSIGN_OR_RETURN(uint64_t period, md.GetUintOr(pattern_key, default_period));
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

Status LoadPoolingType(const gguf::Metadata& md, std::string_view prefix, ModelConfig& cfg) {
  const std::string key = StrCat(prefix, ".pooling_type");
  OLLA_ASSIGN_OR_RETURN(uint64_t pooling, md.GetUintOr(key, 0));
  if (pooling > static_cast<uint64_t>(Pooling::kLast))
    return Status::Unsupported(
        StrCat(key, " ", pooling,
               " is not supported (0 none, 1 mean, 2 cls, 3 last; 4 rank is not implemented)"));
  cfg.pooling = static_cast<Pooling>(pooling);
  return Status::Ok();
}

Result<float> GetFloatOr(const gguf::Metadata& md, const std::string& key, float fallback) {
  OLLA_ASSIGN_OR_RETURN(double v, md.GetDoubleOr(key, fallback));
  return static_cast<float>(v);
}

}  // namespace olla::engine
