#include "cli/progress_bar.h"

#include <algorithm>
#include <cmath>

#include "base/str_cat.h"
#include "cli/human.h"

namespace olla::cli {

namespace {

constexpr size_t kMaxSamples = 10;

std::string Repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

// `text` right-aligned in `width` columns (never truncated).
std::string RightAlign(const std::string& text, int width) {
  return Repeat(" ", width - static_cast<int>(text.size())) + text;
}

// Go's Duration.Round(time.Second).Seconds(): half away from zero.
double RoundedSeconds(ByteBar::Clock::duration d) {
  const double s = std::chrono::duration<double>(d).count();
  return std::round(s);
}

}  // namespace

std::string FormatEta(std::chrono::seconds d) {
  using std::chrono::hours;
  if (d >= hours(100)) return "99h+";
  if (d >= hours(1))
    return StrFormat("%dh%dm", static_cast<int>(d.count() / 3600),
                     static_cast<int>(d.count() / 60 % 60));
  return GoDuration(static_cast<int64_t>(d.count()) * 1000000000LL);
}

ByteBar::ByteBar(std::string label, int64_t total, int64_t initial, Clock::time_point now)
    : label_(std::move(label)), total_(total), initial_(initial), value_(initial), started_(now) {
  if (initial >= total) {
    stopped_ = true;
    stopped_at_ = now;
  }
}

void ByteBar::Set(int64_t value, Clock::time_point now) {
  value = std::min(value, total_);
  value_ = value;
  if (value_ >= total_ && !stopped_) {
    stopped_ = true;
    stopped_at_ = now;
  }
  if (samples_.empty() || now - samples_.back().at > std::chrono::seconds(1)) {
    samples_.push_back({now, value});
    if (samples_.size() > kMaxSamples) samples_.erase(samples_.begin());
  }
}

double ByteBar::Percent() const {
  return total_ > 0 ? static_cast<double>(value_) / static_cast<double>(total_) * 100 : 0;
}

double ByteBar::Rate() const {
  double bytes = 0, seconds = 0;
  if (stopped_) {
    bytes = static_cast<double>(value_ - initial_);
    seconds = RoundedSeconds(stopped_at_ - started_);
  } else if (samples_.size() == 1) {
    bytes = static_cast<double>(samples_[0].value - initial_);
    seconds = RoundedSeconds(samples_[0].at - started_);
  } else if (samples_.size() > 1) {
    bytes = static_cast<double>(samples_.back().value - samples_.front().value);
    seconds = RoundedSeconds(samples_.back().at - samples_.front().at);
  }
  return seconds != 0 ? bytes / seconds : 0;
}

std::string ByteBar::Render(int width) const {
  std::string pre;
  if (!label_.empty()) pre = label_ + " ";
  pre += StrFormat("%3.0f%%", Percent());

  std::string suf;
  if (!stopped_) {
    suf = RightAlign(HumanBytes(value_), 6) + "/" + RightAlign(HumanBytes(total_), 6);
  } else {
    suf = RightAlign(HumanBytes(total_), 6) + std::string(7, ' ');
  }
  const double rate = Rate();
  if (!stopped_ && rate > 0) {
    suf += "  " + RightAlign(HumanBytes(static_cast<int64_t>(rate)), 6) + "/s";
    const auto remaining =
        std::chrono::seconds(static_cast<int64_t>(static_cast<double>(total_ - value_) / rate));
    suf += "  " + RightAlign(FormatEta(remaining), 6);
  } else {
    suf += std::string(10 + 8, ' ');
  }

  // Two boundary characters and a space at each end.
  const int cells = width - static_cast<int>(pre.size()) - static_cast<int>(suf.size()) - 5;
  const int filled = static_cast<int>(cells * Percent() / 100);
  return pre + " ▕" + Repeat("█", filled) + Repeat(" ", cells - filled) + "▏ " + suf;
}

}  // namespace olla::cli
