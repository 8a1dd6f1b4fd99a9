// Dispatch and scheduling of the fused attention (bodies in attention-inl.h).

#include "kernels/attention.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/attention.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "kernels/attention-inl.h"

#if HWY_ONCE
#include <algorithm>
#include <atomic>

namespace olla::kernels {
HWY_EXPORT(AttendJob);
HWY_EXPORT(AttnLanes);
HWY_EXPORT(AttnScratchFloats);

void Attention(const float* q, size_t n_tok, const int32_t* pos, const KvView& kv,
               const AttentionParams& p, float* out, ThreadPool& pool) {
  // A job is up to `lanes` queries that read one KV head: whole query groups of several tokens,
  // or, when a group is wider than the vector, part of one token's group.
  const size_t lanes = HWY_DYNAMIC_DISPATCH(AttnLanes)();
  const size_t group = p.n_head / p.n_head_kv;
  const size_t heads_per_job = std::min(group, lanes);
  const size_t head_chunks = (group + heads_per_job - 1) / heads_per_job;
  const size_t tokens_per_job = std::max<size_t>(1, lanes / heads_per_job);
  const size_t token_blocks = (n_tok + tokens_per_job - 1) / tokens_per_job;
  const size_t per_block = p.n_head_kv * head_chunks;
  const size_t n_jobs = token_blocks * per_block;
  const size_t scratch_bytes =
      HWY_DYNAMIC_DISPATCH(AttnScratchFloats)(p.head_dim, p.head_dim_v) * sizeof(float);
  // Later tokens see more keys: hand out jobs from the last token block down, first come first
  // served, so the threads finish together.
  std::atomic<size_t> next{0};
  pool.Run([&](size_t tid) {
    float* scratch = reinterpret_cast<float*>(pool.Scratch(tid, scratch_bytes));
    for (size_t job = next.fetch_add(1, std::memory_order_relaxed); job < n_jobs;
         job = next.fetch_add(1, std::memory_order_relaxed)) {
      const size_t block = token_blocks - 1 - job / per_block, rest = job % per_block;
      const size_t kvh = rest / head_chunks, chunk = rest % head_chunks;
      const size_t t0 = block * tokens_per_job, nt = std::min(tokens_per_job, n_tok - t0);
      const size_t h0 = chunk * heads_per_job, nh = std::min(heads_per_job, group - h0);
      HWY_DYNAMIC_DISPATCH(AttendJob)(q, pos, kv, p, kvh, t0, nt, h0, nh, out, scratch);
    }
  });
}

}  // namespace olla::kernels
#endif  // HWY_ONCE
