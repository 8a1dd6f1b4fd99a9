#pragma once
// Sequence: one generation slot — a model's Context plus the token history that its KV cache
// holds — and Generate(), the prompt → tokens → text loop with Ollama's options and stop rules.
// The server's scheduler and the CLI's in-process `run` both drive this.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/thread_pool.h"
#include "engine/context.h"
#include "engine/model.h"
#include "grammar/grammar.h"
#include "runtime/grammar_constraint.h"
#include "sampling/options.h"
#include "tokenizer/tokenizer.h"

namespace olla::runtime {

using engine::TokenId;

struct GenerateOptions {
  sampling::SamplerOptions sampler;
  std::vector<std::string> stop;  // never emitted; matched across token boundaries
  // Texts of special tokens that are written into the output (a parser reads them) and never end
  // generation, even when the vocabulary lists them as end-of-generation (harmony's <|end|>, as
  // llama.cpp's gpt-oss vocabulary and Ollama's PreservedTokens treat it). Unknown texts: none.
  std::vector<std::string> preserved_tokens;
  int32_t num_predict = -1;    // tokens to generate; -1: until a stop, at most 10 x num_ctx
  bool add_special = true;     // BOS etc. as the model's metadata says
  bool parse_special = false;  // true only for template-rendered text, never user content
  // When set, only output that continues a sentence of this grammar is sampled, and generation
  // ends (EOS) only where a sentence is complete (the request's `format`). num_predict or a stop
  // sequence can still cut the output short, as in Ollama.
  std::shared_ptr<const grammar::Grammar> grammar;
  // With `grammar` on a thinking model: the thinking section stays free and the grammar applies
  // to the content after it (spec §3.5). Empty: the grammar applies from the start.
  ThinkingSpan grammar_after_thinking;
  // The context window (spec §10.6). The first num_keep tokens (after BOS; -1: all) survive
  // truncation and shifting. A prompt that does not fit is cut right after them when `truncate`
  // and `shift` allow it, else refused (kInvalidArgument naming the sizes); a window that fills
  // while generating discards half of what follows them and goes on when `shift`, else
  // generation ends with done_reason "length".
  int32_t num_keep = 4;
  bool truncate = true;
  bool shift = true;
  // The caller has already run CheckPromptFits on this prompt with this window (the request
  // pipeline does, before the answer starts), so generation does not check it again.
  bool prompt_checked = false;
  bool logprobs = false;     // report each generated token's log-probability (Chunk::logprobs)
  int32_t top_logprobs = 0;  // and this many most likely alternatives (0-20)
};

// A token's log-probability as the API reports it: its text (bytes, possibly part of a UTF-8
// character; control tokens as their text) and natural-log probability at temperature 1.
struct TokenLogprob {
  std::string token;
  float logprob = 0.0f;
};
struct Logprob {
  TokenLogprob token;             // the generated token
  std::vector<TokenLogprob> top;  // the top_logprobs most likely tokens, best first
};

// A piece of output: text (whole UTF-8 characters; may be empty) and, when options.logprobs,
// the log-probabilities of the tokens that produced it (a token held back, e.g. part of a
// character or of a possible stop sequence, comes with the chunk that releases its text).
struct Chunk {
  std::string_view text;
  std::span<const Logprob> logprobs;
};

// Why generation ended, as Ollama's done_reason.
enum class DoneReason { kStop, kLength, kCancelled };
const char* DoneReasonName(DoneReason reason);  // "stop", "length", "cancel"

struct GenerateStats {
  DoneReason done_reason = DoneReason::kStop;
  bool context_full = false;    // stopped because num_ctx was reached (done_reason "length")
  size_t prompt_tokens = 0;     // tokens in the prompt as evaluated (Ollama's prompt_eval_count)
  size_t prompt_truncated = 0;  // tokens cut from a prompt too long for the window
  size_t context_shifts = 0;    // times the full window discarded old tokens to go on
  size_t prompt_evaluated = 0;  // prompt tokens actually evaluated (cache reuse skips some)
  size_t eval_count = 0;        // generated tokens
  size_t grammar_masks = 0;     // with a grammar: steps whose first choice was refused (full mask)
  std::chrono::nanoseconds prompt_eval_duration{0};
  std::chrono::nanoseconds eval_duration{0};
  std::vector<TokenId> context;  // prompt + generated ids (Ollama's `context`)
};

// Receives text as it is produced (always whole UTF-8 characters). Return false to stop.
using TextCallback = std::function<bool(std::string_view text)>;
// Receives output chunks as they are produced. Return false to stop.
using ChunkCallback = std::function<bool(const Chunk& chunk)>;

class Sequence {
 public:
  // `pool_mu`, when given, is held around every use of the context's ThreadPool (forward passes),
  // so that sequences sharing one pool (the parallel slots of a model) may run on different
  // threads: a ThreadPool runs one caller at a time. It must outlive the sequence.
  Sequence(const engine::Model& model, const tokenizer::Tokenizer& tok,
           std::unique_ptr<engine::Context> ctx, std::mutex* pool_mu = nullptr);

