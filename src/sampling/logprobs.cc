#include "sampling/logprobs.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "base/check.h"

namespace olla::sampling {

Logprobs ComputeLogprobs(std::span<const float> logits, int32_t token, int32_t top_n) {
  OLLA_CHECK(token >= 0 && static_cast<size_t>(token) < logits.size());
  constexpr float kNegInf = -std::numeric_limits<float>::infinity();
  auto clean = [](float x) { return std::isnan(x) ? kNegInf : x; };

  // log softmax: x - max - log(sum exp(x - max)); the sum is at least 1, so the log is safe.
  float max_logit = kNegInf;
  for (float x : logits) max_logit = std::max(max_logit, clean(x));
  double sum = 0.0;
  if (std::isfinite(max_logit)) {
    for (float x : logits) sum += std::exp(static_cast<double>(clean(x)) - max_logit);
  }
  const double log_z = std::isfinite(max_logit) ? max_logit + std::log(sum) : 0.0;
  // Degenerate rows: with +inf logits those share the mass equally; with all -inf there is none.
  double n_inf = 0.0;
  if (max_logit == std::numeric_limits<float>::infinity()) {
    for (float x : logits) n_inf += clean(x) == max_logit ? 1.0 : 0.0;
  }
  auto logprob = [&](int32_t id) {
    const float x = clean(logits[static_cast<size_t>(id)]);
    if (n_inf > 0.0) return x == max_logit ? static_cast<float>(-std::log(n_inf)) : kNegInf;
    if (max_logit == kNegInf) return kNegInf;
    return static_cast<float>(static_cast<double>(x) - log_z);
  };

  Logprobs out;
  out.token = {token, logprob(token)};
  const size_t n = std::min(static_cast<size_t>(std::max(top_n, 0)), logits.size());
  if (n == 0) return out;
  std::vector<int32_t> ids(logits.size());
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<int32_t>(i);
  auto better = [&](int32_t a, int32_t b) {
    const float la = clean(logits[static_cast<size_t>(a)]);
    const float lb = clean(logits[static_cast<size_t>(b)]);
    return la > lb || (la == lb && a < b);
  };
  std::partial_sort(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(n), ids.end(), better);
  out.top.reserve(n);
  for (size_t i = 0; i < n; ++i) out.top.push_back({ids[i], logprob(ids[i])});
  return out;
}

}  // namespace olla::sampling
