#include "sampling/stop_matcher.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace olla::sampling {
namespace {

struct Step {
  std::string piece;
  std::string want_text;  // what Feed() may emit for this piece
};

TEST(StopMatcherTest, StreamsPieces) {
  const struct {
    std::string name;
    std::vector<std::string> stops;
    std::vector<Step> steps;
    bool want_stopped;
    std::string want_stop;
    std::string want_flush;  // when not stopped
  } cases[] = {
      {"no_stops", {}, {{"Hello", "Hello"}, {" world", " world"}}, false, "", ""},
      {"unrelated_text", {"</s>"}, {{"Hello", "Hello"}, {" world", " world"}}, false, "", ""},
      {"stop_inside_piece", {"END"}, {{"abcENDdef", "abc"}}, true, "END", ""},
      {"split_over_pieces",
       {"</s>"},
       {{"Hi <", "Hi "}, {"/", ""}, {"s", ""}, {">tail", ""}},
       true,
       "</s>",
       ""},
      {"partial_then_no_match",
       {"</s>"},
       {{"a <", "a "}, {"/x", "</x"}, {" b", " b"}},
       false,
       "",
       ""},
      {"partial_held_at_end", {"</s>"}, {{"abc</", "abc"}}, false, "", "</"},
      {"multiple_stops", {"foo", "bar"}, {{"xxba", "xx"}, {"r", ""}}, true, "bar", ""},
      {"multiple_stops_other", {"foo", "bar"}, {{"xxf", "xx"}, {"oo!", ""}}, true, "foo", ""},
      {"earliest_wins", {"b", "ab"}, {{"xab", "x"}}, true, "ab", ""},
      {"tie_first_listed", {"ab", "abc"}, {{"zabc", "z"}}, true, "ab", ""},
      {"stop_at_very_start", {"STOP"}, {{"ST", ""}, {"OP", ""}}, true, "STOP", ""},
      {"whole_stop_first_piece", {"STOP"}, {{"STOP and more", ""}}, true, "STOP", ""},
      {"overlapping_prefix", {"aab"}, {{"aaa", "a"}, {"b", ""}}, true, "aab", ""},
      {"other_stop_inside_held", {"abc", "bd"}, {{"ab", ""}, {"d", "a"}}, true, "bd", ""},
      {"prefix_released_later", {"abc"}, {{"ab", ""}, {"x", "abx"}}, false, "", ""},
      {"empty_pieces", {"</s>"}, {{"", ""}, {"<", ""}, {"", ""}, {"x", "<x"}}, false, "", ""},
      {"empty_stop_ignored", {""}, {{"abc", "abc"}}, false, "", ""},
      {"newline_stop", {"\n\n"}, {{"line\n", "line"}, {"\nnext", ""}}, true, "\n\n", ""},
      {"utf8_stop", {"。"}, {{"你好\xE3", "你好"}, {"\x80\x82", ""}}, true, "。", ""},
  };
  for (const auto& c : cases) {
    StopMatcher m(c.stops);
    std::string all_text;
    bool stopped = false;
    std::string stop;
    for (const Step& step : c.steps) {
      const StopResult r = m.Feed(step.piece);
      EXPECT_EQ(r.text, step.want_text) << c.name << " piece '" << step.piece << "'";
      all_text += r.text;
      stopped = r.stopped;
      stop = r.stop;
    }
    EXPECT_EQ(stopped, c.want_stopped) << c.name;
    EXPECT_EQ(m.stopped(), c.want_stopped) << c.name;
    EXPECT_EQ(stop, c.want_stop) << c.name;
    EXPECT_EQ(m.Flush(), c.want_flush) << c.name;
  }
}

TEST(StopMatcherTest, HoldsIncompleteUtf8) {
  StopMatcher m({});
  // "€" is E2 82 AC, split over three pieces as byte-level BPE may do.
  EXPECT_EQ(m.Feed("a\xE2").text, "a");
  EXPECT_EQ(m.held(), 1u);
  EXPECT_EQ(m.Feed("\x82").text, "");
  EXPECT_EQ(m.Feed("\xAC!").text, "\xE2\x82\xAC!");
  EXPECT_EQ(m.held(), 0u);
  // Invalid bytes are not held: they will never become valid.
  EXPECT_EQ(m.Feed("\xFF").text, "\xFF");
  // At the end, a dangling lead byte is flushed as is.
  EXPECT_EQ(m.Feed("\xF0\x9F").text, "");
  EXPECT_EQ(m.Flush(), "\xF0\x9F");
}

TEST(StopMatcherTest, NothingAfterStop) {
  StopMatcher m({"<|im_end|>"});
  const StopResult first = m.Feed("done<|im_end|>");
  EXPECT_EQ(first.text, "done");
  EXPECT_TRUE(first.stopped);
  const StopResult later = m.Feed("more text");
  EXPECT_EQ(later.text, "");
  EXPECT_TRUE(later.stopped);
  EXPECT_EQ(later.stop, "<|im_end|>");
  EXPECT_EQ(m.Flush(), "");
}

TEST(StopMatcherTest, ResetStartsOver) {
  StopMatcher m({"xy"});
  EXPECT_TRUE(m.Feed("axy").stopped);
  m.Reset();
  EXPECT_FALSE(m.stopped());
  EXPECT_EQ(m.Feed("ax").text, "a");
  m.Reset();
  EXPECT_EQ(m.held(), 0u);
  EXPECT_EQ(m.Feed("y").text, "y");
}

TEST(StopMatcherTest, OneByteAtATimeMatchesWholeText) {
  // Feeding byte by byte must emit exactly the text before the first stop sequence.
  const std::string text = "The answer is 42.\nUser: next question\nAssistant:";
  StopMatcher m({"Assistant:", "\nUser:", "User: x"});
  std::string out;
  bool stopped = false;
  for (char ch : text) {
    const StopResult r = m.Feed(std::string_view(&ch, 1));
    out += r.text;
    EXPECT_LE(m.held(), std::string("Assistant:").size());
    if (r.stopped) {
      stopped = true;
      break;
    }
  }
  EXPECT_TRUE(stopped);
  EXPECT_EQ(out, "The answer is 42.");
}

}  // namespace
}  // namespace olla::sampling
