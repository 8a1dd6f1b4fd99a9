#pragma once
// MatcherCache: Matchers kept between sequences that use the same grammar, so that a request
// whose format was seen before starts with the automaton and the token masks that earlier
// requests built (a mask on a 152k-token vocabulary is a walk of the whole trie). A Matcher is
// valid for any grammar equal in content to its own (two requests compile the same schema into
// equal, separate Grammars); the key is that content, compared whole, never a hash alone.
//
// Bounded: at most max_entries Matchers and max_bytes of their tables (MatcherStats::bytes),
// least recently used dropped first. Take() moves a Matcher out, so concurrent sequences never
// share one (the second gets a new Matcher). Thread-safe. One cache per vocabulary: a Matcher's
// masks are for the TokenTrie it was used with (it rebuilds them for another one anyway).

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "grammar/grammar.h"
#include "grammar/matcher.h"

namespace olla::grammar {

struct MatcherCacheLimits {
  size_t max_entries = 8;
  size_t max_bytes = size_t{64} << 20;
};

struct MatcherCacheStats {
  size_t entries = 0;
  size_t bytes = 0;
  size_t hits = 0;    // Take() found a kept Matcher
  size_t misses = 0;  // Take() made a new one
};

class MatcherCache {
 public:
  explicit MatcherCache(MatcherCacheLimits limits = {}, MatcherLimits matcher_limits = {});

  // A Matcher at the start of `grammar`: a kept one for an equal grammar, else a new one.
  Matcher Take(std::shared_ptr<const Grammar> grammar);
  // Keeps `m`, reset to the start, for a later Take() of its grammar (replacing an older one
  // for the same grammar); drops the least recently used past the limits, and `m` itself if
  // it alone is over max_bytes.
  void Put(Matcher m);

  MatcherCacheStats stats() const;

 private:
  struct Entry {
    std::string key;
    std::unique_ptr<Matcher> matcher;
    size_t bytes = 0;
    uint64_t last_use = 0;
  };

  MatcherCacheLimits limits_;
  MatcherLimits matcher_limits_;
  mutable std::mutex mu_;
  std::vector<Entry> entries_;
  uint64_t clock_ = 0;
  size_t hits_ = 0, misses_ = 0;
};

// The content of `g` that the Matcher depends on, as bytes: equal keys mean the same rules,
// elements, character classes and root, so one grammar's tables serve the other.
std::string GrammarKey(const Grammar& g);

}  // namespace olla::grammar
