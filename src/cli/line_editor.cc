#include "cli/line_editor.h"

#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>

#include "base/str_cat.h"
#include "cli/word_wrap.h"

namespace olla::cli {

namespace {

bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

size_t Utf8Length(unsigned char lead) {
  if (lead >= 0xF0 && lead < 0xF8) return 4;
  if (lead >= 0xE0 && lead < 0xF0) return 3;
  if (lead >= 0xC0 && lead < 0xE0) return 2;
  return 1;
}

Key Make(Key::Type t) { return Key{t, ""}; }

// The key of a complete CSI ("\033[...X") or SS3 ("\033O X") sequence.
Key EscapeKey(const std::string& seq) {
  using T = Key::Type;
  const std::string body = seq.substr(2);
  if (body == "A") return Make(T::kUp);
  if (body == "B") return Make(T::kDown);
  if (body == "C") return Make(T::kRight);
  if (body == "D") return Make(T::kLeft);
  if (body == "H" || body == "1~" || body == "7~") return Make(T::kHome);
  if (body == "F" || body == "4~" || body == "8~") return Make(T::kEnd);
  if (body == "3~") return Make(T::kDelete);
  if (body == "200~") return Make(T::kPasteStart);
  if (body == "201~") return Make(T::kPasteEnd);
  if (body == "1;5C" || body == "1;3C") return Make(T::kWordRight);
  if (body == "1;5D" || body == "1;3D") return Make(T::kWordLeft);
  return Make(T::kIgnored);
}

}  // namespace

std::optional<Key> KeyDecoder::Feed(unsigned char byte) {
  using T = Key::Type;
  if (!pending_.empty()) {
    pending_ += static_cast<char>(byte);
    const unsigned char lead = static_cast<unsigned char>(pending_[0]);
    if (lead == 0x1B) {
      if (pending_.size() == 2) {
        if (byte == '[' || byte == 'O') return std::nullopt;
        pending_.clear();
        if (byte == 'b') return Make(T::kWordLeft);
        if (byte == 'f') return Make(T::kWordRight);
        return Make(T::kIgnored);
      }
      // CSI parameters run until a final byte in 0x40-0x7E; SS3 is one byte.
      if (pending_[1] == 'O' || (byte >= 0x40 && byte <= 0x7E)) {
        Key k = EscapeKey(pending_);
        pending_.clear();
        return k;
      }
      if (pending_.size() > 16) pending_.clear();  // malformed: drop it
      return std::nullopt;
    }
    // A UTF-8 character.
    if (!IsContinuation(byte)) {  // malformed: drop the partial character, restart with `byte`
      pending_.clear();
      return Feed(byte);
    }
    if (pending_.size() < Utf8Length(lead)) return std::nullopt;
    Key k{T::kChar, pending_};
    pending_.clear();
    return k;
  }
  switch (byte) {
    case 0x01:
      return Make(T::kHome);
    case 0x02:
      return Make(T::kLeft);
    case 0x03:
      return Make(T::kInterrupt);
    case 0x04:
      return Make(T::kEof);
    case 0x05:
      return Make(T::kEnd);
    case 0x06:
      return Make(T::kRight);
    case 0x08:
    case 0x7F:
      return Make(T::kBackspace);
    case 0x0A:
    case 0x0D:
      return Make(T::kEnter);
    case 0x0B:
      return Make(T::kKillEnd);
    case 0x0C:
      return Make(T::kClearScreen);
    case 0x0E:
      return Make(T::kDown);
    case 0x10:
      return Make(T::kUp);
    case 0x15:
      return Make(T::kKillStart);
    case 0x17:
      return Make(T::kKillWord);
    case 0x09:
      return Key{T::kChar, "\t"};
    case 0x1B:
      pending_ = "\033";
      return std::nullopt;
    default:
      break;
  }
  if (byte < 0x20) return Make(T::kIgnored);
  if (byte >= 0x80) {
    if (Utf8Length(byte) == 1) return Make(T::kIgnored);  // a stray continuation byte
    pending_ = std::string(1, static_cast<char>(byte));
    return std::nullopt;
  }
  return Key{T::kChar, std::string(1, static_cast<char>(byte))};
}

size_t LineState::PrevBoundary(size_t at) const {
  if (at == 0) return 0;
  --at;
  while (at > 0 && IsContinuation(static_cast<unsigned char>(text_[at]))) --at;
  return at;
}

size_t LineState::NextBoundary(size_t at) const {
  if (at >= text_.size()) return text_.size();
  ++at;
  while (at < text_.size() && IsContinuation(static_cast<unsigned char>(text_[at]))) ++at;
  return at;
}

void LineState::Reset() {
  text_.clear();
  cursor_ = 0;
  submitted_in_paste_ = false;
  history_pos_ = history_.size();
  saved_.clear();
}

void LineState::SetHistory(std::vector<std::string> entries) {
  history_ = std::move(entries);
  history_pos_ = history_.size();
}

LineState::Event LineState::Apply(const Key& key) {
  using T = Key::Type;
  auto is_space = [&](size_t i) { return text_[i] == ' ' || text_[i] == '\t'; };
  switch (key.type) {
    case T::kChar:
      text_.insert(cursor_, key.text);
      cursor_ += key.text.size();
      break;
    case T::kEnter:
      submitted_in_paste_ = pasting_;
      return Event::kSubmit;
    case T::kBackspace:
      if (cursor_ > 0) {
        const size_t from = PrevBoundary(cursor_);
        text_.erase(from, cursor_ - from);
        cursor_ = from;
      }
      break;
    case T::kEof:
      if (text_.empty()) return Event::kEof;
      [[fallthrough]];
    case T::kDelete:
      if (cursor_ < text_.size()) text_.erase(cursor_, NextBoundary(cursor_) - cursor_);
      break;
    case T::kLeft:
      cursor_ = PrevBoundary(cursor_);
      break;
    case T::kRight:
      cursor_ = NextBoundary(cursor_);
      break;
    case T::kHome:
      cursor_ = 0;
      break;
    case T::kEnd:
      cursor_ = text_.size();
      break;
    case T::kWordLeft:
      while (cursor_ > 0 && is_space(cursor_ - 1)) cursor_ = PrevBoundary(cursor_);
      while (cursor_ > 0 && !is_space(cursor_ - 1)) cursor_ = PrevBoundary(cursor_);
      break;
    case T::kWordRight:
      while (cursor_ < text_.size() && is_space(cursor_)) cursor_ = NextBoundary(cursor_);
      while (cursor_ < text_.size() && !is_space(cursor_)) cursor_ = NextBoundary(cursor_);
      break;
    case T::kKillEnd:
      text_.erase(cursor_);
      break;
    case T::kKillStart:
      text_.erase(0, cursor_);
      cursor_ = 0;
      break;
    case T::kKillWord: {
      size_t from = cursor_;
      while (from > 0 && is_space(from - 1)) --from;
      while (from > 0 && !is_space(from - 1)) from = PrevBoundary(from);
      text_.erase(from, cursor_ - from);
      cursor_ = from;
      break;
    }
    case T::kUp:
      if (history_pos_ > 0) {
        if (history_pos_ == history_.size()) saved_ = text_;
        text_ = history_[--history_pos_];
        cursor_ = text_.size();
      }
      break;
    case T::kDown:
      if (history_pos_ < history_.size()) {
        ++history_pos_;
        text_ = history_pos_ == history_.size() ? saved_ : history_[history_pos_];
        cursor_ = text_.size();
      }
      break;
    case T::kClearScreen:
      return Event::kClearScreen;
    case T::kInterrupt:
      return Event::kInterrupt;
    case T::kPasteStart:
      pasting_ = true;
      break;
    case T::kPasteEnd:
      pasting_ = false;
      break;
    case T::kIgnored:
      break;
  }
  return Event::kNone;
}

int DisplayWidth(const std::string& s) {
  int cols = 0;
  for (size_t i = 0; i < s.size();) {
    const unsigned char lead = static_cast<unsigned char>(s[i]);
    size_t n = Utf8Length(lead);
    if (i + n > s.size()) n = s.size() - i;
    char32_t c = lead;
    if (n == 2) c = ((lead & 0x1F) << 6) | (s[i + 1] & 0x3F);
    if (n == 3) c = ((lead & 0x0F) << 12) | ((s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F);
    if (n == 4)
      c = ((lead & 0x07) << 18) | ((s[i + 1] & 0x3F) << 12) | ((s[i + 2] & 0x3F) << 6) |
          (s[i + 3] & 0x3F);
    cols += CodepointWidth(c);
    i += n;
  }
  return cols;
}

std::string RenderLine(const std::string& prompt, const std::string& text, size_t cursor,
                       const std::string& placeholder, int width, int* cursor_row) {
  if (width <= 0) width = 80;
  std::string out;
  if (*cursor_row > 0) out += StrCat("\033[", *cursor_row, "A");
  out += "\r\033[J" + prompt;
  const int prompt_cols = DisplayWidth(prompt);
  if (text.empty()) {
    // The placeholder, cut to fit the line, then the cursor back after the prompt.
    std::string hint;
    int cols = prompt_cols;
    for (char c : placeholder) {
      if (cols + 1 >= width) break;
      hint += c;
      ++cols;
    }
    if (!hint.empty()) {
      out += "\033[90m" + hint + "\033[0m\r";
      if (prompt_cols > 0) out += StrCat("\033[", prompt_cols, "C");
    }
    *cursor_row = prompt_cols / width;
    return out;
  }
  out += text;
  const int end = prompt_cols + DisplayWidth(text);
  const int end_row = end / width;
  // A line that ends exactly at the margin leaves the cursor in the pending-wrap state: start
  // the next row explicitly so the arithmetic below holds.
  if (end % width == 0) out += "\n";
  const int at = prompt_cols + DisplayWidth(text.substr(0, cursor));
  const int row = at / width, col = at % width;
  *cursor_row = row;
  if (at == end) return out;  // already there
  if (end_row > row) out += StrCat("\033[", end_row - row, "A");
  out += "\r";
  if (col > 0) out += StrCat("\033[", col, "C");
  return out;
}

std::vector<std::string> LoadHistory(const std::string& path, size_t max) {
  std::vector<std::string> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  if (out.size() > max) out.erase(out.begin(), out.end() - static_cast<ptrdiff_t>(max));
  return out;
}

Status SaveHistory(const std::string& path, const std::vector<std::string>& entries, size_t max) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path dir = fs::path(path).parent_path();
  if (!dir.empty() && !fs::exists(dir, ec)) {
    fs::create_directories(dir, ec);
    if (ec) return Status::IoError(StrCat("mkdir ", dir.string(), ": ", ec.message()));
    ::chmod(dir.c_str(), 0755);
  }
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return Status::IoError(StrCat("open ", tmp));
    const size_t from = entries.size() > max ? entries.size() - max : 0;
    for (size_t i = from; i < entries.size(); ++i) out << entries[i] << "\n";
    if (!out) return Status::IoError(StrCat("write ", tmp));
  }
  ::chmod(tmp.c_str(), 0600);
  fs::rename(tmp, path, ec);
  if (ec) return Status::IoError(StrCat("rename ", path, ": ", ec.message()));
  return Status::Ok();
}

