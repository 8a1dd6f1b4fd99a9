#include "runtime/generate.h"

#include <gtest/gtest.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "support/testdata.h"

namespace olla::runtime {
namespace {

struct Loaded {
  std::unique_ptr<engine::Model> model;
  std::unique_ptr<tokenizer::Tokenizer> tok;
};

Loaded Load(const std::string& name) {
  Loaded l;
  auto m = engine::Model::Load(testing::TestdataPath("models/" + name));
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  if (!m.ok()) return l;
  l.model = std::move(*m);
  auto t = tokenizer::Tokenizer::Create(l.model->file().metadata());
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  if (t.ok()) l.tok = std::make_unique<tokenizer::Tokenizer>(std::move(*t));
  return l;
}

GenerateOptions Greedy(int n) {
  GenerateOptions o;
  o.sampler.temperature = 0;
  o.num_predict = n;
  return o;
}

std::string Collect(Sequence& seq, std::string_view prompt, const GenerateOptions& o,
                    GenerateStats* stats = nullptr) {
  std::string out;
  auto r = seq.Generate(prompt, o, [&](std::string_view t) {
    out += t;
    return true;
  });
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (stats && r.ok()) *stats = *r;
  return out;
}

TEST(GenerateTest, Stories260KGreedy200IsByteIdenticalToReference) {
  Loaded l = Load("stories260K.gguf");
  ASSERT_TRUE(l.model && l.tok);
  ThreadPool pool(2);
  auto seq = Sequence::Create(*l.model, *l.tok, {}, pool);
  ASSERT_TRUE(seq.ok());
  GenerateStats stats;
  std::string text = Collect(**seq, "Once upon a time", Greedy(200), &stats);
  std::string want =
      testing::ReadFileOrFail(testing::TestdataPath("ref/stories260K.greedy200.txt"));
  EXPECT_EQ("Once upon a time" + text + "\n", want);
  auto j = nlohmann::json::parse(
      testing::ReadFileOrFail(testing::TestdataPath("ref/stories260K.greedy200.json")));
  auto want_ids = j["generated_tokens"].get<std::vector<TokenId>>();
  std::vector<TokenId> got_ids(
      stats.context.begin() + static_cast<std::ptrdiff_t>(stats.prompt_tokens),
      stats.context.end());
  EXPECT_EQ(got_ids, want_ids);
  EXPECT_EQ(stats.eval_count, 200u);
  EXPECT_EQ(stats.done_reason, DoneReason::kLength);
}

TEST(GenerateTest, PromptPrefixIsReusedFromTheCache) {
  Loaded l = Load("stories260K.gguf");
  ASSERT_TRUE(l.model && l.tok);
  ThreadPool pool(1);
  auto seq = Sequence::Create(*l.model, *l.tok, {}, pool);
  ASSERT_TRUE(seq.ok());
  GenerateStats first, second;
  std::string a = Collect(**seq, "Once upon a time", Greedy(8), &first);
  std::string b = Collect(**seq, "Once upon a time", Greedy(8), &second);
  EXPECT_EQ(a, b);
  EXPECT_EQ(first.prompt_evaluated, 5u);
  EXPECT_EQ(second.prompt_evaluated, 1u);  // only the last prompt token is re-evaluated
}

TEST(GenerateTest, StopSequenceEndsGenerationAndIsNotEmitted) {
  Loaded l = Load("stories260K.gguf");
  ASSERT_TRUE(l.model && l.tok);
  ThreadPool pool(1);
  auto seq = Sequence::Create(*l.model, *l.tok, {}, pool);
  ASSERT_TRUE(seq.ok());
  GenerateOptions o = Greedy(100);
  o.stop = {"Lily"};
  GenerateStats stats;
  std::string text = Collect(**seq, "Once upon a time", o, &stats);
  EXPECT_EQ(text, ", there was a little girl named ");
  EXPECT_EQ(stats.done_reason, DoneReason::kStop);
}

TEST(GenerateTest, SameSeedSameTextAndThreadCountsAgree) {
  Loaded l = Load("stories260K.gguf");
  ASSERT_TRUE(l.model && l.tok);
  GenerateOptions o;
  o.num_predict = 40;
  o.sampler.seed = 42;
  o.sampler.temperature = 0.9f;
  ThreadPool p1(1), p2(2);
  auto s1 = Sequence::Create(*l.model, *l.tok, {}, p1);
  auto s2 = Sequence::Create(*l.model, *l.tok, {}, p2);
  ASSERT_TRUE(s1.ok() && s2.ok());
  std::string a = Collect(**s1, "Once upon a time", o);
  std::string b = Collect(**s2, "Once upon a time", o);
  std::string c = Collect(**s1, "Once upon a time", o);
  EXPECT_EQ(a, c);  // same seed, same output
  EXPECT_EQ(a, b);  // row-split threading does not change any sum
  o.sampler.seed = 43;
  EXPECT_NE(Collect(**s1, "Once upon a time", o), a);
}

TEST(GenerateTest, FullContextWithoutShiftEndsWithLengthReason) {
  Loaded l = Load("stories260K.gguf");
  ASSERT_TRUE(l.model && l.tok);
  ThreadPool pool(1);
  engine::ContextParams params;
  params.n_ctx = 16;
  auto seq = Sequence::Create(*l.model, *l.tok, params, pool);
  ASSERT_TRUE(seq.ok());
  GenerateStats stats;
  GenerateOptions o = Greedy(-1);
  o.shift = false;
  Collect(**seq, "Once upon a time", o, &stats);
  EXPECT_TRUE(stats.context_full);
  EXPECT_EQ(stats.done_reason, DoneReason::kLength);
  EXPECT_EQ(stats.context_shifts, 0u);
  // 16 positions are cached; the token sampled from the last position is still emitted.
  EXPECT_EQ(stats.prompt_tokens + stats.eval_count, 17u);
  auto too_long = (*seq)->Generate(std::string(200, 'a'), o, [](std::string_view) { return true; });
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(too_long.status().message().find("longer than the context length"), std::string::npos);
}

// With shift on (the default), a full window keeps BOS + num_keep tokens, drops half of the rest
// and goes on; the token after the shift is exactly what a fresh sequence holding the kept
// tokens predicts.
TEST(GenerateTest, FullContextShiftsAndGoesOnExactly) {
  Loaded l = Load("stories260K.gguf");
  ASSERT_TRUE(l.model && l.tok);
  ThreadPool pool(1);
  engine::ContextParams params;
  params.n_ctx = 16;
  auto seq = Sequence::Create(*l.model, *l.tok, params, pool);
  ASSERT_TRUE(seq.ok());
  GenerateStats stats;
  GenerateOptions o = Greedy(13);  // the 13th token is the first one sampled after the shift
  o.num_keep = 4;
  Collect(**seq, "Once upon a time", o, &stats);  // BOS + 4 prompt tokens
  ASSERT_EQ(stats.prompt_tokens, 5u);
  ASSERT_EQ(stats.eval_count, 13u);
  EXPECT_EQ(stats.context_shifts, 1u);
  EXPECT_FALSE(stats.context_full);
  // At the shift the cache held context[0, 16); keep = 5, discard = (16 - 5) / 2 = 5.
  const std::vector<TokenId>& c = stats.context;
  std::vector<TokenId> kept(c.begin(), c.begin() + 5);
  kept.insert(kept.end(), c.begin() + 10, c.begin() + 17);  // ... and the token sampled at 16
  auto fresh = Sequence::Create(*l.model, *l.tok, params, pool);
  ASSERT_TRUE(fresh.ok());
  auto r = (*fresh)->GenerateFromTokens(kept, Greedy(1), [](std::string_view) { return true; });
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->context.size(), kept.size() + 1);
  EXPECT_EQ(r->context.back(), c[17]);

