#include "runtime/generate.h"

#include <algorithm>

#include "base/str_cat.h"
#include "runtime/context_window.h"
#include "runtime/grammar_constraint.h"
#include "sampling/logprobs.h"
#include "sampling/sampler.h"
#include "sampling/stop_matcher.h"
#include "tokenizer/streaming.h"

namespace olla::runtime {

using Clock = std::chrono::steady_clock;

const char* DoneReasonName(DoneReason reason) {
  switch (reason) {
    case DoneReason::kStop:
      return "stop";
    case DoneReason::kLength:
      return "length";
    case DoneReason::kCancelled:
      return "cancel";
  }
  return "stop";
}

Sequence::Sequence(const engine::Model& model, const tokenizer::Tokenizer& tok,
                   std::unique_ptr<engine::Context> ctx, std::mutex* pool_mu)
    : model_(model), tok_(tok), ctx_(std::move(ctx)), pool_mu_(pool_mu) {}

Result<std::unique_ptr<Sequence>> Sequence::Create(const engine::Model& model,
                                                   const tokenizer::Tokenizer& tok,
                                                   const engine::ContextParams& params,
                                                   ThreadPool& pool, std::mutex* pool_mu) {
  OLLA_ASSIGN_OR_RETURN(auto ctx, engine::Context::Create(model, params, pool));
  return std::make_unique<Sequence>(model, tok, std::move(ctx), pool_mu);
}

Status Sequence::Decode(std::span<const TokenId> tokens, std::vector<float>* logits,
                        std::stop_token stop) {
  std::unique_lock<std::mutex> lock;
  if (pool_mu_) lock = std::unique_lock<std::mutex>(*pool_mu_);
  return ctx_->Decode(tokens, false, logits, stop);
}

Status Sequence::EvaluatePrompt(const std::vector<TokenId>& prompt, std::vector<float>* logits,
                                GenerateStats* stats, std::stop_token stop) {
  // Reuse the cached prefix, but always evaluate at least the last prompt token: its logits are
  // needed to sample the first new token.
  size_t common = 0;
  while (common < cached_.size() && common < prompt.size() && cached_[common] == prompt[common])
    ++common;
  if (common == prompt.size()) --common;
  ctx_->Truncate(common);
  cached_.resize(common);
  const auto start = Clock::now();
  std::span<const TokenId> rest(prompt.data() + common, prompt.size() - common);
  Status s = Decode(rest, logits, stop);
  cached_.assign(prompt.begin(), prompt.begin() + static_cast<std::ptrdiff_t>(ctx_->n_past()));
  if (!s.ok()) return s;
  stats->prompt_evaluated = rest.size();
  stats->prompt_eval_duration = Clock::now() - start;
  return Status::Ok();
}

Result<GenerateStats> Sequence::Generate(std::string_view prompt, const GenerateOptions& options,
                                         const TextCallback& on_text, std::stop_token stop) {
  std::vector<TokenId> ids = tok_.Tokenize(prompt, options.add_special, options.parse_special);
  return GenerateFromTokens(std::move(ids), options, on_text, stop);
}

Result<GenerateStats> Sequence::GenerateFromTokens(std::vector<TokenId> prompt,
                                                   const GenerateOptions& options,
                                                   const TextCallback& on_text,
                                                   std::stop_token stop) {
  return GenerateChunks(
      std::move(prompt), options, [&](const Chunk& c) { return c.text.empty() || on_text(c.text); },
      stop);
}

namespace {
TokenLogprob ToTokenLogprob(const tokenizer::Tokenizer& tok, const sampling::TokenLogprob& lp) {
  return {tok.TokenToPiece(lp.id), lp.logprob};
}
}  // namespace

Result<GenerateStats> Sequence::GenerateChunks(std::vector<TokenId> prompt,
                                               const GenerateOptions& options,
                                               const ChunkCallback& on_chunk,
                                               std::stop_token stop) {
  GenerateStats stats;
  if (prompt.empty()) return Status::InvalidArgument("the prompt has no tokens");
  const size_t n_ctx = ctx_->n_ctx();
  const bool starts_with_bos =
      tok_.vocab().bos() != tokenizer::kNoToken && prompt.front() == tok_.vocab().bos();
  if (!options.prompt_checked)
    OLLA_RETURN_IF_ERROR(CheckPromptFits(prompt.size(), n_ctx, options.truncate, options.shift));
  if (prompt.size() >= n_ctx) {
    const size_t keep = ProtectedPrefix(options.num_keep, starts_with_bos, prompt.size(), n_ctx);
    stats.prompt_truncated = PromptTokensToDrop(prompt.size(), n_ctx, keep);
    prompt = WithoutRange(prompt, keep, stats.prompt_truncated);
  }
  stats.prompt_tokens = prompt.size();
  // num_predict < 0 means "until the end", capped at 10 x num_ctx as Ollama does (§10.1): with
  // context shift a model that never emits EOS would otherwise generate forever.
  const size_t max_tokens =
      options.num_predict >= 0 ? static_cast<size_t>(options.num_predict) : 10 * n_ctx;
  std::vector<float> logits;
  Status s = EvaluatePrompt(prompt, &logits, &stats, stop);
  if (s.code() == StatusCode::kCancelled) {
    stats.done_reason = DoneReason::kCancelled;
    return stats;
  }
  OLLA_RETURN_IF_ERROR(s);

  const auto& cfg = model_.config();
  sampling::Sampler sampler(options.sampler, static_cast<int32_t>(cfg.n_vocab),
                            static_cast<int32_t>(ctx_->n_ctx()));
  sampler.Accept(prompt);
  std::unique_ptr<SequenceConstraint> grammar;
  if (options.grammar) {
    if (!grammar_vocab_ || grammar_vocab_->preserved != options.preserved_tokens)
      grammar_vocab_ = GrammarVocab::Build(tok_, options.preserved_tokens);
    GrammarConstraint g(options.grammar, grammar_vocab_);
    if (options.grammar_after_thinking.empty())
      grammar = std::make_unique<GrammarConstraint>(std::move(g));
    else
      grammar = std::make_unique<ThinkingThenGrammar>(options.grammar_after_thinking, std::move(g));
  }
  sampling::StopMatcher stops(options.stop);
  std::vector<TokenId> preserved;
  for (const std::string& text : options.preserved_tokens) {
    const TokenId id = tok_.vocab().Find(text);
    if (id != tokenizer::kNoToken) preserved.push_back(id);
  }
  auto is_preserved = [&](TokenId id) {
    return std::find(preserved.begin(), preserved.end(), id) != preserved.end();
  };
  tokenizer::DetokenizeOptions detok;
  detok.strip_leading_space = false;  // the prompt came before: keep the generated text's spaces
  tokenizer::StreamingDetokenizer stream(tok_, detok);
  stats.context = prompt;

  const auto start = Clock::now();
  bool keep_going = true;
  std::vector<Logprob> pending;  // log-probs of tokens whose text has not been released yet
  auto deliver = [&](std::string_view text) {
    if (text.empty() && pending.empty()) return true;
    const bool ok = on_chunk(Chunk{text, pending});
    pending.clear();
    return ok;
  };
  auto emit = [&](const std::string& text) {
    if (text.empty() || !keep_going) return;
    auto r = stops.Feed(text);
    if (!r.text.empty() && !deliver(r.text)) keep_going = false;
    if (r.stopped) {
      pending.clear();  // the tokens of the stop sequence are not part of the output
      keep_going = false;
    }
  };
  while (keep_going) {
    if (stats.eval_count >= max_tokens) {
      stats.done_reason = DoneReason::kLength;
      break;
    }
    if (stop.stop_requested()) {
      stats.done_reason = DoneReason::kCancelled;
      break;
    }
    TokenId next = grammar ? sampler.Sample(logits, *grammar) : sampler.Sample(logits);
    if (next == sampling::kNoToken || (tok_.vocab().IsEog(next) && !is_preserved(next))) break;
    if (grammar && !grammar->Accept(next)) break;  // unreachable: the sampler asked the grammar
    if (options.logprobs) {
      const sampling::Logprobs lp = sampling::ComputeLogprobs(logits, next, options.top_logprobs);
      Logprob out{ToTokenLogprob(tok_, lp.token), {}};
      for (const auto& t : lp.top) out.top.push_back(ToTokenLogprob(tok_, t));
      pending.push_back(std::move(out));
    }
    sampler.Accept(next);
    stats.context.push_back(next);
    ++stats.eval_count;
    if (is_preserved(next)) {
      emit(stream.Flush());  // text before the token goes first
      emit(tok_.TokenToPiece(next, /*render_special=*/true));
    } else {
      emit(stream.Push(next));
    }
    if (!keep_going) break;
    if (ctx_->n_past() >= n_ctx && !options.shift) {
      stats.done_reason = DoneReason::kLength;
      stats.context_full = true;
      break;
    }
    Status ds;
    if (ctx_->n_past() >= n_ctx) {
      // Context shift: drop half of what follows the protected prefix and evaluate the rest again
      // at its new positions (exact, where re-rotating the cached keys would round them).
      const size_t keep = ProtectedPrefix(options.num_keep, starts_with_bos, cached_.size(), n_ctx);
      std::vector<TokenId> shifted =
          WithoutRange(cached_, keep, ShiftDiscard(cached_.size(), keep));
      shifted.push_back(next);
      GenerateStats shift_stats;
      ds = EvaluatePrompt(shifted, &logits, &shift_stats, stop);
      ++stats.context_shifts;
    } else {
      ds = Decode(std::span<const TokenId>(&next, 1), &logits, stop);
      if (ds.ok()) cached_.push_back(next);
    }
    if (ds.code() == StatusCode::kCancelled) {
      stats.done_reason = DoneReason::kCancelled;
      break;
    }
    OLLA_RETURN_IF_ERROR(ds);
  }
  stats.eval_duration = Clock::now() - start;
  stats.grammar_masks = sampler.full_masks();
  if (keep_going || !stops.stopped()) {
    emit(stream.Flush());
    std::string rest = stops.Flush();
    if (keep_going) deliver(rest);
  }
  return stats;
}

Result<std::vector<float>> Sequence::Embed(std::string_view text, engine::Pooling pooling,
                                           bool normalize, size_t truncate_to, size_t* n_tokens) {
  std::vector<TokenId> ids = tok_.Tokenize(text, true, false);
  const size_t limit = std::min(
      ctx_->n_ctx(), model_.config().n_ctx_train ? model_.config().n_ctx_train : ctx_->n_ctx());
  if (ids.size() > limit) {
    if (truncate_to == 0)
      return Status::InvalidArgument("the input length exceeds the context length");
    ids.resize(std::min(limit, truncate_to));
  }
  if (ids.empty()) return Status::InvalidArgument("the input has no tokens");
  cached_.clear();
  ctx_->Truncate(0);
  std::vector<float> out;
  {
    std::unique_lock<std::mutex> lock;
    if (pool_mu_) lock = std::unique_lock<std::mutex>(*pool_mu_);
    OLLA_RETURN_IF_ERROR(ctx_->Embed(ids, pooling, normalize, &out));
  }
  if (n_tokens) *n_tokens = ids.size();
  return out;
}

}  // namespace olla::runtime
