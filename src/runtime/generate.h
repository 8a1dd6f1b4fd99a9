#pragma once
// Sequence: one generation slot — a model's Context plus the token history that its KV cache
// holds — and Generate(), the prompt → tokens → text loop with Ollama's options and stop rules.
// The server's scheduler and the CLI's in-process `run` both drive this.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/thread_pool.h"
#include "engine/context.h"
#include "engine/model.h"
#include "sampling/options.h"
#include "tokenizer/tokenizer.h"

namespace olla::runtime {

using engine::TokenId;

struct GenerateOptions {
  sampling::SamplerOptions sampler;
  std::vector<std::string> stop;  // never emitted; matched across token boundaries
  int32_t num_predict = -1;       // tokens to generate; -1: until a stop or the context is full
  bool add_special = true;        // BOS etc. as the model's metadata says
  bool parse_special = false;     // true only for template-rendered text, never user content
};

// Why generation ended, as Ollama's done_reason.
enum class DoneReason { kStop, kLength, kCancelled };
const char* DoneReasonName(DoneReason reason);  // "stop", "length", "cancel"

struct GenerateStats {
  DoneReason done_reason = DoneReason::kStop;
  bool context_full = false;     // stopped because num_ctx was reached (done_reason "length")
  size_t prompt_tokens = 0;      // tokens in the prompt (Ollama's prompt_eval_count)
  size_t prompt_evaluated = 0;   // prompt tokens actually evaluated (cache reuse skips some)
  size_t eval_count = 0;         // generated tokens
  std::chrono::nanoseconds prompt_eval_duration{0};
  std::chrono::nanoseconds eval_duration{0};
  std::vector<TokenId> context;  // prompt + generated ids (Ollama's `context`)
};

// Receives text as it is produced (always whole UTF-8 characters). Return false to stop.
using TextCallback = std::function<bool(std::string_view text)>;

class Sequence {
 public:
  Sequence(const engine::Model& model, const tokenizer::Tokenizer& tok, std::unique_ptr<engine::Context> ctx);

  static Result<std::unique_ptr<Sequence>> Create(const engine::Model& model, const tokenizer::Tokenizer& tok,
                                                  const engine::ContextParams& params, ThreadPool& pool);

  // Tokenizes `prompt`, reuses the longest cached prefix, evaluates the rest, then samples until
  // EOS/EOT, a stop sequence, num_predict, a full context or `stop` is requested. A prompt that
  // does not fit in the context gives kResourceExhausted naming both sizes.
  Result<GenerateStats> Generate(std::string_view prompt, const GenerateOptions& options, const TextCallback& on_text,
                                 std::stop_token stop = {});
  // As Generate, from token ids.
  Result<GenerateStats> GenerateFromTokens(std::vector<TokenId> prompt, const GenerateOptions& options,
                                           const TextCallback& on_text, std::stop_token stop = {});

  // The pooled embedding of `text` (tokenized with the model's BOS/EOS/CLS/SEP). Clears this
  // slot's cache. `truncate_to`: when > 0, longer inputs are cut to that many tokens; otherwise
  // an input longer than the context is kInvalidArgument.
  Result<std::vector<float>> Embed(std::string_view text, engine::Pooling pooling, bool normalize, size_t truncate_to,
                                   size_t* n_tokens);

  const engine::Context& context() const { return *ctx_; }
  const std::vector<TokenId>& cached_tokens() const { return cached_; }

 private:
  // Evaluates prompt tokens not already cached; leaves the last prompt position's logits.
  Status EvaluatePrompt(const std::vector<TokenId>& prompt, std::vector<float>* logits, GenerateStats* stats,
                        std::stop_token stop);

  const engine::Model& model_;
  const tokenizer::Tokenizer& tok_;
  std::unique_ptr<engine::Context> ctx_;
  std::vector<TokenId> cached_;  // tokens whose K/V are in the cache, in order
};

}  // namespace olla::runtime
