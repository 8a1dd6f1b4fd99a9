#include "cli/table.h"

#include <algorithm>

#include "base/utf8.h"

namespace olla::cli {
namespace {
size_t DisplayWidth(const std::string& s) {
  size_t n = 0, pos = 0;
  while (pos < s.size()) {
    utf8::DecodeNext(s, &pos);
    ++n;
  }
  return n;
}
}  // namespace

std::string RenderSection(const Section& section) {
  std::vector<size_t> widths;
  for (const auto& row : section.rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], DisplayWidth(row[c]));
  }
  std::string out = "  " + section.title + "\n";
  for (const auto& row : section.rows) {
    out += "    ";
    for (size_t c = 0; c < row.size(); ++c) {
      out += row[c];
      out.append(widths[c] + 4 - DisplayWidth(row[c]), ' ');
    }
    out += "\n";
  }
  out += "\n";
  return out;
}

}  // namespace olla::cli

namespace olla::cli {
std::string RenderTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], DisplayWidth(row[c]));
  }
  std::string out;
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) {
      out += row[c];
      out.append(widths[c] + 4 - DisplayWidth(row[c]), ' ');
    }
    out += "\n";
  }
  return out;
}
}  // namespace olla::cli
