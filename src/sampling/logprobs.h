#pragma once
// Log-probabilities for the `logprobs`/`top_logprobs` request options (spec ollama-surface.md
// Appendix A). Like Ollama's runner, they are the log-softmax of the raw logits (temperature 1,
// before penalties and truncation), so they describe the model, not the sampler settings.

#include <cstdint>
#include <span>
#include <vector>

namespace olla::sampling {

struct TokenLogprob {
  int32_t id;
  float logprob;  // natural log; -inf for a -inf logit
};

struct Logprobs {
  TokenLogprob token;             // the sampled token
  std::vector<TokenLogprob> top;  // the top_n most likely tokens, best first (lower id on ties)
};

// logits: [n_vocab]; `token` in [0, n_vocab) (checked); top_n <= 0 gives an empty `top`, and
// top_n is capped at n_vocab. NaN logits count as -inf.
Logprobs ComputeLogprobs(std::span<const float> logits, int32_t token, int32_t top_n);

}  // namespace olla::sampling
