#pragma once
// SamplerOptions: the sampling knobs of Ollama's runtime options (spec ollama-surface.md §3.19 and
// Appendix A), with Ollama's defaults. Only what shapes the next-token choice lives here; `stop`
// is handled by StopMatcher (stop_matcher.h), and `num_predict`/`num_keep` by the runtime.

#include <cstdint>

namespace olla::sampling {

inline constexpr int64_t kRandomSeed = -1;  // `seed: -1` means "seed from the OS"

struct SamplerOptions {
  float temperature = 0.8f;     // <= 0: greedy (argmax of the penalised logits)
  int32_t top_k = 40;           // <= 0: disabled
  float top_p = 0.9f;           // >= 1: disabled
  float min_p = 0.0f;           // <= 0: disabled
  float typical_p = 1.0f;       // >= 1: disabled
  float repeat_penalty = 1.0f;  // 1: disabled (spec §3.19: Ollama's default, not llama.cpp's 1.1)
  int32_t repeat_last_n = 64;   // penalty window in tokens; 0 disables, -1 = num_ctx
  float presence_penalty = 0.0f;   // subtracted once from every token seen in the window
  float frequency_penalty = 0.0f;  // subtracted per occurrence in the window
  int64_t seed = kRandomSeed;      // -1: random; any other value gives a reproducible sequence
};

}  // namespace olla::sampling