  static Result<std::unique_ptr<Sequence>> Create(const engine::Model& model,
                                                  const tokenizer::Tokenizer& tok,
                                                  const engine::ContextParams& params,
                                                  ThreadPool& pool, std::mutex* pool_mu = nullptr);

  // Tokenizes `prompt`, reuses the longest cached prefix, evaluates the rest, then samples until
  // EOS/EOT, a stop sequence, num_predict, a full context or `stop` is requested. A prompt that
  // does not fit in the context gives kInvalidArgument naming both sizes.
  Result<GenerateStats> Generate(std::string_view prompt, const GenerateOptions& options,
                                 const TextCallback& on_text, std::stop_token stop = {});
  // As Generate, from token ids.
  Result<GenerateStats> GenerateFromTokens(std::vector<TokenId> prompt,
                                           const GenerateOptions& options,
                                           const TextCallback& on_text, std::stop_token stop = {});
  // As GenerateFromTokens, with log-probabilities alongside the text.
  Result<GenerateStats> GenerateChunks(std::vector<TokenId> prompt, const GenerateOptions& options,
                                       const ChunkCallback& on_chunk, std::stop_token stop = {});

  // The pooled embedding of `text` (tokenized with the model's BOS/EOS/CLS/SEP). Clears this
  // slot's cache. `truncate_to`: when > 0, longer inputs are cut to that many tokens; otherwise
  // an input longer than the context is kInvalidArgument.
  Result<std::vector<float>> Embed(std::string_view text, engine::Pooling pooling, bool normalize,
                                   size_t truncate_to, size_t* n_tokens);

  const engine::Context& context() const { return *ctx_; }
  const std::vector<TokenId>& cached_tokens() const { return cached_; }
  // The vocabulary tables of constrained sampling (with the Matchers kept between requests), or
  // null before the first constrained request.
  const GrammarVocab* grammar_vocab() const { return grammar_vocab_.get(); }

 private:
  // Evaluates prompt tokens not already cached; leaves the last prompt position's logits.
  Status EvaluatePrompt(const std::vector<TokenId>& prompt, std::vector<float>* logits,
                        GenerateStats* stats, std::stop_token stop);

  const engine::Model& model_;
  const tokenizer::Tokenizer& tok_;
  // ctx_->Decode under pool_mu_ (when set).
  Status Decode(std::span<const TokenId> tokens, std::vector<float>* logits, std::stop_token stop);

  std::unique_ptr<engine::Context> ctx_;
  std::mutex* pool_mu_ = nullptr;
  std::vector<TokenId> cached_;  // tokens whose K/V are in the cache, in order
  std::shared_ptr<const GrammarVocab> grammar_vocab_;  // built on the first constrained request
};

}  // namespace olla::runtime
