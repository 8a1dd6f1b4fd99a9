#pragma once
// Scalar reference attention: the straightforward two-pass computation (all scores, softmax as
// ops.h's SoftmaxInPlace, then the weighted sum of values), with ggml's F16 roundings of the
// query and of the probabilities for an F16 cache. The oracle of the fused kernel.

#include "kernels/attention.h"

namespace olla::kernels::ref {

// Same contract as kernels::Attention, single-threaded.
void Attention(const float* q, size_t n_tok, const int32_t* pos, const KvView& kv,
               const AttentionParams& p, float* out);

}  // namespace olla::kernels::ref
