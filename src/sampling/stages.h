#pragma once
// The sampler stages, one function per stage, each in its own .cc file. They follow llama.cpp's
// samplers (src/llama-sampling.cpp), which Ollama's runner configures in this order
// (spec ollama-surface.md Appendix A):
//
//   penalties -> top_k -> typical_p -> top_p -> min_p -> temperature -> dist (softmax + draw)
//
// so top_p, typical_p and min_p see the distribution at temperature 1, and temperature only
// reshapes what survives. Sampler (sampler.h) runs the chain; the stages are public for tests and
// for callers that want a different chain.
//
// Every stage keeps at least one candidate when given at least one (llama.cpp's min_keep = 1).
// Candidates carry only finite logits (FillCandidates() drops -inf and NaN). None allocates except
// TypicalP (a scratch index array) and the sorts; none is thread-safe on a shared Candidates.

#include <cstdint>
#include <span>

#include "sampling/candidates.h"
#include "sampling/rng.h"
#include "sampling/token_history.h"

namespace olla::sampling {

struct PenaltyParams {
  float repeat = 1.0f;     // repeat_penalty
  float frequency = 0.0f;  // frequency_penalty
  float presence = 0.0f;   // presence_penalty

  bool enabled() const { return repeat != 1.0f || frequency != 0.0f || presence != 0.0f; }
};

// For each candidate seen count > 0 times in `history`: a positive logit is divided by `repeat`,
// a non-positive one multiplied by it (skipped if repeat <= 0); then count * frequency + presence
// is subtracted.
// No-op when !params.enabled() or the history is empty. Keeps order; clears `sorted`.
void ApplyPenalties(Candidates& c, const TokenHistory& history, const PenaltyParams& params);

// Keeps the k best candidates, sorted. k <= 0: no-op; k >= size: sorts only.
void TopK(Candidates& c, int32_t k);

// Locally typical sampling (Meister et al. 2022): orders candidates by |-log p - H| (H the
// entropy) and keeps the shortest prefix of that order whose probability mass exceeds p.
// p >= 1: no-op. Leaves candidates in typicality order (not sorted), with p filled.
void TypicalP(Candidates& c, float p);

// Nucleus sampling: keeps the shortest prefix of the sorted candidates whose mass reaches p
// (cumulative >= p). p >= 1: no-op. Leaves candidates sorted with p filled (of the full set).
void TopP(Candidates& c, float p);

// Keeps candidates whose probability is at least p times the best one's (computed on logits:
// logit >= max_logit + log p). p <= 0: no-op. Keeps relative order.
void MinP(Candidates& c, float p);

// Divides every logit by `temperature` (> 0), clamping to finite floats. temperature <= 0 keeps
// only the best candidate, as llama.cpp's temp sampler does. Keeps order.
void ApplyTemperature(Candidates& c, float temperature);

// Sets p = softmax(logit) over the current candidates. Keeps order. No-op when empty.
void Softmax(Candidates& c);

// The best candidate's id (highest logit; lowest id on ties). -1 when empty.
int32_t Greedy(const Candidates& c);
// The same choice as FillCandidates(logits, {}) then Greedy(), without building candidates
// (two vectorizable passes over the logits instead of a 12-byte entry per token).
int32_t GreedyFromLogits(std::span<const float> logits);

// Softmax, then draws one candidate id with probability p using one rng draw. -1 when empty.
int32_t Draw(Candidates& c, Pcg32& rng);

}  // namespace olla::sampling
