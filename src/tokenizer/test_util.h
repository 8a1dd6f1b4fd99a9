#pragma once
// Helpers shared by the tokenizer tests.

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "gguf/reader.h"
#include "support/testdata.h"
#include "tokenizer/tokenizer.h"

namespace olla::tokenizer::testing {

// The tokenizer of a GGUF file under the shared test data (e.g. "tokenizer/ggml-vocab-gpt-2.gguf").
// Fails the test and returns nullptr if it cannot be built.
inline std::unique_ptr<Tokenizer> LoadTestTokenizer(const std::string& relative) {
  auto file = gguf::File::Open(olla::testing::TestdataPath(relative));
  if (!file.ok()) {
    ADD_FAILURE() << relative << ": " << file.status().ToString();
    return nullptr;
  }
  auto tok = Tokenizer::Create(file->metadata());
  if (!tok.ok()) {
    ADD_FAILURE() << relative << ": " << tok.status().ToString();
    return nullptr;
  }
  return std::make_unique<Tokenizer>(std::move(tok).value());
}

// Parses "1 2 3" (any whitespace) into ids.
inline std::vector<TokenId> ParseIds(std::string_view line) {
  std::vector<TokenId> ids;
  size_t pos = 0;
  while (pos < line.size()) {
    while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t' || line[pos] == '\r')) ++pos;
    size_t end = pos;
    while (end < line.size() && line[end] >= '0' && line[end] <= '9') ++end;
    if (end == pos) break;
    ids.push_back(std::stoi(std::string(line.substr(pos, end - pos))));
    pos = end;
  }
  return ids;
}

// The "tokens" array of a reference JSON sidecar (ref/*.json).
inline std::vector<TokenId> ReadRefTokens(const std::string& relative) {
  std::string json = olla::testing::ReadFileOrFail(olla::testing::TestdataPath(relative));
  size_t key = json.find("\"tokens\"");
  if (key == std::string::npos) {
    ADD_FAILURE() << relative << ": no \"tokens\" key";
    return {};
  }
  size_t open = json.find('[', key);
  size_t close = json.find(']', open);
  std::string inner = json.substr(open + 1, close - open - 1);
  for (char& c : inner) {
    if (c == ',' || c == '\n') c = ' ';
  }
  return ParseIds(inner);
}

// The "prompt" string of a reference JSON sidecar (no escapes in our prompts).
inline std::string ReadRefPrompt(const std::string& relative) {
  std::string json = olla::testing::ReadFileOrFail(olla::testing::TestdataPath(relative));
  size_t key = json.find("\"prompt\"");
  if (key == std::string::npos) return {};
  size_t open = json.find('"', json.find(':', key));
  size_t close = json.find('"', open + 1);
  return json.substr(open + 1, close - open - 1);
}

}  // namespace olla::tokenizer::testing
