#pragma once
// Sampler: turns one row of logits into the next token with Ollama's sampling options (spec
// ollama-surface.md §3.19, Appendix A). The chain (stages.h) is
//
//   mask -> penalties -> [temperature <= 0: argmax] -> top_k -> typical_p -> top_p -> min_p
//        -> temperature -> dist
//
// which is llama.cpp's default chain as Ollama configures it, with greedy decoding taken
// directly when temperature <= 0 (truncation cannot change the argmax, except typical_p, which
// llama.cpp would let pick a less likely token; we follow the spec: greedy means argmax).
//
// Penalties read the tokens given to Accept(). llama-server accepts the prompt tokens too, so the
// runtime should Accept() the prompt before sampling the first token to match it.
//
// One Sampler per sequence; not thread-safe. All buffers are allocated in the constructor.

#include <cstdint>
#include <span>
#include <vector>

#include "sampling/candidates.h"
#include "sampling/constraint.h"
#include "sampling/options.h"
#include "sampling/rng.h"
#include "sampling/token_history.h"

namespace olla::sampling {

inline constexpr int32_t kNoToken = -1;  // Sample() found no allowed token with a finite logit

// The penalty window for `repeat_last_n`: -1 -> n_ctx, < -1 or 0 -> 0 (disabled), else itself.
int32_t PenaltyWindow(int32_t repeat_last_n, int32_t n_ctx);

class Sampler {
 public:
  // n_vocab > 0 (checked). n_ctx: the slot's context length, used only for repeat_last_n = -1.
  // A seed of -1 is replaced by one from the OS; seed() reports the one in use.
  Sampler(const SamplerOptions& options, int32_t n_vocab, int32_t n_ctx);

  // Picks the next token from `logits` ([n_vocab], checked). `allowed` is an optional mask for
  // constrained decoding ([n_vocab], checked; 0 = forbidden): forbidden tokens are treated as
  // logit -inf before the chain runs. Returns kNoToken if every token is forbidden or -inf.
  // Does not record the token: call Accept() with what is actually appended to the sequence.
  int32_t Sample(std::span<const float> logits, std::span<const uint8_t> allowed = {});

  // Picks the next token among those `constraint` allows, as llama.cpp's common_sampler_sample
  // does: the unconstrained choice is drawn first and kept if constraint.Allows() it (one cheap
  // check, the common case); otherwise the full mask is computed and the chain runs again on
  // the allowed tokens only. Returns kNoToken if nothing allowed has a finite logit.
  int32_t Sample(std::span<const float> logits, TokenConstraint& constraint);

  // Records tokens of the sequence (prompt and generated) for the repetition penalties.
  void Accept(int32_t token);
  void Accept(std::span<const int32_t> tokens);

  // Forgets the history and restarts the random sequence: a fixed seed replays the same draws,
  // a random one (-1) draws a fresh seed (as llama.cpp's dist sampler resets).
  void Reset();

  const SamplerOptions& options() const { return options_; }
  uint64_t seed() const { return seed_; }
  int32_t n_vocab() const { return n_vocab_; }
  // How often Sample(logits, constraint) had to compute the full mask (its first choice was
  // refused).
  size_t full_masks() const { return full_masks_; }

 private:
  // The chain after the candidates are filled: penalties, then greedy or the truncations.
  int32_t SampleCandidates();
  // Greedy without penalties picks the argmax of the logits: no candidates needed.
  bool PlainGreedy() const;

  SamplerOptions options_;
  int32_t n_vocab_;
  uint64_t seed_;
  Pcg32 rng_;
  TokenHistory history_;
  Candidates candidates_;       // capacity n_vocab, refilled per Sample()
  std::vector<uint64_t> mask_;  // the constraint's mask as bits, allocated on first use
  size_t full_masks_ = 0;
};

}  // namespace olla::sampling
