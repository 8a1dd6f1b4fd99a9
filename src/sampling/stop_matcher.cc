#include "sampling/stop_matcher.h"

#include <algorithm>
#include <utility>

#include "base/utf8.h"

namespace olla::sampling {

StopMatcher::StopMatcher(std::vector<std::string> stops) {
  for (std::string& s : stops) {
    if (!s.empty()) stops_.push_back(std::move(s));
  }
}

size_t StopMatcher::PartialStopSuffix(std::string_view text) const {
  size_t best = 0;
  for (const std::string& stop : stops_) {
    // Only proper prefixes: a whole stop sequence would already have matched.
    const size_t max_len = std::min(text.size(), stop.size() - 1);
    for (size_t len = max_len; len > best; --len) {
      if (text.substr(text.size() - len) == std::string_view(stop).substr(0, len)) {
        best = len;
        break;
      }
    }
  }
  return best;
}

StopResult StopMatcher::Feed(std::string_view piece) {
  StopResult result;
  if (stopped_) {
    result.stopped = true;
    result.stop = matched_;
    return result;
  }
  pending_.append(piece);

  // The earliest stop sequence wins: everything from its start on is dropped. pending_ held no
  // whole stop before this piece, so any match ends inside the new piece.
  size_t first = std::string::npos;
  const std::string* found = nullptr;
  for (const std::string& stop : stops_) {
    const size_t pos = pending_.find(stop);
    if (pos < first) {
      first = pos;
      found = &stop;
    }
  }
  if (found != nullptr) {
    result.text = pending_.substr(0, first);
    result.stopped = true;
    result.stop = *found;
    stopped_ = true;
    matched_ = *found;
    pending_.clear();
    return result;
  }

  // Hold back a tail that may still grow into a stop sequence, and never end inside a UTF-8
  // character (a later piece completes it; byte-level BPE pieces split characters).
  size_t emit = pending_.size() - PartialStopSuffix(pending_);
  emit = utf8::CompletePrefixLength(std::string_view(pending_).substr(0, emit));
  result.text = pending_.substr(0, emit);
  pending_.erase(0, emit);
  return result;
}

std::string StopMatcher::Flush() {
  std::string out;
  out.swap(pending_);
  return out;
}

void StopMatcher::Reset() {
  pending_.clear();
  stopped_ = false;
  matched_.clear();
}

}  // namespace olla::sampling
