// Repetition, frequency and presence penalties, as llama.cpp's penalties sampler applies them
// (the repetition penalty from CTRL, Keskar et al. 2019; frequency/presence from OpenAI's API).
#include "sampling/stages.h"

namespace olla::sampling {

void ApplyPenalties(Candidates& c, const TokenHistory& history, const PenaltyParams& params) {
  if (!params.enabled() || history.size() == 0) return;
  for (TokenData& cand : c.data) {
    const int32_t count = history.Count(cand.id);
    if (count == 0) continue;
    // Dividing a negative logit would raise it, so the penalty multiplies those instead: either
    // way the token becomes less likely for repeat > 1.
    // A repeat penalty <= 0 is meaningless (and would divide by zero); it is skipped.
    if (params.repeat > 0.0f) {
      if (cand.logit <= 0.0f) {
        cand.logit *= params.repeat;
      } else {
        cand.logit /= params.repeat;
      }
    }
    cand.logit -= static_cast<float>(count) * params.frequency + params.presence;
  }
  c.sorted = false;
}

}  // namespace olla::sampling
