#pragma once
// StopMatcher: applies the `stop` option (spec ollama-surface.md §3.19) to streamed text.
// Generation ends before a stop sequence: neither the stop text nor anything after it is ever
// emitted, even when the stop sequence arrives split over several detokenized pieces. Text that
// could still turn into a stop sequence is held back until the next piece decides it; a trailing
// incomplete UTF-8 character is held back too, so emitted chunks never split a code point.
//
// Usage per generated token: r = Feed(piece); send r.text; if (r.stopped) finish with
// done_reason "stop". At EOS or num_predict, send Flush(). Not thread-safe.

#include <string>
#include <string_view>
#include <vector>

namespace olla::sampling {

struct StopResult {
  std::string text;      // safe to emit now (possibly empty)
  bool stopped = false;  // a stop sequence was found; `text` is everything before it
  std::string stop;      // the stop sequence found, when stopped
};

class StopMatcher {
 public:
  // Empty stop strings are ignored. With no stop strings only UTF-8 holding applies.
  explicit StopMatcher(std::vector<std::string> stops);

  // Appends `piece` to the held-back text and returns what may be emitted. When several stop
  // sequences occur, the one that starts first wins (the first listed on a tie). After a stop,
  // further calls return {"", true, stop} and ignore their input.
  StopResult Feed(std::string_view piece);

  // End of generation without a stop: returns and clears all held-back text, which may end in
  // an incomplete UTF-8 character (the caller sanitises). Returns "" after a stop.
  std::string Flush();

  bool stopped() const { return stopped_; }
  // Bytes currently held back.
  size_t held() const { return pending_.size(); }
  // Forgets held text and a previous stop, keeping the stop list.
  void Reset();

 private:
  // Length of the longest suffix of `text` that is a proper prefix of some stop sequence.
  size_t PartialStopSuffix(std::string_view text) const;

  std::vector<std::string> stops_;
  std::string pending_;  // held back: a possible stop prefix and/or an incomplete character
  bool stopped_ = false;
  std::string matched_;
};

}  // namespace olla::sampling
