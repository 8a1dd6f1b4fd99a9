#pragma once
// The mixture-of-experts FFN (qwen3moe, Mixtral, gpt-oss): one implementation for every family,
// whose differences (gating rule, renormalization, biases, activation) are ModelConfig data.
// Tokens are grouped by expert, so each chosen expert's weights are read once per batch and the
// experts no token chose are not read at all: a generated token costs its k active experts.

#include <cstdint>
#include <vector>

#include "base/thread_pool.h"
#include "engine/model_config.h"
#include "engine/weights.h"

namespace olla::engine {

// Buffers for a batch of up to n_batch tokens, sized by ResizeFor.
struct MoeScratch {
  std::vector<float> input;     // [n_batch, n_embd] a copy of x (x and out may alias)
  std::vector<float> logits;    // [n_batch, n_expert] router output
  std::vector<int32_t> chosen;  // [n_batch, n_expert_used] expert of each slot
  std::vector<float> weight;    // [n_batch, n_expert_used] its weight
  std::vector<float> xs;        // [n_batch, n_embd] the input rows routed to one expert
  std::vector<float> gate, up;  // [n_batch, n_ff_exp]
  std::vector<float> down;      // [n_batch, n_embd]
  std::vector<uint32_t> token;  // [n * n_expert_used] routed tokens, grouped by expert
  std::vector<float> token_w;   // and their weights
  std::vector<size_t> first;    // [n_expert + 1] where each expert's group starts
  std::vector<size_t> next;     // [n_expert] filling cursor

  void ResizeFor(const ModelConfig& c, size_t n_batch);
};

// out[t, :] = sum over the experts chosen for token t of weight · expert(x[t, :]).
// x, out: [n, n_embd], may alias; n ≤ the n_batch of ResizeFor.
void MoeFfn(const ModelConfig& c, const LayerWeights& lw, const float* x, size_t n, float* out,
            MoeScratch& s, ThreadPool& pool);

// The experts chosen for one token's router logits, and their weights, by c's gating rule.
// logits: [n_expert] (modified: softmaxed for kSoftmax); chosen, weight: [n_expert_used].
void RouteToken(const ModelConfig& c, float* logits, int32_t* chosen, float* weight);

}  // namespace olla::engine
