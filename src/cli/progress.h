#pragma once
// Progress display for streamed status objects (create, pull, push; spec §1.5-1.7): a status
// without a digest is a spinner line, a status with a digest an Ollama byte bar (ByteBar). On a
// terminal each spinner or bar gets its own line, rewritten in place while it is current, and
// is redrawn in its final form when the next one starts. Elsewhere (a pipe, a log file) no
// control characters are written: each spinner text is printed once when it starts and each
// bar once, when it finishes or is left, so output stays readable and diffable. Not
// thread-safe.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <string>

#include "cli/progress_bar.h"

namespace olla::cli {

class ProgressDisplay {
 public:
  using Clock = ByteBar::Clock;

  // `out` is usually stderr; `tty` defaults to isatty(out).
  explicit ProgressDisplay(FILE* out = stderr);
  ProgressDisplay(FILE* out, bool tty) : out_(out), tty_(tty) {}
  ~ProgressDisplay() { Stop(); }
  ProgressDisplay(const ProgressDisplay&) = delete;
  ProgressDisplay& operator=(const ProgressDisplay&) = delete;

  // Shows a spinner line with `text`; a new line starts when `key` (default: the text) changes,
  // so "copying file <digest> 42%" can update one line (key "copying file <digest>").
  void Spinner(const std::string& text, const std::string& key = "");
  // Shows the bar `key` (created with `label` on first use): completed of total bytes.
  void Bar(const std::string& key, const std::string& label, int64_t completed, int64_t total);
  // Renders a status object of a create/push stream: {"status", "digest", "total",
  // "completed"}; a bar is keyed by its digest and labelled with the status.
  void Update(const std::string& status, const std::string& digest, int64_t total,
              int64_t completed);
  // Ends the current line.
  void Stop();

  // For tests: the clock and the terminal width (default: the real ones; 80 off a terminal).
  void set_clock(std::function<Clock::time_point()> clock) { clock_ = std::move(clock); }
  void set_width(int width) { width_ = width; }

 private:
  enum class Kind { kNone, kSpinner, kBar };
  // Finishes the current line before a different key is shown.
  void Leave();
  void DrawLine(const std::string& line);
  int Width() const;
  Clock::time_point Now() const { return clock_ ? clock_() : Clock::now(); }

  FILE* out_;
  bool tty_;
  std::function<Clock::time_point()> clock_;
  int width_ = 0;
  Kind kind_ = Kind::kNone;
  std::string current_;   // key of the line being shown
  std::string text_;      // plain text of the current spinner
  bool open_ = false;     // a terminal line is drawn without its newline yet
  bool printed_ = false;  // off a terminal: the current bar has been printed
  size_t frame_ = 0;
  std::map<std::string, ByteBar> bars_;
};

}  // namespace olla::cli
