#include "cli/progress.h"

#include <unistd.h>

#include <algorithm>
#include <iterator>

#include "base/str_cat.h"
#include "cli/human.h"

namespace olla::cli {

namespace {
constexpr const char* kSpinnerFrames[] = {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};
constexpr int kBarCells = 25;
}  // namespace

std::string RenderBar(const std::string& label, int64_t completed, int64_t total) {
  const int64_t done = std::clamp<int64_t>(completed, 0, std::max<int64_t>(total, 0));
  const int pct = total > 0 ? static_cast<int>(done * 100 / total) : 0;
  const int filled = total > 0 ? static_cast<int>(done * kBarCells / total) : 0;
  std::string bar;
  for (int i = 0; i < kBarCells; ++i) bar += i < filled ? "█" : " ";
  return StrFormat("%s %3d%% ▕%s▏ %s/%s", label.c_str(), pct, bar.c_str(), HumanBytes(done).c_str(),
                   HumanBytes(total).c_str());
}

ProgressDisplay::ProgressDisplay(FILE* out) : out_(out), tty_(isatty(fileno(out)) != 0) {}

void ProgressDisplay::Draw(const std::string& key, const std::string& text, const std::string& line,
                           bool bar) {
  if (!tty_) {  // each distinct status once, as plain lines
    if (key != current_) std::fprintf(out_, "%s\n", text.c_str());
    current_ = key;
    std::fflush(out_);
    return;
  }
  if (key != current_ && open_) {
    Stop();
  }
  current_ = key;
  text_ = text;
  bar_ = bar;
  std::fprintf(out_, "\r\033[K%s", line.c_str());
  open_ = true;
  std::fflush(out_);
}

void ProgressDisplay::Spinner(const std::string& text, const std::string& key) {
  frame_ = (frame_ + 1) % std::size(kSpinnerFrames);
  Draw(key.empty() ? text : key, text, StrCat(text, " ", kSpinnerFrames[frame_]), /*bar=*/false);
}

void ProgressDisplay::Bar(const std::string& label, int64_t completed, int64_t total) {
  Draw(label, label, RenderBar(label, completed, total), /*bar=*/true);
}

void ProgressDisplay::Update(const std::string& status, const std::string& digest, int64_t total,
                             int64_t completed) {
  if (!digest.empty() && total > 0) {
    Bar(status, completed, total);
  } else if (!status.empty()) {
    Spinner(status);
  }
}

void ProgressDisplay::Stop() {
  if (!tty_ || !open_) return;
  // Leave the finished line without its spinner frame.
  if (!bar_) {
    std::fprintf(out_, "\r\033[K%s", text_.c_str());
  }
  std::fprintf(out_, "\n");
  open_ = false;
  std::fflush(out_);
}

}  // namespace olla::cli
