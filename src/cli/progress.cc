#include "cli/progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <iterator>

#include "base/str_cat.h"
#include "cli/human.h"

namespace olla::cli {

namespace {
constexpr const char* kSpinnerFrames[] = {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};
constexpr int kDefaultWidth = 80;
}  // namespace

ProgressDisplay::ProgressDisplay(FILE* out) : out_(out), tty_(isatty(fileno(out)) != 0) {}

int ProgressDisplay::Width() const {
  if (width_ > 0) return width_;
  winsize ws{};
  if (tty_ && ioctl(fileno(out_), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return kDefaultWidth;
}

// Off a terminal a line ends at its last visible character.
static void PrintPlain(FILE* out, std::string line) {
  while (!line.empty() && line.back() == ' ') line.pop_back();
  std::fprintf(out, "%s\n", line.c_str());
}

void ProgressDisplay::DrawLine(const std::string& line) {
  std::fprintf(out_, "\r\033[K%s", line.c_str());
  open_ = true;
  std::fflush(out_);
}

void ProgressDisplay::Leave() {
  if (kind_ == Kind::kBar) {
    auto it = bars_.find(current_);
    if (it != bars_.end()) {
      if (tty_) {
        DrawLine(it->second.Render(Width()));
      } else if (!printed_) {
        PrintPlain(out_, it->second.Render(Width()));
      }
    }
  } else if (kind_ == Kind::kSpinner && tty_) {
    DrawLine(text_);  // without its spinner frame
  }
  if (tty_ && open_) std::fprintf(out_, "\n");
  open_ = false;
  printed_ = false;
  kind_ = Kind::kNone;
  current_.clear();
  std::fflush(out_);
}

void ProgressDisplay::Spinner(const std::string& text, const std::string& key) {
  const std::string& k = key.empty() ? text : key;
  if (kind_ != Kind::kSpinner || k != current_) {
    Leave();
    kind_ = Kind::kSpinner;
    current_ = k;
    if (!tty_) {
      std::fprintf(out_, "%s\n", text.c_str());
      std::fflush(out_);
    }
  }
  text_ = text;
  if (!tty_) return;
  frame_ = (frame_ + 1) % std::size(kSpinnerFrames);
  DrawLine(StrCat(text, " ", kSpinnerFrames[frame_]));
}

void ProgressDisplay::Bar(const std::string& key, const std::string& label, int64_t completed,
                          int64_t total) {
  const auto now = Now();
  auto it = bars_.find(key);
  if (it == bars_.end()) {
    it = bars_.emplace(key, ByteBar(label, total, completed, now)).first;
  }
  it->second.Set(completed, now);
  if (kind_ != Kind::kBar || key != current_) {
    Leave();
    kind_ = Kind::kBar;
    current_ = key;
  }
  if (tty_) {
    DrawLine(it->second.Render(Width()));
  } else if (it->second.finished() && !printed_) {
    PrintPlain(out_, it->second.Render(Width()));
    printed_ = true;
    std::fflush(out_);
  }
}

void ProgressDisplay::Update(const std::string& status, const std::string& digest, int64_t total,
                             int64_t completed) {
  if (!digest.empty() && total > 0) {
    Bar(digest, status, completed, total);
  } else if (!status.empty()) {
    Spinner(status);
  }
}

void ProgressDisplay::Stop() { Leave(); }

}  // namespace olla::cli
