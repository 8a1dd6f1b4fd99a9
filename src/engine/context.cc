#include "engine/context.h"

#include <algorithm>
#include <new>

#include "base/str_cat.h"

namespace olla::engine {

Result<std::unique_ptr<Context>> Context::Create(const Model& model, const ContextParams& params, ThreadPool& pool) {
  if (params.n_ctx == 0 || params.n_batch == 0) return Status::InvalidArgument("n_ctx and n_batch must be positive");
  OLLA_ASSIGN_OR_RETURN(KvCache kv, KvCache::Create(model.config(), params.n_ctx, params.kv_type));
  ContextParams p = params;
  p.n_batch = std::min(p.n_batch, p.n_ctx);
  auto ctx = std::unique_ptr<Context>(new Context(model, p, pool, std::move(kv)));
  const ModelConfig& c = model.config();
  const size_t nb = p.n_batch;
  try {
    Activations& a = ctx->act_;
    a.x.resize(nb * c.n_embd);
    a.xb.resize(nb * c.n_embd);
    a.q.resize(nb * c.q_dim());
    a.k.resize(nb * c.kv_dim());
    a.v.resize(nb * c.v_dim());
    a.attn.resize(nb * c.n_head * c.head_dim_v);
    a.gate.resize(nb * c.n_ff);
    a.up.resize(nb * c.n_ff);
    a.pos.resize(nb);
  } catch (const std::bad_alloc&) {
    return Status::ResourceExhausted(StrCat("cannot allocate activations for a batch of ", nb));
  }
  return ctx;
}

Context::Context(const Model& model, const ContextParams& params, ThreadPool& pool, KvCache kv)
    : model_(model), params_(params), pool_(pool), kv_(std::move(kv)) {}

Status Context::Decode(std::span<const TokenId> tokens, bool all_logits, std::vector<float>* logits,
                       std::stop_token stop) {
  const ModelConfig& c = model_.config();
  for (TokenId t : tokens)
    if (t < 0 || static_cast<size_t>(t) >= c.n_vocab)
      return Status::InvalidArgument(StrCat("token id ", t, " is outside the vocabulary [0, ", c.n_vocab, ")"));
  if (tokens.empty()) return Status::InvalidArgument("no tokens to evaluate");
  if (n_past() + tokens.size() > n_ctx())
    return Status::ResourceExhausted(StrCat("context window full: ", n_past(), " + ", tokens.size(),
                                            " tokens exceed num_ctx ", n_ctx()));
  logits->assign(all_logits ? tokens.size() * c.n_vocab : c.n_vocab, 0.0f);
  for (size_t start = 0; start < tokens.size(); start += params_.n_batch) {
    if (stop.stop_requested()) return Status::Cancelled("evaluation cancelled");
    const size_t n = std::min(params_.n_batch, tokens.size() - start);
    const bool last_step = start + n == tokens.size();
    if (all_logits) {
      Forward(tokens.data() + start, n, 0, logits->data() + start * c.n_vocab);
    } else {
      Forward(tokens.data() + start, n, last_step ? n - 1 : n, logits->data());
    }
  }
  return Status::Ok();
}

}  // namespace olla::engine
