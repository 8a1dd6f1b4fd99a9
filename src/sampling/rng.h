#pragma once
// Pcg32: a small seeded generator (O'Neill's PCG-XSH-RR 64/32). We use our own instead of
// std::mt19937 + <random> distributions so that a seed gives the same draws with any standard
// library: the distributions of <random> are implementation-defined.

#include <cstdint>

namespace olla::sampling {

class Pcg32 {
 public:
  explicit Pcg32(uint64_t seed, uint64_t stream = 0x5851F42D4C957F2Dull) { Seed(seed, stream); }

  void Seed(uint64_t seed, uint64_t stream = 0x5851F42D4C957F2Dull);
  uint32_t NextU32();
  // Uniform in [0, 1), with 53 random bits.
  double NextDouble();

 private:
  uint64_t state_ = 0;
  uint64_t inc_ = 1;
};

// A seed from the OS (std::random_device), for `seed: -1`.
uint64_t RandomSeed();

}  // namespace olla::sampling
