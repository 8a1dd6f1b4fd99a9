#include "sampling/rng.h"

#include <random>

namespace olla::sampling {

// PCG-XSH-RR with 64-bit state, seeded as in the reference pcg32_srandom_r: the stream selects
// one of 2^63 sequences (the increment must be odd), the seed the position within it.
void Pcg32::Seed(uint64_t seed, uint64_t stream) {
  state_ = 0;
  inc_ = (stream << 1u) | 1u;
  NextU32();
  state_ += seed;
  NextU32();
}

uint32_t Pcg32::NextU32() {
  const uint64_t old = state_;
  state_ = old * 6364136223846793005ull + inc_;
  const auto xorshifted = static_cast<uint32_t>(((old >> 18u) ^ old) >> 27u);
  const auto rot = static_cast<uint32_t>(old >> 59u);
  return (xorshifted >> rot) | (xorshifted << ((32u - rot) & 31u));
}

double Pcg32::NextDouble() {
  const uint64_t hi = NextU32();
  const uint64_t lo = NextU32();
  const uint64_t bits = ((hi << 32) | lo) >> 11;  // 53 bits: every value exact in a double
  return static_cast<double>(bits) * 0x1.0p-53;
}

uint64_t RandomSeed() {
  std::random_device dev;
  return (static_cast<uint64_t>(dev()) << 32) | dev();
}

}  // namespace olla::sampling
