// bert: BERT-style sentence-embedding encoders (bge, all-MiniLM and other plain BERT models).
// Differences from the decoders, all ModelConfig flags read by the same forward pass:
//  * input = token_embd[token] + token_types[0] + position_embd[pos], then LayerNorm
//    (token_embd_norm); token types are all 0 ("sentence A"), as llama.cpp;
//  * no rope (absolute positions), non-causal attention over the whole input at once;
//  * post-norm blocks: x = LN(x + attn(x)) with attn_output_norm, x = LN(x + ffn(x)) with
//    layer_output_norm; LayerNorm with biases, eps from bert.attention.layer_norm_epsilon;
//  * biases on every projection; a plain GELU (tanh approximation) FFN, no gate;
//  * no output head: the result is the last hidden states, pooled per bert.pooling_type.

#include "base/str_cat.h"
#include "engine/arch/arch.h"

namespace olla::engine {

static Status LoadBert(const gguf::Metadata& md, ModelConfig& cfg) {
  OLLA_RETURN_IF_ERROR(LoadLlamaLike(md, "bert", cfg));
  OLLA_ASSIGN_OR_RETURN(double eps, md.GetDouble("bert.attention.layer_norm_epsilon"));
  cfg.norm_eps = static_cast<float>(eps);
  cfg.norm = NormKind::kLayer;
  cfg.norm_placement = NormPlacement::kPost;
  cfg.norm_bias = true;
  cfg.ffn_gated = false;
  cfg.ffn_act = FfnActivation::kGeluTanh;
  cfg.use_rope = false;
  OLLA_ASSIGN_OR_RETURN(cfg.causal, md.GetBoolOr("bert.attention.causal", false));
  cfg.qkv_bias = true;
  cfg.attn_out_bias = true;
  cfg.ffn_bias = true;
  cfg.position_embd = true;
  cfg.token_types = true;
  cfg.embd_norm = true;
  cfg.output_head = false;
  OLLA_ASSIGN_OR_RETURN(uint64_t pooling, md.GetUintOr("bert.pooling_type", 0));
  if (pooling > static_cast<uint64_t>(Pooling::kLast))
    return Status::Unsupported(
        StrCat("bert.pooling_type ", pooling,
               " is not supported (0 none, 1 mean, 2 cls, 3 last; 4 rank is not implemented)"));
  cfg.pooling = static_cast<Pooling>(pooling);
  return Status::Ok();
}

extern const ArchSpec kBertArch = {.gguf_name = "bert", .load_config = LoadBert};

}  // namespace olla::engine
