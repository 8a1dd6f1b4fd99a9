#pragma once
// Grammar-constrained decoding: a model's vocabulary as the grammar matcher sees it, and the
// sampling::TokenConstraint that lets through only tokens whose bytes continue a sentence of the
// grammar (end of generation only where a sentence is complete). The grammar library never sees
// a tokenizer, and the sampler never sees a grammar (docs/ARCHITECTURE.md): this file joins them.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "grammar/grammar.h"
#include "grammar/matcher.h"
#include "grammar/matcher_cache.h"
#include "grammar/token_trie.h"
#include "sampling/constraint.h"
#include "tokenizer/tokenizer.h"

namespace olla::runtime {

// Every token's bytes (as generation emits them: no leading-space stripping) and kind: end of
// generation for the vocabulary's EOG tokens; excluded for other control, unknown and unused
// tokens; text otherwise, and so are the `preserved` special tokens (harmony's <|channel|> ...,
// which generation writes into the text), with their own text as piece. Immutable; build once per
// model and preserved set. `matchers` keeps the Matchers of finished sequences (thread-safe), so
// a later request with the same format starts warm.
struct GrammarVocab {
  std::vector<std::string> pieces;        // [n_vocab]
  std::vector<grammar::TokenKind> kinds;  // [n_vocab]
  std::unique_ptr<grammar::TokenTrie> trie;
  std::unique_ptr<grammar::MatcherCache> matchers;  // may be null: every sequence starts cold
  std::vector<std::string> preserved;               // as built

  static std::shared_ptr<const GrammarVocab> Build(const tokenizer::Tokenizer& tok,
                                                   const std::vector<std::string>& preserved = {});
};

// A constraint that follows the sequence: Accept() each token that is appended.
class SequenceConstraint : public sampling::TokenConstraint {
 public:
  // Advances past `token` (a text token); false if it is refused (nothing changes).
  virtual bool Accept(int32_t token) = 0;
};

// The position of one generated sequence in a grammar. Not thread-safe. Its Matcher comes from
// vocab.matchers and goes back there when the constraint is destroyed.
class GrammarConstraint final : public SequenceConstraint {
 public:
  GrammarConstraint(std::shared_ptr<const grammar::Grammar> grammar,
                    std::shared_ptr<const GrammarVocab> vocab);
  ~GrammarConstraint() override;
  GrammarConstraint(GrammarConstraint&&) = default;
  GrammarConstraint& operator=(GrammarConstraint&&) = delete;

  bool Allows(int32_t token) override;
  void FillMask(std::vector<uint8_t>& allowed) override;
  void FillMaskBits(std::vector<uint64_t>& words) override;
  bool Accept(int32_t token) override;

  // The same for text that is not one token (a token's tail).
  bool CanAcceptText(std::string_view text) { return matcher_->CanAccept(text); }
  bool AcceptText(std::string_view text) { return matcher_->Accept(text); }
  // The output so far is a whole sentence of the grammar.
  bool IsComplete() const { return matcher_->IsComplete(); }
  const GrammarVocab& vocab() const { return *vocab_; }

 private:
  std::shared_ptr<const GrammarVocab> vocab_;
  std::unique_ptr<grammar::Matcher> matcher_;  // null once moved from
};

// The thinking section of a thinking model's output (spec §9.6): text from `open` to `close`.
struct ThinkingSpan {
  std::string open, close;
  bool start_inside = false;  // the prompt ended with `open`
  bool empty() const { return open.empty() || close.empty(); }
};

// Structured output for thinking models (spec §3.5): the thinking section is free, and the
// content, from its first non-space character after `close` (or from the start when the output
// does not open with `open`), follows the grammar. Whitespace around the tags is free, as the
// thinking split drops it. Ending inside the thinking section is allowed.
class ThinkingThenGrammar final : public SequenceConstraint {
 public:
  ThinkingThenGrammar(ThinkingSpan span, GrammarConstraint grammar);

  bool Allows(int32_t token) override;
  void FillMask(std::vector<uint8_t>& allowed) override;  // O(n_vocab) until the content starts
  void FillMaskBits(std::vector<uint64_t>& words) override;
  bool Accept(int32_t token) override;

 private:
  enum class Phase { kBeforeOpen, kThinking, kAfterClose, kContent };
  struct Next {
    Phase phase;
    std::string buffer;
    std::string content;  // text the grammar must take (kContent only)
  };
  Next Step(std::string_view piece) const;

  ThinkingSpan span_;
  GrammarConstraint grammar_;
  Phase phase_;
  std::string buffer_;  // text not yet decided (before the open tag, or a possible close tag)
};

}  // namespace olla::runtime
