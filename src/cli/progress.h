#pragma once
// Progress display for streamed status objects (create, pull, push; spec §1.5-1.7): a status
// without a digest is a spinner line, a status with a digest a progress bar whose label is the
// status text. On a terminal each status gets its own line, rewritten in place while it is
// current; elsewhere (a pipe, a log file) each distinct status text is printed once, with no
// control characters, so output stays readable and diffable. Not thread-safe.

#include <cstdint>
#include <cstdio>
#include <string>

namespace olla::cli {

class ProgressDisplay {
 public:
  // `out` is usually stderr; `tty` defaults to isatty(out).
  explicit ProgressDisplay(FILE* out = stderr);
  ProgressDisplay(FILE* out, bool tty) : out_(out), tty_(tty) {}
  ~ProgressDisplay() { Stop(); }
  ProgressDisplay(const ProgressDisplay&) = delete;
  ProgressDisplay& operator=(const ProgressDisplay&) = delete;

  // Shows a spinner line with `text`; a new line starts when `key` (default: the text) changes,
  // so "copying file <digest> 42%" can update one line (key "copying file <digest>").
  void Spinner(const std::string& text, const std::string& key = "");
  // Shows a bar for `label`: completed of total bytes.
  void Bar(const std::string& label, int64_t completed, int64_t total);
  // Renders a status object of a create/pull/push stream: {"status", "digest", "total",
  // "completed"}.
  void Update(const std::string& status, const std::string& digest, int64_t total,
              int64_t completed);
  // Ends the current line.
  void Stop();

 private:
  // `key` identifies the line, `text` is its plain form, `line` what a terminal shows.
  void Draw(const std::string& key, const std::string& text, const std::string& line, bool bar);

  FILE* out_;
  bool tty_;
  std::string current_;  // key of the line being shown
  std::string text_;     // plain text of the current line
  bool open_ = false;    // a line is drawn without its newline yet
  bool bar_ = false;     // the current line is a bar (kept as drawn when it ends)
  size_t frame_ = 0;
};

// "label  45% ▕████████        ▏ 1.2 MB/2.6 MB" (the bar is 25 cells wide).
std::string RenderBar(const std::string& label, int64_t completed, int64_t total);

}  // namespace olla::cli
