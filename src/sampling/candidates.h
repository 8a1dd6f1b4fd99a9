#pragma once
// Candidates: the working set the sampler stages (stages.h) operate on, as in llama.cpp's
// llama_token_data_array. Each entry is a token id with its logit and, after Softmax(), its
// probability among the current candidates.

#include <cstdint>
#include <span>
#include <vector>

namespace olla::sampling {

struct TokenData {
  int32_t id;
  float logit;
  float p;  // valid only after Softmax() and until the next stage changes the logits or the set
};

struct Candidates {
  std::vector<TokenData> data;
  bool sorted = false;  // true when `data` is in Before() order (descending logit)

  size_t size() const { return data.size(); }
  bool empty() const { return data.empty(); }
};

// The total order every stage uses: higher logit first, then lower id (so ties resolve to the
// first index, as argmax does).
inline bool Before(const TokenData& a, const TokenData& b) {
  return a.logit > b.logit || (a.logit == b.logit && a.id < b.id);
}

// Refills `out` from `logits` ([n_vocab], id = index), in id order with p = 0. Tokens whose
// `allowed` byte is 0 are left out (the same as a logit of -inf); an empty `allowed` allows every
// token, otherwise allowed.size() must equal logits.size(). Logits of -inf and NaN are left out
// too, and +inf is clamped to the largest float, so later stages only see finite logits.
// `out` may end up empty (nothing allowed). Reuses out.data's capacity.
void FillCandidates(std::span<const float> logits, std::span<const uint8_t> allowed,
                    Candidates& out);
// The same with the mask as bits (token t allowed if bit t % 64 of allowed_bits[t / 64] is set;
// allowed_bits.size() == (logits.size() + 63) / 64, checked). Visits only the set bits, so a
// sparse mask (a grammar's structural positions) costs little on a large vocabulary.
void FillCandidatesFromBits(std::span<const float> logits, std::span<const uint64_t> allowed_bits,
                            Candidates& out);

// Sorts `c` into Before() order (a no-op if already sorted).
void SortCandidates(Candidates& c);

}  // namespace olla::sampling
