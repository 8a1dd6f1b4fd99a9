// Generation with a grammar (the request's `format`) and with log-probabilities, on a
// random-weight model whose unconstrained output is gibberish.

#include <gtest/gtest.h>

#include <cmath>
#include <regex>

#include "grammar/json_schema.h"
#include "grammar/json_validator.h"
#include "runtime/generate.h"
#include "support/testdata.h"

namespace olla::runtime {
namespace {

struct Loaded {
  std::unique_ptr<engine::Model> model;
  std::unique_ptr<tokenizer::Tokenizer> tok;
  std::unique_ptr<ThreadPool> pool;
  std::unique_ptr<Sequence> seq;
};

Loaded Load(const std::string& name) {
  Loaded l;
  auto m = engine::Model::Load(testing::TestdataPath("models/" + name));
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  if (!m.ok()) return l;
  l.model = std::move(*m);
  auto t = tokenizer::Tokenizer::Create(l.model->file().metadata());
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  if (!t.ok()) return l;
  l.tok = std::make_unique<tokenizer::Tokenizer>(std::move(*t));
  l.pool = std::make_unique<ThreadPool>(2);
  auto s = Sequence::Create(*l.model, *l.tok, {}, *l.pool);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  if (s.ok()) l.seq = std::move(*s);
  return l;
}

std::string RunText(Sequence& seq, const GenerateOptions& o, GenerateStats* stats) {
  std::string out;
  auto r = seq.Generate("Once upon a time", o, [&](std::string_view t) {
    out += t;
    return true;
  });
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (r.ok()) *stats = *r;
  return out;
}

TEST(GenerateConstrainedTest, GbnfGrammarShapesTheOutputAndEndsIt) {
  Loaded l = Load("tiny-llama-q-F32.gguf");
  ASSERT_TRUE(l.seq);
  auto g = grammar::ParseGbnf(
      R"(root ::= "{\"n\": " [1-9] [0-9]{0,2} ", \"ok\": " ("true" | "false") "}")");
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  const std::regex want(R"(\{"n": [1-9][0-9]{0,2}, "ok": (true|false)\})");
  for (int64_t seed : {1, 2, 3}) {
    GenerateOptions o;
    o.sampler.seed = seed;
    o.sampler.temperature = 1.0f;
    o.num_predict = 64;
    o.grammar = *g;
    GenerateStats stats;
    const std::string text = RunText(*l.seq, o, &stats);
    EXPECT_TRUE(std::regex_match(text, want)) << text;
    EXPECT_EQ(stats.done_reason, DoneReason::kStop);  // EOS came as soon as the sentence was whole
  }
  // Without the grammar the same model does not produce it.
  GenerateOptions free;
  free.sampler.seed = 1;
  free.num_predict = 20;
  GenerateStats stats;
  EXPECT_FALSE(std::regex_match(RunText(*l.seq, free, &stats), want));
}

TEST(GenerateConstrainedTest, GreedyWithSchemaIsValidJson) {
  Loaded l = Load("tiny-llama-q-F32.gguf");
  ASSERT_TRUE(l.seq);
  const std::string schema =
      R"({"type":"object","properties":{"name":{"type":"string","maxLength":8},"age":{"type":"integer"}},"required":["name","age"]})";
  auto g = grammar::GrammarForFormat(schema);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  GenerateOptions o;
  o.sampler.temperature = 0;
  o.num_predict = 200;
  o.grammar = *g;
  GenerateStats stats;
  const std::string text = RunText(*l.seq, o, &stats);
  EXPECT_EQ(stats.done_reason, DoneReason::kStop) << text;
  EXPECT_TRUE(grammar::ValidateJson(text, schema).ok()) << text;
  // The random model's first choice is mostly refused, so most steps needed the full mask; but
  // never more than one per step (plus the final EOS).
  EXPECT_LE(stats.grammar_masks, stats.eval_count + 1);
  EXPECT_GT(stats.grammar_masks, 0u);
}

// A second request with the same format starts from the first one's Matcher (kept in the
// sequence's vocabulary tables) and gives the same answer; another format gets a new Matcher.
TEST(GenerateConstrainedTest, RepeatedFormatReusesTheMatcher) {
  Loaded l = Load("tiny-llama-q-F32.gguf");
  ASSERT_TRUE(l.seq);
  auto run = [&](const std::string& format) {
    auto g = grammar::GrammarForFormat(format);
    EXPECT_TRUE(g.ok()) << g.status().ToString();
    GenerateOptions o;
    o.sampler.temperature = 0;
    o.num_predict = 60;
    if (g.ok()) o.grammar = *g;  // compiled anew each time, as the server does per request
    GenerateStats stats;
    return RunText(*l.seq, o, &stats);
  };
  const std::string schema =
      R"({"type":"object","properties":{"a":{"type":"boolean"}},"required":["a"]})";
  const std::string first = run(schema);
  ASSERT_NE(l.seq->grammar_vocab(), nullptr);
  ASSERT_NE(l.seq->grammar_vocab()->matchers, nullptr);
  EXPECT_EQ(l.seq->grammar_vocab()->matchers->stats().misses, 1u);
  EXPECT_EQ(l.seq->grammar_vocab()->matchers->stats().hits, 0u);
  EXPECT_EQ(run(schema), first);
  EXPECT_EQ(l.seq->grammar_vocab()->matchers->stats().hits, 1u);
  run(R"("json")");
  EXPECT_EQ(l.seq->grammar_vocab()->matchers->stats().misses, 2u);
  EXPECT_EQ(l.seq->grammar_vocab()->matchers->stats().entries, 2u);
}

TEST(GenerateConstrainedTest, AgreeingModelSkipsTheMask) {
  // stories260K's greedy text under a grammar that accepts it: the first choice is always
  // allowed, so no step computes the full mask.
  Loaded l = Load("stories260K.gguf");
  ASSERT_TRUE(l.seq);
  GenerateOptions free;
  free.sampler.temperature = 0;
  free.num_predict = 30;
  GenerateStats stats;
  const std::string want = RunText(*l.seq, free, &stats);
  auto g = grammar::ParseGbnf(R"(root ::= [^\x00]*)");
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  GenerateOptions o = free;
  o.grammar = *g;
  EXPECT_EQ(RunText(*l.seq, o, &stats), want);
  EXPECT_EQ(stats.grammar_masks, 0u);
}

TEST(GenerateConstrainedTest, NumPredictCanCutConstrainedOutput) {
  // As in Ollama, the token limit wins over the grammar: the output is a prefix.
  Loaded l = Load("tiny-llama-q-F32.gguf");
  ASSERT_TRUE(l.seq);
  auto g = grammar::ParseGbnf(R"(root ::= "[" [a-z]{40} "]")");
  ASSERT_TRUE(g.ok());
  GenerateOptions o;
  o.sampler.seed = 5;
  o.num_predict = 3;
  o.grammar = *g;
  GenerateStats stats;
  const std::string text = RunText(*l.seq, o, &stats);
  EXPECT_EQ(stats.done_reason, DoneReason::kLength);
  EXPECT_EQ(stats.eval_count, 3u);
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text[0], '[');
}

TEST(GenerateConstrainedTest, LogprobsComeWithTheirTokens) {
  Loaded l = Load("stories260K.gguf");
  ASSERT_TRUE(l.seq);
  GenerateOptions o;
  o.sampler.temperature = 0;
  o.num_predict = 12;
  o.logprobs = true;
  o.top_logprobs = 3;
  std::string text, token_text;
  std::vector<Logprob> all;
  auto r = l.seq->GenerateChunks(l.tok->Tokenize("Once upon a time", true, false), o,
                                 [&](const Chunk& c) {
                                   text += c.text;
                                   for (const auto& lp : c.logprobs) {
                                     all.push_back(lp);
                                     token_text += lp.token.token;
                                   }
                                   return true;
                                 });
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(all.size(), r->eval_count);
  EXPECT_EQ(token_text, text);
  for (const auto& lp : all) {
    EXPECT_LE(lp.token.logprob, 0.0f);
    ASSERT_EQ(lp.top.size(), 3u);
    // Greedy: the generated token is the most likely one.
    EXPECT_EQ(lp.top[0].token, lp.token.token);
    EXPECT_FLOAT_EQ(lp.top[0].logprob, lp.token.logprob);
    EXPECT_GE(lp.top[0].logprob, lp.top[1].logprob);
    EXPECT_GE(lp.top[1].logprob, lp.top[2].logprob);
  }
  // Without logprobs no chunk carries any.
  o.logprobs = false;
  size_t n = 0;
  auto r2 = l.seq->GenerateChunks(l.tok->Tokenize("Once upon a time", true, false), o,
                                  [&](const Chunk& c) {
                                    n += c.logprobs.size();
                                    return true;
                                  });
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(n, 0u);
}

}  // namespace
}  // namespace olla::runtime

