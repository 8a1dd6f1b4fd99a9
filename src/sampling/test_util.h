#pragma once
// Helpers for the sampling tests only.

#include <cmath>
#include <vector>

#include "sampling/candidates.h"

namespace olla::sampling::testing {

// Candidates with ids 0..n-1 in id order.
inline Candidates MakeCandidates(const std::vector<float>& logits) {
  Candidates c;
  FillCandidates(logits, {}, c);
  return c;
}

// Logits whose softmax is exactly `probs` (up to float rounding).
inline std::vector<float> LogitsOf(const std::vector<double>& probs) {
  std::vector<float> out;
  for (double p : probs) out.push_back(static_cast<float>(std::log(p)));
  return out;
}

inline std::vector<int32_t> Ids(const Candidates& c) {
  std::vector<int32_t> out;
  for (const TokenData& t : c.data) out.push_back(t.id);
  return out;
}

inline std::vector<float> LogitValues(const Candidates& c) {
  std::vector<float> out;
  for (const TokenData& t : c.data) out.push_back(t.logit);
  return out;
}

// softmax(logits / temperature) in double.
inline std::vector<double> SoftmaxOf(const std::vector<float>& logits, double temperature = 1.0) {
  double max_l = -INFINITY;
  for (float l : logits) max_l = std::max(max_l, l / temperature);
  std::vector<double> out;
  double sum = 0.0;
  for (float l : logits) {
    out.push_back(std::exp(l / temperature - max_l));
    sum += out.back();
  }
  for (double& p : out) p /= sum;
  return out;
}

}  // namespace olla::sampling::testing
