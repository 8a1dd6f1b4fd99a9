#include "runtime/grammar_constraint.h"

#include <algorithm>

#include "base/check.h"

namespace olla::runtime {

std::shared_ptr<const GrammarVocab> GrammarVocab::Build(const tokenizer::Tokenizer& tok,
                                                        const std::vector<std::string>& preserved) {
  auto v = std::make_shared<GrammarVocab>();
  v->preserved = preserved;
  const tokenizer::Vocab& vocab = tok.vocab();
  const size_t n = vocab.size();
  v->pieces.resize(n);
  v->kinds.resize(n, grammar::TokenKind::kText);
  for (size_t i = 0; i < n; ++i) {
    const auto id = static_cast<tokenizer::TokenId>(i);
    if (!preserved.empty() && vocab.IsSpecial(id) &&
        std::find(preserved.begin(), preserved.end(), tok.TokenToPiece(id)) != preserved.end()) {
      v->pieces[i] = tok.TokenToPiece(id);  // written into the text like any other piece
    } else if (vocab.IsEog(id)) {
      v->kinds[i] = grammar::TokenKind::kEndOfGeneration;
    } else if (vocab.IsSpecial(id) || vocab.Type(id) == tokenizer::TokenType::kUnused) {
      v->kinds[i] = grammar::TokenKind::kExcluded;
    } else {
      v->pieces[i] = tok.TokenToPiece(id, /*render_special=*/false);
      if (v->pieces[i].empty()) v->kinds[i] = grammar::TokenKind::kExcluded;
    }
  }
  const std::vector<std::string_view> views(v->pieces.begin(), v->pieces.end());
  v->trie = std::make_unique<grammar::TokenTrie>(views, v->kinds);
  v->matchers = std::make_unique<grammar::MatcherCache>();
  return v;
}

GrammarConstraint::GrammarConstraint(std::shared_ptr<const grammar::Grammar> grammar,
                                     std::shared_ptr<const GrammarVocab> vocab)
    : vocab_(std::move(vocab)) {
  OLLA_CHECK(vocab_ != nullptr && vocab_->trie != nullptr);
  matcher_ = std::make_unique<grammar::Matcher>(vocab_->matchers
                                                    ? vocab_->matchers->Take(std::move(grammar))
                                                    : grammar::Matcher(std::move(grammar)));
}

GrammarConstraint::~GrammarConstraint() {
  if (matcher_ && vocab_ && vocab_->matchers) vocab_->matchers->Put(std::move(*matcher_));
}

bool GrammarConstraint::Allows(int32_t token) {
  if (token < 0 || static_cast<size_t>(token) >= vocab_->kinds.size()) return false;
  switch (vocab_->kinds[static_cast<size_t>(token)]) {
    case grammar::TokenKind::kEndOfGeneration:
      return matcher_->IsComplete();
    case grammar::TokenKind::kExcluded:
      return false;
    case grammar::TokenKind::kText:
      return matcher_->CanAccept(vocab_->pieces[static_cast<size_t>(token)]);
  }
  return false;
}

void GrammarConstraint::FillMask(std::vector<uint8_t>& allowed) {
  matcher_->ComputeMask(*vocab_->trie, allowed);
}

void GrammarConstraint::FillMaskBits(std::vector<uint64_t>& words) {
  matcher_->ComputeMaskBits(*vocab_->trie, words);
}

bool GrammarConstraint::Accept(int32_t token) {
  if (token < 0 || static_cast<size_t>(token) >= vocab_->kinds.size()) return false;
  if (vocab_->kinds[static_cast<size_t>(token)] != grammar::TokenKind::kText) return false;
  return matcher_->Accept(vocab_->pieces[static_cast<size_t>(token)]);
}

namespace {
std::string_view TrimLeft(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
    s.remove_prefix(1);
  return s;
}
}  // namespace

ThinkingThenGrammar::ThinkingThenGrammar(ThinkingSpan span, GrammarConstraint grammar)
    : span_(std::move(span)),
      grammar_(std::move(grammar)),
      phase_(span_.empty()        ? Phase::kContent
             : span_.start_inside ? Phase::kThinking
                                  : Phase::kBeforeOpen) {}

ThinkingThenGrammar::Next ThinkingThenGrammar::Step(std::string_view piece) const {
  Next n{phase_, buffer_ + std::string(piece), ""};
  if (n.phase == Phase::kBeforeOpen) {
    const std::string_view t = TrimLeft(n.buffer);
    if (t.empty() || (std::string_view(span_.open).starts_with(t) && t.size() < span_.open.size()))
      return n;
    if (!t.starts_with(span_.open)) {
      n.content = std::string(t);
      n.phase = Phase::kContent;
      n.buffer.clear();
      return n;
    }
    n.buffer = std::string(t.substr(span_.open.size()));
    n.phase = Phase::kThinking;
  }
  if (n.phase == Phase::kThinking) {
    const size_t i = n.buffer.find(span_.close);
    if (i == std::string::npos) {
      // Keep only what may still begin the close tag.
      const size_t keep = std::min(n.buffer.size(), span_.close.size() - 1);
      n.buffer.erase(0, n.buffer.size() - keep);
      return n;
    }
    n.buffer.erase(0, i + span_.close.size());
    n.phase = Phase::kAfterClose;
  }
  if (n.phase == Phase::kAfterClose) {
    const std::string_view t = TrimLeft(n.buffer);
    if (t.empty()) return n;  // whitespace after the close tag is free (the split drops it)
    n.content = std::string(t);
    n.phase = Phase::kContent;
    n.buffer.clear();
  }
  return n;
}

bool ThinkingThenGrammar::Allows(int32_t token) {
  if (phase_ == Phase::kContent) return grammar_.Allows(token);
  const GrammarVocab& v = grammar_.vocab();
  if (token < 0 || static_cast<size_t>(token) >= v.kinds.size()) return false;
  switch (v.kinds[static_cast<size_t>(token)]) {
    case grammar::TokenKind::kEndOfGeneration:
      return phase_ == Phase::kThinking || grammar_.IsComplete();
    case grammar::TokenKind::kExcluded:
      return false;
    case grammar::TokenKind::kText:
      break;
  }
  const Next n = Step(v.pieces[static_cast<size_t>(token)]);
  return n.content.empty() || grammar_.CanAcceptText(n.content);
}

void ThinkingThenGrammar::FillMask(std::vector<uint8_t>& allowed) {
  if (phase_ == Phase::kContent) return grammar_.FillMask(allowed);
  const size_t n_vocab = grammar_.vocab().kinds.size();
  allowed.resize(n_vocab);
  for (size_t t = 0; t < n_vocab; ++t) allowed[t] = Allows(static_cast<int32_t>(t)) ? 1 : 0;
}

void ThinkingThenGrammar::FillMaskBits(std::vector<uint64_t>& words) {
  if (phase_ == Phase::kContent) return grammar_.FillMaskBits(words);
  SequenceConstraint::FillMaskBits(words);  // packs FillMask()
}

bool ThinkingThenGrammar::Accept(int32_t token) {
  if (phase_ == Phase::kContent) return grammar_.Accept(token);
  const GrammarVocab& v = grammar_.vocab();
  if (token < 0 || static_cast<size_t>(token) >= v.kinds.size() ||
      v.kinds[static_cast<size_t>(token)] != grammar::TokenKind::kText)
    return false;
  Next n = Step(v.pieces[static_cast<size_t>(token)]);
  if (!n.content.empty() && !grammar_.AcceptText(n.content)) return false;
  phase_ = n.phase;
  buffer_ = std::move(n.buffer);
  return true;
}

}  // namespace olla::runtime
