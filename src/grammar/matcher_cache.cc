// MatcherCache: a small LRU of Matchers keyed by grammar content.

#include "grammar/matcher_cache.h"

#include <algorithm>

namespace olla::grammar {
namespace {

template <typename T>
void AppendRaw(std::string& out, const T& v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof(v));
}

template <typename T>
void AppendVector(std::string& out, const std::vector<T>& v) {
  AppendRaw(out, v.size());
  for (const T& x : v) AppendRaw(out, x);
}

}  // namespace

// Lengths before contents, so two different grammars never serialize to the same bytes. Rule
// names are left out: they do not change the language (and only name rules in errors).
std::string GrammarKey(const Grammar& g) {
  std::string key;
  AppendRaw(key, g.root);
  AppendRaw(key, g.elems.size());
  for (const Element& e : g.elems) {
    AppendRaw(key, static_cast<uint8_t>(e.type));
    AppendRaw(key, e.value);
  }
  AppendVector(key, g.rule_start);
  AppendVector(key, g.alt_begin);
  AppendVector(key, g.alt_start);
  AppendVector(key, g.suffix_min_bytes);
  AppendRaw(key, g.classes.size());
  for (const CharClass& c : g.classes) {
    AppendRaw(key, c.ranges.size());
    for (const auto& [lo, hi] : c.ranges) AppendRaw(key, lo), AppendRaw(key, hi);
  }
  return key;
}

MatcherCache::MatcherCache(MatcherCacheLimits limits, MatcherLimits matcher_limits)
    : limits_(limits), matcher_limits_(matcher_limits) {}

Matcher MatcherCache::Take(std::shared_ptr<const Grammar> grammar) {
  const std::string key = GrammarKey(*grammar);
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->key != key) continue;
      Matcher m = std::move(*it->matcher);
      entries_.erase(it);
      ++hits_;
      return m;
    }
    ++misses_;
  }
  return Matcher(std::move(grammar), matcher_limits_);  // built outside the lock
}

void MatcherCache::Put(Matcher m) {
  m.Reset();
  Entry e{GrammarKey(m.grammar()), nullptr, m.stats().bytes, 0};
  if (e.bytes > limits_.max_bytes || limits_.max_entries == 0) return;
  e.matcher = std::make_unique<Matcher>(std::move(m));
  std::lock_guard<std::mutex> lock(mu_);
  e.last_use = ++clock_;
  std::erase_if(entries_, [&](const Entry& x) { return x.key == e.key; });
  entries_.push_back(std::move(e));
  const auto total = [this] {
    size_t b = 0;
    for (const Entry& x : entries_) b += x.bytes;
    return b;
  };
  while (entries_.size() > limits_.max_entries || total() > limits_.max_bytes) {
    const auto older = [](const Entry& a, const Entry& b) { return a.last_use < b.last_use; };
    entries_.erase(std::min_element(entries_.begin(), entries_.end(), older));
  }
}

MatcherCacheStats MatcherCache::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  MatcherCacheStats s;
  s.entries = entries_.size();
  for (const Entry& e : entries_) s.bytes += e.bytes;
  s.hits = hits_;
  s.misses = misses_;
  return s;
}

}  // namespace olla::grammar