bool LineEditor::RawMode() {
  if (raw_) return true;
  if (tcgetattr(in_, &saved_) != 0) return false;
  termios raw = saved_;
  raw.c_iflag &= ~static_cast<tcflag_t>(BRKINT | ICRNL | INPCK | ISTRIP | IXON);
  raw.c_cflag |= CS8;
  raw.c_oflag |= OPOST | ONLCR;  // "\n" starts a new line at column 0
  raw.c_lflag &= ~static_cast<tcflag_t>(ECHO | ICANON | IEXTEN | ISIG);
  raw.c_cc[VMIN] = 1;
  raw.c_cc[VTIME] = 0;
  if (tcsetattr(in_, TCSADRAIN, &raw) != 0) return false;
  raw_ = true;
  return true;
}

void LineEditor::RestoreMode() {
  if (!raw_) return;
  tcsetattr(in_, TCSADRAIN, &saved_);
  raw_ = false;
}

int LineEditor::Width() const {
  winsize ws{};
  if (ioctl(out_, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

void LineEditor::Write(const std::string& s) const {
  size_t off = 0;
  while (off < s.size()) {
    const ssize_t n = ::write(out_, s.data() + off, s.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

LineEditor::Result LineEditor::Read(const std::string& prompt, const std::string& placeholder) {
  using Kind = Result::Kind;
  Result result;
  if (!RawMode()) return result;
  state_.Reset();
  int row = 0;
  Write(RenderLine(prompt, "", 0, placeholder, Width(), &row));
  while (true) {
    unsigned char byte = 0;
    const ssize_t n = ::read(in_, &byte, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      result.kind = n == 0 ? Kind::kEof : Kind::kError;
      break;
    }
    std::optional<Key> key = decoder_.Feed(byte);
    if (!key) continue;
    const LineState::Event ev = state_.Apply(*key);
    if (ev == LineState::Event::kClearScreen) {
      Write("\033[H\033[2J");
      row = 0;
    }
    if (ev == LineState::Event::kSubmit || ev == LineState::Event::kInterrupt) {
      // Leave the cursor after the text, then (for a submitted line) start a new line.
      if (state_.cursor() != state_.text().size()) {
        Write(RenderLine(prompt, state_.text(), state_.text().size(), "", Width(), &row));
      }
      // Back to the normal mode before the newline: a Ctrl-C pressed as soon as the line is
      // seen to be accepted is a signal (cancelling the reply), not a key of the next line.
      RestoreMode();
      if (ev == LineState::Event::kSubmit) Write("\n");
      result.kind = ev == LineState::Event::kSubmit ? Kind::kLine : Kind::kInterrupt;
      result.text = state_.text();
      result.pasted = state_.submitted_in_paste();
      break;
    }
    if (ev == LineState::Event::kEof) {
      result.kind = Kind::kEof;
      break;
    }
    // While a paste streams in, redraw only when no more input is waiting.
    if (state_.pasting()) {
      int waiting = 0;
      if (ioctl(in_, FIONREAD, &waiting) == 0 && waiting > 0) continue;
    }
    Write(RenderLine(prompt, state_.text(), state_.cursor(),
                     state_.text().empty() ? placeholder : "", Width(), &row));
  }
  RestoreMode();
  state_.Reset();
  return result;
}

}  // namespace olla::cli
