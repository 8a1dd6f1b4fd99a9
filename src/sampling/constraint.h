#pragma once
// TokenConstraint: which tokens may come next, for constrained decoding. The sampler knows only
// this interface; what decides (a grammar, a list of tokens) lives elsewhere (runtime/).

#include <cstddef>
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
  // The same mask as bits: bit t % 64 of words[t / 64] set if token t may come next; `words` is
  // resized to (n_vocab + 63) / 64, bits past n_vocab are 0. What the sampler asks for: it walks
  // only the set bits. The default packs FillMask(); a constraint that has bits overrides it.
  virtual void FillMaskBits(std::vector<uint64_t>& words) {
    std::vector<uint8_t> bytes;
    FillMask(bytes);
    words.assign((bytes.size() + 63) / 64, 0);
    for (size_t t = 0; t < bytes.size(); ++t) {
      if (bytes[t] != 0) words[t / 64] |= uint64_t{1} << (t % 64);
    }
  }
};

}  // namespace olla::sampling
