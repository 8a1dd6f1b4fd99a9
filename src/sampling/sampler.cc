#include "sampling/sampler.h"

#include "base/check.h"
#include "sampling/stages.h"

namespace olla::sampling {

int32_t PenaltyWindow(int32_t repeat_last_n, int32_t n_ctx) {
  if (repeat_last_n == -1) return n_ctx > 0 ? n_ctx : 0;
  return repeat_last_n > 0 ? repeat_last_n : 0;
}

namespace {
uint64_t ResolveSeed(int64_t seed) {
  return seed == kRandomSeed ? RandomSeed() : static_cast<uint64_t>(seed);
}

// The history needs a window only when some penalty is on; otherwise skip the count array.
int32_t HistoryWindow(const SamplerOptions& o, int32_t n_ctx) {
  const PenaltyParams params{o.repeat_penalty, o.frequency_penalty, o.presence_penalty};
  return params.enabled() ? PenaltyWindow(o.repeat_last_n, n_ctx) : 0;
}
}  // namespace

Sampler::Sampler(const SamplerOptions& options, int32_t n_vocab, int32_t n_ctx)
    : options_(options),
      n_vocab_(n_vocab),
      seed_(ResolveSeed(options.seed)),
      rng_(seed_),
      history_(HistoryWindow(options, n_ctx), HistoryWindow(options, n_ctx) > 0 ? n_vocab : 0) {
  OLLA_CHECK(n_vocab > 0);
  candidates_.data.reserve(static_cast<size_t>(n_vocab));
}

bool Sampler::PlainGreedy() const {
  const SamplerOptions& o = options_;
  const PenaltyParams penalties{o.repeat_penalty, o.frequency_penalty, o.presence_penalty};
  return o.temperature <= 0.0f && (history_.size() == 0 || !penalties.enabled());
}

int32_t Sampler::Sample(std::span<const float> logits, std::span<const uint8_t> allowed) {
  OLLA_CHECK(logits.size() == static_cast<size_t>(n_vocab_));
  if (allowed.empty() && PlainGreedy()) return GreedyFromLogits(logits);
  FillCandidates(logits, allowed, candidates_);
  return SampleCandidates();
}

int32_t Sampler::SampleCandidates() {
  if (candidates_.empty()) return kNoToken;

  const SamplerOptions& o = options_;
  ApplyPenalties(candidates_, history_,
                 {o.repeat_penalty, o.frequency_penalty, o.presence_penalty});
  if (o.temperature <= 0.0f) return Greedy(candidates_);

  TopK(candidates_, o.top_k);
  TypicalP(candidates_, o.typical_p);
  TopP(candidates_, o.top_p);
  MinP(candidates_, o.min_p);
  ApplyTemperature(candidates_, o.temperature);
  return Draw(candidates_, rng_);
}

// The rerun reads the mask as bits and visits only the allowed tokens: where a grammar refuses
// the model's choice it usually allows few (a key, a comma), which on a 152k vocabulary is far
// cheaper than a pass over every logit.
int32_t Sampler::Sample(std::span<const float> logits, TokenConstraint& constraint) {
  const int32_t first = Sample(logits);
  if (first != kNoToken && constraint.Allows(first)) return first;
  ++full_masks_;
  constraint.FillMaskBits(mask_);
  OLLA_CHECK(mask_.size() == (static_cast<size_t>(n_vocab_) + 63) / 64);
  FillCandidatesFromBits(logits, mask_, candidates_);
  return SampleCandidates();
}

void Sampler::Accept(int32_t token) { history_.Push(token); }

void Sampler::Accept(std::span<const int32_t> tokens) {
  for (int32_t token : tokens) history_.Push(token);
}

void Sampler::Reset() {
  history_.Clear();
  if (options_.seed == kRandomSeed) seed_ = RandomSeed();
  rng_.Seed(seed_);
}

}  // namespace olla::sampling
