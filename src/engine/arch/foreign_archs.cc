// Architectures olla does not run but still meets: it imports, quantizes and describes their
// GGUF files, and Ollama treats them specially. Their traits live here so that no code outside
// engine/arch compares architecture names; the supported ones carry theirs in their ArchSpec.

#include <string_view>

#include "engine/arch/arch.h"

namespace olla::engine {

using tensor::DType;

namespace {

bool Contains(std::string_view s, std::string_view part) {
  return s.find(part) != std::string_view::npos;
}

// qwen35*: the multi-token-prediction projection stays at Q8_0 when quantized.
DType Qwen35QuantOverride(std::string_view name, DType type) {
  if (Contains(name, "nextn.eh_proj.weight") && tensor::Info(type).quantized &&
      type != DType::kQ8_0)
    return DType::kQ8_0;
  return type;
}

// gemma3n: the per-layer token embeddings stay F16.
DType Gemma3nQuantOverride(std::string_view name, DType type) {
  return name == "per_layer_token_embd.weight" ? DType::kF16 : type;
}

// deepseek2: the MLA projections stay at Q8_0.
DType Deepseek2QuantOverride(std::string_view name, DType type) {
  for (std::string_view part : {"attn_k_b", "attn_q_a", "attn_q_b", "attn_v_b", "attn_kv_a_mqa"})
    if (Contains(name, part) && Contains(name, "weight")) return DType::kQ8_0;
  return type;
}

// glm4, glmocr: token embeddings and output stay F16.
DType GlmQuantOverride(std::string_view name, DType type) {
  return name == "token_embd.weight" || name == "output.weight" ? DType::kF16 : type;
}

struct ForeignArch {
  std::string_view gguf_name;
  bool prefix;  // matches every name starting with gguf_name
  ArchTraits traits;
};

const ForeignArch kForeignArchs[] = {
    {"deepseek2", false, {.can_shift_context = false, .quant_override = Deepseek2QuantOverride}},
    {"clip", false, {.projector = true}},
    {"gptoss", false, {.harmony_template = true}},  // an older name of gpt-oss (gpt_oss.cc)
    {"falcon", false, {.quant_falcon_mix = true}},
    {"qwen35", true, {.quant_override = Qwen35QuantOverride}},
    {"gemma3n", false, {.quant_override = Gemma3nQuantOverride}},
    {"glm4", false, {.quant_override = GlmQuantOverride}},
    {"glmocr", false, {.quant_override = GlmQuantOverride}},
};

}  // namespace

const ArchTraits& ForeignArchTraits(std::string_view gguf_name) {
  static const ArchTraits kDefault;
  for (const ForeignArch& a : kForeignArchs) {
    if (a.prefix ? gguf_name.substr(0, a.gguf_name.size()) == a.gguf_name
                 : gguf_name == a.gguf_name)
      return a.traits;
  }
  return kDefault;
}

}  // namespace olla::engine
