#pragma once
// Ollama's byte progress bar (spec §1.6): "<label> <pct>% ▕███   ▏ <cur>/<total>  <rate>/s  <eta>",
// sized to the terminal width. Time is passed in, so rendering is a pure function of the
// updates a bar has seen (unit-testable without sleeping).

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace olla::cli {

class ByteBar {
 public:
  using Clock = std::chrono::steady_clock;

  ByteBar(std::string label, int64_t total, int64_t initial, Clock::time_point now);

  // Records `value` bytes done (clamped to the total). The rate is averaged over up to ten
  // samples taken at most once a second, as Ollama's.
  void Set(int64_t value, Clock::time_point now);
  // One line for a terminal `width` columns wide (the line takes width-1 columns when the label
  // fits). A finished bar shows only its total size.
  std::string Render(int width) const;

  bool finished() const { return stopped_; }
  int64_t value() const { return value_; }
  int64_t total() const { return total_; }
  const std::string& label() const { return label_; }

 private:
  struct Sample {
    Clock::time_point at;
    int64_t value;
  };
  double Percent() const;
  double Rate() const;  // bytes per second; 0 while unknown

  std::string label_;
  int64_t total_, initial_, value_;
  Clock::time_point started_, stopped_at_;
  bool stopped_ = false;
  std::vector<Sample> samples_;
};

// An ETA as Ollama prints it: Go duration rounded to seconds ("45s", "3m20s"), "1h2m" from an
// hour on, "99h+" from 100 hours on.
std::string FormatEta(std::chrono::seconds d);

}  // namespace olla::cli