  // Long generations shift again and again.
  GenerateStats longer;
  Collect(**seq, "Once upon a time", Greedy(60), &longer);
  EXPECT_EQ(longer.eval_count, 60u);
  EXPECT_GE(longer.context_shifts, 5u);

  // Unlimited (num_predict -1) ends at 10 x num_ctx tokens, or earlier at an end-of-text token: a
  // model that never stops would otherwise shift forever.
  GenerateStats unlimited;
  Collect(**seq, "Once upon a time", Greedy(-1), &unlimited);
  EXPECT_LE(unlimited.eval_count, 160u);
  EXPECT_TRUE(unlimited.done_reason == DoneReason::kStop || unlimited.eval_count == 160u)
      << unlimited.eval_count;
}

// A prompt longer than the window keeps BOS + num_keep tokens and the most recent ones, leaving
// half the window free; truncate=false refuses it instead, naming the sizes.
TEST(GenerateTest, LongPromptIsTruncatedAfterTheKeptPrefix) {
  Loaded l = Load("stories260K.gguf");
  ASSERT_TRUE(l.model && l.tok);
  ThreadPool pool(1);
  engine::ContextParams params;
  params.n_ctx = 16;
  auto seq = Sequence::Create(*l.model, *l.tok, params, pool);
  ASSERT_TRUE(seq.ok());
  const std::string text =
      "Once upon a time there was a little girl named Lily who loved to play in the park with her "
      "dog";
  const std::vector<TokenId> prompt = l.tok->Tokenize(text, true, false);
  ASSERT_GT(prompt.size(), 16u);
  GenerateOptions o = Greedy(3);
  auto r = (*seq)->GenerateFromTokens(prompt, o, [](std::string_view) { return true; });
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // keep = BOS + 4 = 5; the prompt becomes 16 - (16 - 5) / 2 = 11 tokens.
  EXPECT_EQ(r->prompt_tokens, 11u);
  EXPECT_EQ(r->prompt_truncated, prompt.size() - 11);
  EXPECT_TRUE(std::equal(prompt.begin(), prompt.begin() + 5, r->context.begin()));
  EXPECT_TRUE(std::equal(prompt.end() - 6, prompt.end(), r->context.begin() + 5));
  EXPECT_EQ(r->eval_count, 3u);

  o.truncate = false;
  auto refused = (*seq)->GenerateFromTokens(prompt, o, [](std::string_view) { return true; });
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find(std::to_string(prompt.size()) + " tokens"),
            std::string::npos)
      << refused.status().message();
}

}  // namespace
}  // namespace olla::runtime
