#pragma once
// Word wrapping of streamed model output on a terminal, as Ollama's displayResponse (spec §1.4):
// characters are printed as they arrive, and when a line would pass width-5 columns the
// partial word at its end is moved to the next line (cursor-left and clear-to-end escapes).
// Pure: Feed() returns the bytes to write.

#include <string>
#include <string_view>

namespace olla::cli {

class WordWrapper {
 public:
  // `width` is the terminal width; 0 (unknown) counts as 80. Below 10 nothing is wrapped.
  explicit WordWrapper(int width) : width_(width == 0 ? 80 : width) {}

  std::string Feed(std::string_view text);

 private:
  int width_;
  int line_ = 0;      // columns used on the current line
  std::string word_;  // the partial word at the end of the line
  int word_cols_ = 0;
};

// Terminal columns of a code point: 2 for East Asian wide and emoji ranges, else 1.
int CodepointWidth(char32_t c);

}  // namespace olla::cli
