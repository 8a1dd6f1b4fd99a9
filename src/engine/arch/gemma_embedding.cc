// gemma-embedding: EmbeddingGemma. Gemma 3 blocks (LoadGemma3Like: sandwich norms, per-head q/k
// norms, GeGLU, embeddings × sqrt(n_embd), local layers with their own rope base) used as an
// encoder, as llama.cpp's LLM_ARCH_GEMMA_EMBEDDING:
//  * non-causal attention; on local layers the window is symmetric, a token seeing the keys
//    within sliding_window positions on either side (the attention kernel's non-causal window);
//  * query scale 1/sqrt(head_dim) for every size (no 27B exception);
//  * no output head, but the final output_norm; the pooled embedding (gemma-embedding.pooling_type,
//    mean in the released model) then goes through the sentence-transformers projections
//    dense_2 [d, n_embd] and dense_3 [n_embd, d], without biases or activations, when the file
//    has them (converted with --sentence-transformers-dense-modules).

#include "engine/arch/arch.h"

namespace olla::engine {

static Status LoadGemmaEmbedding(const gguf::Metadata& md, ModelConfig& cfg) {
  OLLA_RETURN_IF_ERROR(LoadGemma3Like(md, "gemma-embedding", cfg));
  cfg.causal = false;
  // llama.cpp's symmetric window of n_swa positions lets a query at p see keys with
  // |p - k| <= n_swa / 2 (LLAMA_SWA_TYPE_SYMMETRIC in llama_hparams::is_masked_swa); in the
  // kernel's terms, |p - k| < n_swa / 2 + 1.
  if (cfg.sliding_window > 0) cfg.sliding_window = cfg.sliding_window / 2 + 1;
  cfg.output_head = false;
  cfg.output_norm = true;
  // The dense_* keys describe the two tensors; the tensors themselves decide (weights.cc checks
  // their shapes), as llama.cpp loads them when present.
  cfg.dense_out = md.Contains("gemma-embedding.dense_2_feat_out");
  return LoadPoolingType(md, "gemma-embedding", cfg);
}

extern const ArchSpec kGemmaEmbeddingArch = {.gguf_name = "gemma-embedding",
                                             .load_config = LoadGemmaEmbedding};

}  // namespace olla::engine
