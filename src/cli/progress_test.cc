#include "cli/progress.h"

#include <gtest/gtest.h>

#include <cstdio>

#include "cli/progress_bar.h"

namespace olla::cli {
namespace {

using namespace std::chrono_literals;
using Clock = ByteBar::Clock;

std::string Blocks(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += "█";
  return s;
}
bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

TEST(ByteBarTest, RunningBarShowsSizesRateAndEta) {
  const Clock::time_point t0{};
  ByteBar bar("pulling 0123456789ab:", 1000000, 0, t0);
  bar.Set(500000, t0 + 2s);  // one sample: 250 KB/s since the start
  EXPECT_EQ(bar.Render(80),
            "pulling 0123456789ab:  50% ▕█████████         ▏ 500 KB/  1 MB  250 KB/s      2s");
  EXPECT_FALSE(bar.finished());
}

TEST(ByteBarTest, FinishedBarShowsOnlyTheTotal) {
  const Clock::time_point t0{};
  ByteBar bar("pulling 0123456789ab:", 1000000, 0, t0);
  bar.Set(400000, t0 + 1s);
  bar.Set(2000000, t0 + 4s);  // clamped to the total
  EXPECT_TRUE(bar.finished());
  EXPECT_EQ(bar.value(), 1000000);
  EXPECT_EQ(bar.Render(80),
            "pulling 0123456789ab: 100% ▕" + Blocks(18) + "▏   1 MB" + std::string(7 + 18, ' '));
  // A cache hit (initial == total) is finished from the start.
  EXPECT_TRUE(ByteBar("x", 10, 10, t0).finished());
}

TEST(ByteBarTest, RateIsAveragedOverRecentSamples) {
  const Clock::time_point t0{};
  ByteBar bar("", 100000000, 0, t0);
  bar.Set(1000000, t0 + 2s);
  bar.Set(1500000, t0 + 2500ms);  // within a second of the last sample: not sampled
  bar.Set(9000000, t0 + 4s);      // 8 MB over 2 s between the samples → 4 MB/s
  const std::string line = bar.Render(100);
  EXPECT_NE(line.find("  4 MB/s"), std::string::npos) << line;
  // 91 MB left at 4 MB/s: 22 s (truncated, Go duration form).
  EXPECT_NE(line.find("   22s"), std::string::npos) << line;
  EXPECT_EQ(line.rfind("  9% ▕", 0), 0u) << line;
}

TEST(ByteBarTest, EtaFormats) {
  EXPECT_EQ(FormatEta(0s), "0s");
  EXPECT_EQ(FormatEta(45s), "45s");
  EXPECT_EQ(FormatEta(200s), "3m20s");
  EXPECT_EQ(FormatEta(3720s), "1h2m");
  EXPECT_EQ(FormatEta(100h), "99h+");
}

std::string ReadAll(FILE* f) {
  std::rewind(f);
  std::string out(8192, '\0');
  out.resize(std::fread(out.data(), 1, out.size(), f));
  std::fclose(f);
  return out;
}

TEST(ProgressDisplayTest, PlainOutputPrintsEachStatusOnceAndFinishedBars) {
  FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  Clock::time_point now{};
  {
    ProgressDisplay p(f, /*tty=*/false);
    p.set_clock([&] { return now; });
    p.Spinner("pulling manifest");
    p.Spinner("pulling manifest");
    p.Bar("sha256:a", "pulling aaaaaaaaaaaa:", 10, 100);
    now += 2s;
    p.Bar("sha256:a", "pulling aaaaaaaaaaaa:", 100, 100);
    p.Bar("sha256:a", "pulling aaaaaaaaaaaa:", 100, 100);  // printed once
    p.Bar("sha256:b", "pulling bbbbbbbbbbbb:", 5, 50);     // left unfinished: printed as left
    p.Spinner("verifying sha256 digest");
    p.Spinner("success");
  }
  const std::string out = ReadAll(f);
  EXPECT_EQ(out.find('\r'), std::string::npos);
  EXPECT_EQ(out.find('\033'), std::string::npos);
  const std::string bar_a = "pulling aaaaaaaaaaaa: 100% ▕" + Blocks(18) + "▏  100 B";
  const std::string expected_prefix =
      "pulling manifest\n" + bar_a + "\npulling bbbbbbbbbbbb:  10% ▕";
  EXPECT_EQ(out.rfind(expected_prefix, 0), 0u) << out;
  EXPECT_NE(out.find("▏    5 B/  50 B"), std::string::npos) << out;
  EXPECT_TRUE(EndsWith(out, "\nverifying sha256 digest\nsuccess\n")) << out;
}

TEST(ProgressDisplayTest, TerminalRewritesTheCurrentLine) {
  FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  {
    ProgressDisplay p(f, /*tty=*/true);
    p.set_width(60);
    p.Spinner("pulling manifest");
    p.Bar("sha256:a", "pulling aaaaaaaaaaaa:", 50, 100);
    p.Bar("sha256:a", "pulling aaaaaaaaaaaa:", 100, 100);
    p.Spinner("success");
  }
  const std::string out = ReadAll(f);
  // The spinner line ends without its frame, the bar in its finished form, each with a newline.
  EXPECT_NE(out.find("\r\033[Kpulling manifest\n"), std::string::npos) << out;
  EXPECT_NE(out.find("\r\033[Kpulling aaaaaaaaaaaa: 100% ▕"), std::string::npos) << out;
  EXPECT_NE(out.find("  50 B/ 100 B"), std::string::npos) << out;
  EXPECT_TRUE(EndsWith(out, "\r\033[Ksuccess\n")) << out;
}

}  // namespace
}  // namespace olla::cli
