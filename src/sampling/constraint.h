#pragma once
// TokenConstraint: which tokens may come next, for constrained decoding. The sampler knows only
// this interface; what decides (a grammar, a list of tokens) lives elsewhere (runtime/).

#include <cstdint>
#include <vector>

namespace olla::sampling {

class TokenConstraint {
 public:
  virtual ~TokenConstraint() = default;
  // Whether `token` may come next. Called first for the sampler's unconstrained choice, so it
  // should be cheap compared to FillMask().
  virtual bool Allows(int32_t token) = 0;
  // allowed[t] = 1 if token t may come next, 0 if not; `allowed` is resized to n_vocab.
  virtual void FillMask(std::vector<uint8_t>& allowed) = 0;
};

}  // namespace olla::sampling
