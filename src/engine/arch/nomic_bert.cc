// nomic-bert: Nomic's BERT variant (nomic-embed-text). The BERT encoder of LoadBertLike
// (post-LayerNorms with biases, token types, token_embd_norm, non-causal, pooled, no head) with:
//  * one fused attn_qkv projection (rows q, then k, then v) and no attention biases;
//  * NEOX rope (nomic-bert.rope.freq_base, 1000 in nomic-embed-text) instead of position
//    embeddings, so inputs are not limited to a table of positions;
//  * a SwiGLU FFN (ffn_gate, ffn_up, ffn_down) without biases.
// As llama.cpp's bert graph for LLM_ARCH_NOMIC_BERT. The "search_query: " / "search_document: "
// task prefixes of nomic-embed-text are plain text in the input: nothing here knows of them.

#include "engine/arch/arch.h"

namespace olla::engine {

static Status LoadNomicBert(const gguf::Metadata& md, ModelConfig& cfg) {
  OLLA_RETURN_IF_ERROR(LoadBertLike(md, "nomic-bert", cfg));
  cfg.fused_qkv = true;
  cfg.rope.style = kernels::RopeStyle::kNeox;
  cfg.ffn_gated = true;
  cfg.ffn_act = FfnActivation::kSilu;
  return Status::Ok();
}

extern const ArchSpec kNomicBertArch = {.gguf_name = "nomic-bert", .load_config = LoadNomicBert};

}  // namespace olla::engine
