#include "cli/line_editor.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "cli/word_wrap.h"
#include "support/testdata.h"

namespace olla::cli {
namespace {

// Types `bytes` into a fresh line; returns the events that were not kNone.
std::vector<LineState::Event> Type(LineState& line, const std::string& bytes) {
  KeyDecoder decoder;
  std::vector<LineState::Event> events;
  for (unsigned char b : bytes) {
    if (auto key = decoder.Feed(b)) {
      LineState::Event e = line.Apply(*key);
      if (e != LineState::Event::kNone) events.push_back(e);
    }
  }
  return events;
}

TEST(KeyDecoderTest, ControlKeysEscapesAndUtf8) {
  KeyDecoder d;
  auto keys = [&](const std::string& bytes) {
    std::vector<Key::Type> out;
    for (unsigned char b : bytes)
      if (auto k = d.Feed(b)) out.push_back(k->type);
    return out;
  };
  using T = Key::Type;
  EXPECT_EQ(keys("\x01\x05\x03\x04\r\x7f\x0b\x15\x17\x0c"),
            (std::vector<T>{T::kHome, T::kEnd, T::kInterrupt, T::kEof, T::kEnter, T::kBackspace,
                            T::kKillEnd, T::kKillStart, T::kKillWord, T::kClearScreen}));
  EXPECT_EQ(keys("\033[A\033[B\033[C\033[D\033[H\033[F\033[3~\033OH\033b\033f\033[1;5C"),
            (std::vector<T>{T::kUp, T::kDown, T::kRight, T::kLeft, T::kHome, T::kEnd, T::kDelete,
                            T::kHome, T::kWordLeft, T::kWordRight, T::kWordRight}));
  EXPECT_EQ(keys("\033[200~\033[201~"), (std::vector<T>{T::kPasteStart, T::kPasteEnd}));
  std::string text;
  for (unsigned char b : std::string("é€😀x"))
    if (auto k = d.Feed(b)) text += k->text + "|";
  EXPECT_EQ(text, "é|€|😀|x|");
  EXPECT_FALSE(d.pending());
}

TEST(LineStateTest, Editing) {
  LineState line;
  EXPECT_TRUE(Type(line, "hello world").empty());
  EXPECT_EQ(line.text(), "hello world");
  Type(line, "\x01X\x05!");  // Home, X, End, !
  EXPECT_EQ(line.text(), "Xhello world!");
  Type(line, "\x17");  // Ctrl-W: delete the previous word
  EXPECT_EQ(line.text(), "Xhello ");
  Type(line, "\033[D\033[D\x0b");  // left twice, kill to end
  EXPECT_EQ(line.text(), "Xhell");
  Type(line, "\x7f\x7f");
  EXPECT_EQ(line.text(), "Xhe");
  Type(line, "\x15");  // Ctrl-U
  EXPECT_EQ(line.text(), "");
  Type(line, "né€");
  Type(line, "\x7f\033[D\033[3~");  // backspace €, left over é, delete é
  EXPECT_EQ(line.text(), "n");
  EXPECT_EQ(line.cursor(), 1u);
  Type(line, "ab cd\033b\033bX");  // Alt-B twice: before "ab"
  EXPECT_EQ(line.text(), "Xnab cd");
}

TEST(LineStateTest, SubmitEofInterruptAndPaste) {
  LineState line;
  EXPECT_EQ(Type(line, "hi\r"), std::vector<LineState::Event>{LineState::Event::kSubmit});
  EXPECT_FALSE(line.submitted_in_paste());
  line.Reset();
  EXPECT_EQ(Type(line, "\x04"), std::vector<LineState::Event>{LineState::Event::kEof});
  Type(line, "ab\x01\x04");  // Ctrl-D on a non-empty line deletes under the cursor
  EXPECT_EQ(line.text(), "b");
  EXPECT_EQ(Type(line, "\x03"), std::vector<LineState::Event>{LineState::Event::kInterrupt});
  line.Reset();
  EXPECT_EQ(Type(line, "\033[200~one\r"), std::vector<LineState::Event>{LineState::Event::kSubmit});
  EXPECT_TRUE(line.submitted_in_paste());
  line.Reset();
  Type(line, "two\033[201~");
  EXPECT_FALSE(line.pasting());
  EXPECT_EQ(Type(line, "\r"), std::vector<LineState::Event>{LineState::Event::kSubmit});
  EXPECT_FALSE(line.submitted_in_paste());
}

TEST(LineStateTest, History) {
  LineState line;
  line.SetHistory({"first", "second"});
  Type(line, "draft\033[A");
  EXPECT_EQ(line.text(), "second");
  Type(line, "\033[A\033[A");  // stays at the oldest
  EXPECT_EQ(line.text(), "first");
  Type(line, "\033[B");
  EXPECT_EQ(line.text(), "second");
  Type(line, "\033[B");
  EXPECT_EQ(line.text(), "draft");  // back to what was being typed
}

TEST(RenderLineTest, PlaceholderShortAndWrappedLines) {
  int row = 0;
  EXPECT_EQ(RenderLine(">>> ", "", 0, "Send a message (/? for help)", 80, &row),
            "\r\033[J>>> \033[90mSend a message (/? for help)\033[0m\r\033[4C");
  EXPECT_EQ(row, 0);
  EXPECT_EQ(RenderLine(">>> ", "abc", 1, "", 80, &row), "\r\033[J>>> abc\r\033[5C");
  // 4 + 12 = 16 columns on a 10-column terminal: the cursor (at the end) is on row 1.
  EXPECT_EQ(RenderLine(">>> ", "abcdefghijkl", 12, "", 10, &row), "\r\033[J>>> abcdefghijkl");
  EXPECT_EQ(row, 1);
  // The next draw starts by going back up to the prompt's row; cursor at 2 is on row 0.
  EXPECT_EQ(RenderLine(">>> ", "abcdefghijkl", 2, "", 10, &row),
            "\033[1A\r\033[J>>> abcdefghijkl\033[1A\r\033[6C");
  EXPECT_EQ(row, 0);
  // Ending exactly at the margin starts the next row explicitly.
  EXPECT_EQ(RenderLine(">>> ", "abcdef", 6, "", 10, &row), "\r\033[J>>> abcdef\n");
  EXPECT_EQ(row, 1);
  EXPECT_EQ(DisplayWidth("a€😀"), 4);
}

TEST(HistoryFileTest, KeepsTheLastEntriesPrivately) {
  olla::testing::TempDir dir;
  const std::string path = dir.Join("sub/history");
  std::vector<std::string> entries;
  for (int i = 0; i < 120; ++i) entries.push_back("line " + std::to_string(i));
  ASSERT_TRUE(SaveHistory(path, entries).ok());
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto loaded = LoadHistory(path);
  ASSERT_EQ(loaded.size(), 100u);
  EXPECT_EQ(loaded.front(), "line 20");
  EXPECT_EQ(loaded.back(), "line 119");
  EXPECT_TRUE(LoadHistory(dir.Join("missing")).empty());
}

TEST(WordWrapperTest, MovesThePartialWordToANewLine) {
  WordWrapper w(20);  // wraps once a line would pass 15 columns
  EXPECT_EQ(w.Feed("hello world they go"), "hello world the\033[3D\033[K\nthey go");
  // Newlines reset the line.
  WordWrapper n(20);
  EXPECT_EQ(n.Feed("0123456789\nabcdefghij"), "0123456789\nabcdefghij");
  // Too narrow a terminal: no wrapping.
  WordWrapper narrow(8);
  EXPECT_EQ(narrow.Feed("a b c d e f g h i j k"), "a b c d e f g h i j k");
  // Streamed in pieces gives the same bytes as all at once.
  WordWrapper a(20), b(20);
  const std::string text = "the quick brown fox jumps over the lazy dog again and again";
  std::string pieces;
  for (char c : text) pieces += b.Feed(std::string(1, c));
  EXPECT_EQ(a.Feed(text), pieces);
}

}  // namespace
}  // namespace olla::cli
