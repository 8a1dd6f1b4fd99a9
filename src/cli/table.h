#pragma once
// The section tables of `olla show`: a header indented two spaces, then rows whose first column
// is empty, each cell padded to the widest cell of its column plus four spaces (Ollama's
// tablewriter settings).

#include <string>
#include <vector>

namespace olla::cli {

struct Section {
  std::string title;
  std::vector<std::vector<std::string>> rows;
};

std::string RenderSection(const Section& section);

}  // namespace olla::cli

namespace olla::cli {
// The list/ps table style: header row first, no borders, each cell padded to its column's width
// plus four spaces (the last column too).
std::string RenderTable(const std::vector<std::vector<std::string>>& rows);
}  // namespace olla::cli
