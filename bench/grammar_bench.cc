// grammar_bench: the cost of grammar-constrained sampling per generated token.
//
//   grammar_bench [TESTDATA_DIR] [N_TOKENS]
//
// For the 512-token stories260K vocabulary and the 32000-token llama SPM vocabulary, and for
// `format: "json"` and two schemas, it records a token sequence (a random walk over allowed
// tokens, steered to the end after N_TOKENS), then replays it and times, per token,
// ComputeMaskBits() (the mask as the sampler reads it) + Accept():
//   first:   a fresh Matcher (every position new: automaton and masks built on the way);
//   repeat:  the same Matcher after Reset() (what a second request with the same schema costs:
//            the runtime keeps Matchers in a MatcherCache; positions repeat within one answer too);
//   no-cache: masks not cached (mask_cache_bytes = 0) but the automaton warm: the trie walk.
// It also times the first mask of a fresh Matcher (fully cold) and TokenTrie construction.
// Compare with a forward pass: stories260K decodes at ~300 us/token on one core (`olla bench`).

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "grammar/json_schema.h"
#include "grammar/matcher.h"
#include "grammar/test_vocab.h"

namespace olla::grammar {
namespace {

using Clock = std::chrono::steady_clock;

double Micros(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

std::vector<int32_t> RecordWalk(const std::shared_ptr<const Grammar>& g,
                                const testing::TestVocab& vocab, const TokenTrie& trie,
                                size_t n_random, uint32_t seed) {
  std::mt19937 rng(seed);
  Matcher m(g);
  std::vector<int32_t> seq, choices;
  std::vector<uint8_t> allowed;
  for (size_t step = 0; step < 20000; ++step) {
    m.ComputeMask(trie, allowed);
    if (allowed[vocab.eog] && step >= n_random) break;
    choices.clear();
    for (size_t t = 0; t < allowed.size(); ++t) {
      if (allowed[t] && static_cast<int32_t>(t) != vocab.eog)
        choices.push_back(static_cast<int32_t>(t));
    }
    if (choices.empty()) break;
    int32_t pick = choices[rng() % choices.size()];
    if (step >= n_random) {
      size_t best = Matcher::kNoCompletion;
      for (int32_t t : choices) {
        const size_t left = m.MinCompletionBytes(vocab.pieces[t]);
        if (left < best) best = left, pick = t;
      }
    }
    m.Accept(vocab.pieces[pick]);
    seq.push_back(pick);
  }
  return seq;
}

// Mean microseconds per token of ComputeMaskBits + Accept over `seq`.
double Replay(Matcher& m, const std::vector<int32_t>& seq, const testing::TestVocab& vocab,
              const TokenTrie& trie) {
  std::vector<uint64_t> allowed;
  const auto start = Clock::now();
  for (int32_t t : seq) {
    m.ComputeMaskBits(trie, allowed);
    if (!((allowed[static_cast<uint32_t>(t) / 64] >> (t % 64)) & 1) || !m.Accept(vocab.pieces[t])) {
      std::fprintf(stderr, "replay diverged\n");
      std::exit(1);
    }
  }
  m.ComputeMaskBits(trie, allowed);  // the mask that allows end of generation
  return Micros(Clock::now() - start) / static_cast<double>(seq.size() + 1);
}

void Bench(const char* vocab_name, const testing::TestVocab& vocab, size_t n_tokens) {
  auto t0 = Clock::now();
  const TokenTrie trie = vocab.Trie();
  std::printf("\n%s: %zu tokens, trie of %zu nodes built in %.1f ms\n", vocab_name,
              vocab.pieces.size(), trie.n_nodes(), Micros(Clock::now() - t0) / 1000);
  std::printf("%-10s %7s %11s %11s %11s %12s   %s\n", "grammar", "tokens", "cold 1st us",
              "first us/t", "repeat us/t", "nocache us/t", "first pass");
  const struct {
    const char* name;
    const char* format;
  } grammars[] = {
      {"json", "\"json\""},
      {"person", R"({"type": "object", "properties": {"name": {"type": "string", "maxLength": 40},
          "age": {"type": "integer", "minimum": 0, "maximum": 150}, "email": {"type": "string"},
          "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 5}}, "required": ["name", "age"]})"},
      {"steps",
       R"({"type": "object", "properties": {"steps": {"type": "array", "items": {"type": "object",
          "properties": {"explanation": {"type": "string"}, "output": {"type": "string"}},
          "required": ["explanation", "output"]}}, "final_answer": {"type": "string"}},
          "required": ["steps", "final_answer"]})"},
  };
  for (const auto& gr : grammars) {
    auto g = GrammarForFormat(gr.format);
    if (!g.ok()) {
      std::fprintf(stderr, "%s: %s\n", gr.name, g.status().ToString().c_str());
      std::exit(1);
    }
    const std::vector<int32_t> seq = RecordWalk(*g, vocab, trie, n_tokens, 1);
    // Each figure is the best of kReps runs: the machine is shared, noise only adds.
    constexpr int kReps = 5;
    std::vector<uint8_t> allowed;
    double cold = 1e30, first = 1e30, repeat = 1e30, uncached = 1e30;
    MatcherStats once;
    for (int rep = 0; rep < kReps; ++rep) {
      Matcher fresh(*g);
      const auto s = Clock::now();
      fresh.ComputeMask(trie, allowed);
      cold = std::min(cold, Micros(Clock::now() - s));
      Matcher m(*g);
      first = std::min(first, Replay(m, seq, vocab, trie));
      once = m.stats();
      for (int k = 0; k < 2; ++k) {
        m.Reset();
        repeat = std::min(repeat, Replay(m, seq, vocab, trie));
      }
    }
    MatcherLimits no_cache;
    no_cache.mask_cache_bytes = 0;
    Matcher nc(*g, no_cache);
    Replay(nc, seq, vocab, trie);
    for (int rep = 0; rep < kReps; ++rep) {
      nc.Reset();
      uncached = std::min(uncached, Replay(nc, seq, vocab, trie));
    }
    std::printf(
        "%-10s %7zu %11.1f %11.2f %11.2f %12.2f   %zu/%zu masks from cache, %zu states, %zu whole "
        "subtrees\n",
        gr.name, seq.size(), cold, first, repeat, uncached, once.mask_hits,
        once.mask_hits + once.mask_misses, once.states, once.whole_subtrees);
  }
}

}  // namespace
}  // namespace olla::grammar

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "../shared/testdata";
  const size_t n_tokens = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 200;
  const struct {
    const char* name;
    const char* path;
  } vocabs[] = {{"stories260K", "/models/stories260K.gguf"},
                {"llama-spm", "/tokenizer/ggml-vocab-llama-spm.gguf"}};
  for (const auto& v : vocabs) {
    auto vocab = olla::grammar::testing::LoadGgufVocab(dir + v.path);
    if (!vocab.ok()) {
      std::fprintf(stderr, "%s: %s\n", v.name, vocab.status().ToString().c_str());
      return 1;
    }
    olla::grammar::Bench(v.name, *vocab, n_tokens);
  }
  return 0;
}
