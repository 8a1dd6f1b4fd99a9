// bert: BERT-style sentence-embedding encoders (bge, all-MiniLM and other plain BERT models).
// Differences from the decoders, all ModelConfig flags read by the same forward pass:
//  * input = token_embd[token] + token_types[0] + position_embd[pos], then LayerNorm
//    (token_embd_norm); token types are all 0 ("sentence A"), as llama.cpp;
//  * no rope (absolute positions), non-causal attention over the whole input at once;
//  * post-norm blocks: x = LN(x + attn(x)) with attn_output_norm, x = LN(x + ffn(x)) with
//    layer_output_norm; LayerNorm with biases, eps from bert.attention.layer_norm_epsilon;
//  * biases on every projection; a plain GELU (tanh approximation) FFN, no gate;
//  * no output head: the result is the last hidden states, pooled per bert.pooling_type.
// LoadBertLike is the part nomic-bert shares.

#include "base/str_cat.h"
#include "engine/arch/arch.h"

namespace olla::engine {

Status LoadBertLike(const gguf::Metadata& md, std::string_view prefix, ModelConfig& cfg) {
  OLLA_RETURN_IF_ERROR(LoadLlamaLike(md, prefix, cfg));
  OLLA_ASSIGN_OR_RETURN(double eps, md.GetDouble(StrCat(prefix, ".attention.layer_norm_epsilon")));
  cfg.norm_eps = static_cast<float>(eps);
  cfg.norm = NormKind::kLayer;
  cfg.norm_placement = NormPlacement::kPost;
  cfg.norm_bias = true;
  OLLA_ASSIGN_OR_RETURN(cfg.causal, md.GetBoolOr(StrCat(prefix, ".attention.causal"), false));
  cfg.token_types = true;
  cfg.embd_norm = true;
  cfg.output_head = false;
  cfg.output_norm = false;
  return LoadPoolingType(md, prefix, cfg);
}

static Status LoadBert(const gguf::Metadata& md, ModelConfig& cfg) {
  OLLA_RETURN_IF_ERROR(LoadBertLike(md, "bert", cfg));
  cfg.ffn_gated = false;
  cfg.ffn_act = FfnActivation::kGeluTanh;
  cfg.use_rope = false;
  cfg.qkv_bias = true;
  cfg.attn_out_bias = true;
  cfg.ffn_bias = true;
  cfg.position_embd = true;
  return Status::Ok();
}

extern const ArchSpec kBertArch = {.gguf_name = "bert", .load_config = LoadBert};

}  // namespace olla::engine