namespace olla::runtime {
namespace {

// ThinkingThenGrammar on the stories260K vocabulary, one byte token per character.
class ThinkingThenGrammarTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto m = engine::Model::Load(testing::TestdataPath("models/stories260K.gguf"));
    ASSERT_TRUE(m.ok());
    auto t = tokenizer::Tokenizer::Create((*m)->file().metadata());
    ASSERT_TRUE(t.ok());
    tok_ = std::make_unique<tokenizer::Tokenizer>(std::move(*t));
    vocab_ = GrammarVocab::Build(*tok_);
    auto g = grammar::ParseGbnf(R"(root ::= "{" [a-z]* "}")");
    ASSERT_TRUE(g.ok());
    grammar_ = *g;
  }
  int32_t Tok(char c) const { return tok_->vocab().ByteToken(static_cast<uint8_t>(c)); }
  bool AcceptAll(ThinkingThenGrammar& c, std::string_view text) const {
    for (char ch : text) {
      if (!c.Allows(Tok(ch)) || !c.Accept(Tok(ch))) return false;
    }
    return true;
  }
  std::unique_ptr<tokenizer::Tokenizer> tok_;
  std::shared_ptr<const GrammarVocab> vocab_;
  std::shared_ptr<const grammar::Grammar> grammar_;
};

