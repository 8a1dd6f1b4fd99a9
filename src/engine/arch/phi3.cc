// phi3: Microsoft Phi-3 / Phi-3.5 mini and medium. The llama block with fused projections:
// attn_qkv holds the q, k and v rows one after another, and ffn_up holds the gate rows followed
// by the up rows (2 * n_ff); weights.cc binds them as row slices, so the forward pass is llama's.
// NEOX rope. Sliding window: the files carry phi3.attention.sliding_window (2047 in the 4k
// models), but llama.cpp ignores it ("Phi SWA is currently disabled", ggml-org/llama.cpp#13676,
// because the converters do not describe which layers use it), and so do we, to match it.

#include "base/str_cat.h"
#include "engine/arch/arch.h"

namespace olla::engine {

static Status LoadPhi3(const gguf::Metadata& md, ModelConfig& cfg) {
  OLLA_RETURN_IF_ERROR(LoadLlamaLike(md, "phi3", cfg));
  cfg.rope.style = kernels::RopeStyle::kNeox;
  cfg.fused_qkv = true;
  cfg.fused_gate_up = true;
  // The 128k-context models (Phi-3-*-128k, Phi-3.5) use LongRoPE: per-pair frequency factors
  // (rope_factors_short/long) chosen by context length, plus a cos/sin magnitude correction.
  // TODO(#arch-phi3-longrope): implement; refused rather than computed wrongly.
  if (md.Contains("phi3.rope.scaling.attn_factor"))
    return Status::Unsupported(
        "phi3 models with LongRoPE scaling (phi3.rope.scaling.attn_factor) are not supported yet");
  return Status::Ok();
}

extern const ArchSpec kPhi3Arch = {.gguf_name = "phi3", .load_config = LoadPhi3};

}  // namespace olla::engine
