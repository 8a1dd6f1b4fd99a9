#pragma once
// A small line editor on plain termios for the interactive REPL (spec §1.4.1): prompt and grey
// placeholder, cursor movement, Ctrl-A/E/B/F/K/U/W/L/C/D, Alt-B/F, Home/End/Delete, Up/Down
// history, bracketed paste, and lines longer than the terminal. The key decoding and the
// editing are pure (KeyDecoder, LineState) and unit-tested; LineEditor does the terminal I/O.

#include <termios.h>

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace olla::cli {

struct Key {
  enum class Type {
    kChar,
    kEnter,
    kBackspace,
    kDelete,
    kLeft,
    kRight,
    kHome,
    kEnd,
    kUp,
    kDown,
    kWordLeft,
    kWordRight,
    kKillEnd,
    kKillStart,
    kKillWord,
    kClearScreen,
    kInterrupt,
    kEof,
    kPasteStart,
    kPasteEnd,
    kIgnored
  };
  Type type = Type::kIgnored;
  std::string text;  // kChar: one UTF-8 character
};

// Turns terminal input bytes into keys (UTF-8 characters, control keys, CSI/SS3 escapes).
class KeyDecoder {
 public:
  // The key completed by `byte`, if any.
  std::optional<Key> Feed(unsigned char byte);
  // True while an escape sequence or UTF-8 character is incomplete.
  bool pending() const { return !pending_.empty(); }

 private:
  std::string pending_;
};

// The line being edited, its cursor and the history.
class LineState {
 public:
  enum class Event { kNone, kSubmit, kEof, kInterrupt, kClearScreen };

  Event Apply(const Key& key);
  // Starts a fresh line (after a submit or interrupt); history navigation starts at the end.
  void Reset();
  void SetHistory(std::vector<std::string> entries);

  const std::string& text() const { return text_; }
  size_t cursor() const { return cursor_; }  // byte offset into text()
  bool pasting() const { return pasting_; }
  // The submitted line was typed inside a bracketed paste (more lines follow).
  bool submitted_in_paste() const { return submitted_in_paste_; }

 private:
  size_t PrevBoundary(size_t at) const;
  size_t NextBoundary(size_t at) const;

  std::string text_;
  size_t cursor_ = 0;
  bool pasting_ = false, submitted_in_paste_ = false;
  std::vector<std::string> history_;
  size_t history_pos_ = 0;
  std::string saved_;  // the line being typed while browsing history
};

// Columns a UTF-8 string takes on a terminal.
int DisplayWidth(const std::string& utf8);

// Draws prompt + text for a terminal `width` columns wide, starting from where the previous
// draw left the cursor (`*cursor_row` rows below the prompt's row; updated), and leaves the
// cursor at byte `cursor` of `text`. An empty text shows `placeholder` in grey.
std::string RenderLine(const std::string& prompt, const std::string& text, size_t cursor,
                       const std::string& placeholder, int width, int* cursor_row);

// The REPL history file (~/.ollama/history): the last `max` lines of `path` (none if missing).
std::vector<std::string> LoadHistory(const std::string& path, size_t max = 100);
// Writes the last `max` entries to `path` (mode 0600, parent directory 0755).
Status SaveHistory(const std::string& path, const std::vector<std::string>& entries,
                   size_t max = 100);

class LineEditor {
 public:
  struct Result {
    enum class Kind { kLine, kEof, kInterrupt, kError };
    Kind kind = Kind::kError;
    std::string text;
    bool pasted = false;  // kLine: typed inside a bracketed paste
  };

  LineEditor(int in_fd, int out_fd) : in_(in_fd), out_(out_fd) {}
  ~LineEditor() { RestoreMode(); }
  LineEditor(const LineEditor&) = delete;
  LineEditor& operator=(const LineEditor&) = delete;

  // Reads one line in raw mode; the terminal is back in its normal mode when this returns.
  Result Read(const std::string& prompt, const std::string& placeholder);
  void SetHistory(std::vector<std::string> entries) { state_.SetHistory(std::move(entries)); }

 private:
  bool RawMode();
  void RestoreMode();
  int Width() const;
  void Write(const std::string& s) const;

  int in_, out_;
  bool raw_ = false;
  termios saved_{};
  KeyDecoder decoder_;
  LineState state_;
};

}  // namespace olla::cli