TEST_F(ThinkingThenGrammarTest, ThinkingIsFreeAndContentFollowsTheGrammar) {
  ThinkingThenGrammar c({"<think>", "</think>", false}, GrammarConstraint(grammar_, vocab_));
  const int32_t eos = tok_->vocab().eos();
  EXPECT_FALSE(c.Allows(Tok('x')));  // content may not start outside the grammar
  EXPECT_TRUE(c.Allows(Tok('{')));
  EXPECT_TRUE(c.Allows(Tok(' ')));
  EXPECT_FALSE(c.Allows(eos));
  ASSERT_TRUE(AcceptAll(c, " <think>"));
  EXPECT_TRUE(c.Allows(Tok('X')));  // thinking is free
  EXPECT_TRUE(c.Allows(eos));
  std::vector<uint8_t> mask;
  c.FillMask(mask);
  EXPECT_EQ(mask[static_cast<size_t>(Tok('X'))], 1);
  ASSERT_TRUE(AcceptAll(c, "Hmm, JSON?</think>\n\n"));
  EXPECT_FALSE(c.Allows(Tok('H')));  // content now
  c.FillMask(mask);
  EXPECT_EQ(mask[static_cast<size_t>(Tok('H'))], 0);
  EXPECT_EQ(mask[static_cast<size_t>(Tok('{'))], 1);
  ASSERT_TRUE(AcceptAll(c, "{ab}"));
  EXPECT_TRUE(c.Allows(eos));
}

TEST_F(ThinkingThenGrammarTest, NoThinkingMeansTheGrammarFromTheStart) {
  ThinkingThenGrammar c({"<think>", "</think>", false}, GrammarConstraint(grammar_, vocab_));
  ASSERT_TRUE(AcceptAll(c, "\n{"));
  EXPECT_FALSE(c.Allows(Tok('<')));  // no thinking once the content has started
  ASSERT_TRUE(AcceptAll(c, "z}"));
  EXPECT_TRUE(c.Allows(tok_->vocab().eos()));
}

// Harmony (gpt-oss) with `format`: its control tokens are preserved as text, so they can write the
// final-channel header that starts the constrained content; everything before it is free.
TEST_F(ThinkingThenGrammarTest, PreservedSpecialTokensAreTextAndCanCloseTheFreeSpan) {
  const int32_t bos = tok_->vocab().bos();  // "<s>", a control token
  auto plain = GrammarVocab::Build(*tok_);
  EXPECT_EQ(plain->kinds[static_cast<size_t>(bos)], grammar::TokenKind::kExcluded);
  auto harmony_like = GrammarVocab::Build(*tok_, {"<s>"});
  EXPECT_EQ(harmony_like->kinds[static_cast<size_t>(bos)], grammar::TokenKind::kText);
  EXPECT_EQ(harmony_like->pieces[static_cast<size_t>(bos)], "<s>");

  ThinkingThenGrammar c({"<s>", "<s>final:", true}, GrammarConstraint(grammar_, harmony_like));
  EXPECT_TRUE(c.Allows(Tok('Q')));  // free: the analysis channel
  ASSERT_TRUE(AcceptAll(c, "Q think"));
  ASSERT_TRUE(c.Allows(bos) && c.Accept(bos));
  ASSERT_TRUE(AcceptAll(c, "final:"));
  EXPECT_FALSE(c.Allows(Tok('Q')));  // the final message follows the grammar
  EXPECT_TRUE(c.Allows(Tok('{')));
  ASSERT_TRUE(AcceptAll(c, "{q}"));
  EXPECT_TRUE(c.Allows(tok_->vocab().eos()));
}

TEST_F(ThinkingThenGrammarTest, StartInside) {
  ThinkingThenGrammar c({"<think>", "</think>", true}, GrammarConstraint(grammar_, vocab_));
  EXPECT_TRUE(c.Allows(Tok('Q')));
  ASSERT_TRUE(AcceptAll(c, "Q</think>"));
  EXPECT_FALSE(c.Allows(Tok('Q')));
  EXPECT_TRUE(c.Allows(Tok('{')));
}

}  // namespace
}  // namespace olla::runtime
