#include "engine/context.h"

#include <algorithm>
#include <cmath>
#include <new>

#include "base/str_cat.h"

namespace olla::engine {

Result<std::unique_ptr<Context>> Context::Create(const Model& model, const ContextParams& params,
                                                 ThreadPool& pool) {
  if (params.n_ctx == 0 || params.n_batch == 0)
    return Status::InvalidArgument("n_ctx and n_batch must be positive");
  // Encoders attend within each input (Forward's non-causal path) and need no cache.
  const size_t cache_cells = model.config().causal ? params.n_ctx : 0;
  OLLA_ASSIGN_OR_RETURN(KvCache kv, KvCache::Create(model.config(), cache_cells, params.kv_type));
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
    if (c.n_expert > 0) a.moe.ResizeFor(c, nb);
  } catch (const std::bad_alloc&) {
    return Status::ResourceExhausted(StrCat("cannot allocate activations for a batch of ", nb));
  }
  return ctx;
}

Context::Context(const Model& model, const ContextParams& params, ThreadPool& pool, KvCache kv)
    : model_(model), params_(params), pool_(pool), kv_(std::move(kv)) {}

Status Context::CheckTokens(std::span<const TokenId> tokens) const {
  const ModelConfig& c = model_.config();
  if (tokens.empty()) return Status::InvalidArgument("no tokens to evaluate");
  for (TokenId t : tokens)
    if (t < 0 || static_cast<size_t>(t) >= c.n_vocab)
      return Status::InvalidArgument(
          StrCat("token id ", t, " is outside the vocabulary [0, ", c.n_vocab, ")"));
  if (n_past() + tokens.size() > n_ctx())
    return Status::ResourceExhausted(StrCat("context window full: ", n_past(), " + ", tokens.size(),
                                            " tokens exceed num_ctx ", n_ctx()));
  if (c.n_pos_max != 0 && n_past() + tokens.size() > c.n_pos_max)
    return Status::InvalidArgument(StrCat("input of ", n_past() + tokens.size(),
                                          " tokens exceeds the model's ", c.n_pos_max,
                                          " positions"));
  return Status::Ok();
}

Status Context::Decode(std::span<const TokenId> tokens, bool all_logits, std::vector<float>* logits,
                       std::stop_token stop) {
  const ModelConfig& c = model_.config();
  if (!c.output_head)
    return Status::Unsupported(StrCat(
        "this ", c.arch, " model has no output head (an embedding model): it cannot generate"));
  OLLA_RETURN_IF_ERROR(CheckTokens(tokens));
  logits->assign(all_logits ? tokens.size() * c.n_vocab : c.n_vocab, 0.0f);
  for (size_t start = 0; start < tokens.size(); start += params_.n_batch) {
    if (stop.stop_requested()) return Status::Cancelled("evaluation cancelled");
    const size_t n = std::min(params_.n_batch, tokens.size() - start);
    const float* hidden = Forward(tokens.data() + start, n);
    if (all_logits) {
      Logits(hidden, n, logits->data() + start * c.n_vocab);
    } else if (start + n == tokens.size()) {
      Logits(hidden + (n - 1) * c.n_embd, 1, logits->data());
    }
  }
  return Status::Ok();
}

Status Context::Embed(std::span<const TokenId> tokens, Pooling pooling, bool normalize,
                      std::vector<float>* out, std::stop_token stop) {
  const ModelConfig& c = model_.config();
  kv_.Truncate(0);
  OLLA_RETURN_IF_ERROR(CheckTokens(tokens));
  const size_t n = tokens.size(), n_embd = c.n_embd;
  if (n > params_.n_batch)
    return Status::InvalidArgument(StrCat("input of ", n, " tokens exceeds the batch size ",
                                          params_.n_batch,
                                          " (num_batch); embeddings are computed in one batch"));
  if (stop.stop_requested()) return Status::Cancelled("evaluation cancelled");
  const float* hidden = Forward(tokens.data(), n);
  kv_.Truncate(0);

  switch (pooling) {
    case Pooling::kNone:
      out->assign(hidden, hidden + n * n_embd);
      break;
    case Pooling::kCls:
      out->assign(hidden, hidden + n_embd);
      break;
    case Pooling::kLast:
      out->assign(hidden + (n - 1) * n_embd, hidden + n * n_embd);
      break;
    case Pooling::kMean: {
      std::vector<double> sum(n_embd, 0.0);
      for (size_t t = 0; t < n; ++t)
        for (size_t i = 0; i < n_embd; ++i) sum[i] += hidden[t * n_embd + i];
      out->resize(n_embd);
      for (size_t i = 0; i < n_embd; ++i)
        (*out)[i] = static_cast<float>(sum[i] / static_cast<double>(n));
      break;
    }
  }
  if (c.dense_out) {  // each embedding through two bias-free projections, as llama.cpp's
                      // build_dense_out (after pooling, or per token without it)
    const ModelWeights& w = model_.weights();
    const size_t rows = out->size() / n_embd;
    std::vector<float> mid(rows * w.dense_2.n_rows);
    kernels::MatMul(w.dense_2, out->data(), rows, mid.data(), pool_);
    kernels::MatMul(w.dense_3, mid.data(), rows, out->data(), pool_);
  }
  if (normalize) {
    for (size_t row = 0; row < out->size() / n_embd; ++row) {
      float* v = out->data() + row * n_embd;
      double norm2 = 0;
      for (size_t i = 0; i < n_embd; ++i) norm2 += static_cast<double>(v[i]) * v[i];
      const float inv = norm2 > 0 ? static_cast<float>(1.0 / std::sqrt(norm2)) : 0.0f;
      for (size_t i = 0; i < n_embd; ++i) v[i] *= inv;
    }
  }
  return Status::Ok();
}

}  // namespace olla::engine
