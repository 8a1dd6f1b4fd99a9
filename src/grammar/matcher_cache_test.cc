// MatcherCache: a kept Matcher serves only a grammar equal to its own, starts at the beginning,
// gives the same masks as a new Matcher at every step, and the cache stays within its bounds.

#include "grammar/matcher_cache.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <random>

#include "grammar/json_schema.h"
#include "grammar/test_vocab.h"
#include "support/testdata.h"

namespace olla::grammar {
namespace {

std::shared_ptr<const Grammar> Gbnf(const char* text) {
  auto g = ParseGbnf(text);
  EXPECT_TRUE(g.ok()) << g.status().ToString();
  return *g;
}

std::vector<uint64_t> MaskOf(Matcher& m, const TokenTrie& trie) {
  std::vector<uint64_t> bits;
  m.ComputeMaskBits(trie, bits);
  return bits;
}

// Warms a Matcher for `g` on `trie` along `text` and puts it back.
void WarmAndPut(MatcherCache& cache, std::shared_ptr<const Grammar> g, const TokenTrie& trie,
                std::string_view text) {
  Matcher m = cache.Take(std::move(g));
  std::vector<uint64_t> bits;
  m.ComputeMaskBits(trie, bits);
  for (char c : text) {
    ASSERT_TRUE(m.Accept(std::string_view(&c, 1)));
    m.ComputeMaskBits(trie, bits);
  }
  cache.Put(std::move(m));
}

TEST(GrammarKeyTest, EqualContentEqualKeyAndAnyDifferenceShows) {
  EXPECT_EQ(GrammarKey(*Gbnf("root ::= \"a\" [0-9]*")), GrammarKey(*Gbnf("root ::= \"a\" [0-9]*")));
  EXPECT_NE(GrammarKey(*Gbnf("root ::= \"a\" [0-9]*")), GrammarKey(*Gbnf("root ::= \"b\" [0-9]*")));
  EXPECT_NE(GrammarKey(*Gbnf("root ::= \"a\" [0-9]*")), GrammarKey(*Gbnf("root ::= \"a\" [0-8]*")));
  EXPECT_NE(GrammarKey(*Gbnf("root ::= \"a\" [0-9]*")), GrammarKey(*Gbnf("root ::= \"a\" [0-9]+")));
}

TEST(MatcherCacheTest, EqualGrammarGetsTheWarmMatcherAtItsStart) {
  const testing::TestVocab vocab = testing::SyntheticVocab();
  const TokenTrie trie = vocab.Trie();
  MatcherCache cache;
  // Two separately compiled, equal grammars, as two requests with the same format have.
  auto a = GrammarForFormat("\"json\"");
  auto b = GrammarForFormat("\"json\"");
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_NE(a->get(), b->get());
  WarmAndPut(cache, *a, trie, "{\"k\":[1,");
  EXPECT_EQ(cache.stats().entries, 1u);

  Matcher warm = cache.Take(*b);
  EXPECT_EQ(cache.stats().hits, 1u);
  EXPECT_EQ(cache.stats().entries, 0u);  // moved out: never shared
  Matcher fresh(*b);
  const size_t hits_before = warm.stats().mask_hits;
  EXPECT_EQ(MaskOf(warm, trie), MaskOf(fresh, trie));  // at the start, not where it was left
  EXPECT_EQ(warm.stats().mask_hits, hits_before + 1);  // and from the cache
  EXPECT_FALSE(warm.Accept("]"));
  EXPECT_TRUE(warm.Accept("{"));
}

// A cache that mixed up grammars (or a key that ignored some content) would hand A's Matcher,
// with A's cached masks, to B.
TEST(MatcherCacheTest, DifferentGrammarNeverGetsAnotherGrammarsMatcher) {
  const testing::TestVocab vocab = testing::SyntheticVocab();
  const TokenTrie trie = vocab.Trie();
  MatcherCache cache;
  auto a = Gbnf("root ::= \"a\" [0-9]*");
  auto b = Gbnf("root ::= \"b\" [0-9]*");
  WarmAndPut(cache, a, trie, "a12");
  Matcher m = cache.Take(b);
  EXPECT_EQ(cache.stats().hits, 0u);
  EXPECT_EQ(cache.stats().misses, 2u);
  Matcher fresh_b(b), fresh_a(a);
  EXPECT_EQ(MaskOf(m, trie), MaskOf(fresh_b, trie));
  EXPECT_NE(MaskOf(m, trie), MaskOf(fresh_a, trie));
  EXPECT_TRUE(m.Accept("b"));
  EXPECT_FALSE(m.Accept("a"));
}

// Along random walks over a real vocabulary, through several requests reusing one Matcher,
// every mask (mostly cache hits) equals the mask of a Matcher that caches nothing: a mask kept
// for one state is never served for another.
TEST(MatcherCacheTest, WarmMasksEqualUncachedMasksAtEveryStep) {
  const std::string path = olla::testing::TestdataPath("tokenizer/ggml-vocab-llama-spm.gguf");
  auto vocab = testing::LoadGgufVocab(path);
  ASSERT_TRUE(vocab.ok()) << vocab.status().ToString();
  const TokenTrie trie = vocab->Trie();
  auto g = GrammarForFormat(
      R"({"type":"object","properties":{"name":{"type":"string","maxLength":8},)"
      R"("n":{"type":"integer"},"tags":{"type":"array","items":{"type":"string"},"maxItems":2}},)"
      R"("required":["name","n","tags"]})");
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  MatcherLimits no_cache;
  no_cache.mask_cache_bytes = 0;
  MatcherCache cache;
  std::mt19937 rng(7);
  size_t hits = 0;
  for (int request = 0; request < 4; ++request) {
    Matcher m = cache.Take(*g);
    Matcher reference(*g, no_cache);
    std::vector<uint64_t> got, want;
    for (int step = 0; step < 40; ++step) {
      m.ComputeMaskBits(trie, got);
      reference.ComputeMaskBits(trie, want);
      ASSERT_EQ(got, want) << "request " << request << " step " << step;
      std::vector<int32_t> choices;
      for (size_t w = 0; w < got.size(); ++w) {
        for (uint64_t bits = got[w]; bits != 0; bits &= bits - 1)
          choices.push_back(static_cast<int32_t>(w * 64 + std::countr_zero(bits)));
      }
      std::erase(choices, vocab->eog);
      if (choices.empty()) break;
      // Few distinct tokens per step so that walks revisit states.
      const int32_t pick = choices[rng() % std::min<size_t>(choices.size(), 3)];
      ASSERT_TRUE(m.Accept(vocab->pieces[pick]));
      ASSERT_TRUE(reference.Accept(vocab->pieces[pick]));
    }
    hits += m.stats().mask_hits;
    cache.Put(std::move(m));
  }
  EXPECT_GT(hits, 20u);  // the walks did hit the cache
  EXPECT_EQ(cache.stats().hits, 3u);
}

TEST(MatcherCacheTest, StaysWithinItsBounds) {
  const testing::TestVocab vocab = testing::SyntheticVocab();
  const TokenTrie trie = vocab.Trie();
  MatcherCacheLimits two;
  two.max_entries = 2;
  MatcherCache cache(two);
  auto a = Gbnf("root ::= \"a\"*"), b = Gbnf("root ::= \"b\"*"), c = Gbnf("root ::= \"c\"*");
  WarmAndPut(cache, a, trie, "a");
  WarmAndPut(cache, b, trie, "b");
  WarmAndPut(cache, a, trie, "aa");  // replaces a's entry, and makes b the least recent
  EXPECT_EQ(cache.stats().entries, 2u);
  WarmAndPut(cache, c, trie, "c");  // evicts b
  EXPECT_EQ(cache.stats().entries, 2u);
  const size_t misses = cache.stats().misses;
  cache.Take(a);
  cache.Take(c);
  EXPECT_EQ(cache.stats().misses, misses);
  cache.Take(b);
  EXPECT_EQ(cache.stats().misses, misses + 1);

  MatcherCacheLimits tiny;
  tiny.max_bytes = 1024;  // less than any Matcher
  MatcherCache small(tiny);
  WarmAndPut(small, a, trie, "a");
  EXPECT_EQ(small.stats().entries, 0u);
  EXPECT_EQ(small.stats().bytes, 0u);

  // The bytes of the kept Matchers add up to what the cache reports.
  MatcherCache sized;
  WarmAndPut(sized, a, trie, "a");
  Matcher m = sized.Take(a);
  const size_t bytes = m.stats().bytes;
  EXPECT_GT(bytes, 0u);
  sized.Put(std::move(m));
  EXPECT_EQ(sized.stats().bytes, bytes);
}

}  // namespace
}  // namespace olla::grammar
