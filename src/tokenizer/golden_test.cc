// llama.cpp's tokenizer test vectors (testdata/tokenizer/*.gguf.{inp,out}): 46 strings per
// vocabulary, tokenized with add_special = false, parse_special = false.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tokenizer/test_util.h"

namespace olla::tokenizer {
namespace {

using testing::LoadTestTokenizer;
using testing::ParseIds;

struct VocabCase {
  const char* name;
  bool lossless;  // Detokenize(Tokenize(x)) == x for every test string
};

// bert-bge is lossy: WordPiece lowercases, strips accents and drops whitespace.
const VocabCase kVocabs[] = {
    {"llama-spm", true},    {"phi-3", true},  {"gpt-2", true},     {"deepseek-coder", true},
    {"deepseek-llm", true}, {"falcon", true}, {"starcoder", true}, {"bert-bge", false},
};

std::vector<std::string> SplitInputs(const std::string& inp) {
  const std::string sep = "\n__ggml_vocab_test__\n";
  std::vector<std::string> out;
  size_t pos = 0;
  for (size_t next; (next = inp.find(sep, pos)) != std::string::npos; pos = next + sep.size()) {
    out.push_back(inp.substr(pos, next - pos));
  }
  return out;  // the remainder after the last separator is dropped
}

std::vector<std::vector<TokenId>> SplitOutputs(const std::string& out) {
  std::vector<std::vector<TokenId>> lines;
  size_t pos = 0;
  while (pos < out.size()) {
    size_t end = out.find('\n', pos);
    if (end == std::string::npos) end = out.size();
    lines.push_back(ParseIds(std::string_view(out).substr(pos, end - pos)));
    pos = end + 1;
  }
  return lines;
}

class GoldenTest : public ::testing::TestWithParam<VocabCase> {
 protected:
  void SetUp() override {
    const std::string base = std::string("tokenizer/ggml-vocab-") + GetParam().name + ".gguf";
    tok_ = LoadTestTokenizer(base);
    inputs_ =
        SplitInputs(olla::testing::ReadFileOrFail(olla::testing::TestdataPath(base + ".inp")));
    outputs_ =
        SplitOutputs(olla::testing::ReadFileOrFail(olla::testing::TestdataPath(base + ".out")));
  }

  std::unique_ptr<Tokenizer> tok_;
  std::vector<std::string> inputs_;
  std::vector<std::vector<TokenId>> outputs_;
};

TEST_P(GoldenTest, MatchesLlamaCppVectors) {
  ASSERT_NE(tok_, nullptr);
  ASSERT_EQ(inputs_.size(), 46u);
  ASSERT_EQ(outputs_.size(), inputs_.size());
  for (size_t i = 0; i < inputs_.size(); ++i) {
    EXPECT_EQ(tok_->Tokenize(inputs_[i], /*add_special=*/false, /*parse_special=*/false),
              outputs_[i])
        << GetParam().name << " case " << i << ": '" << inputs_[i] << "'";
  }
}

TEST_P(GoldenTest, ParseSpecialDoesNotChangePlainText) {
  ASSERT_NE(tok_, nullptr);
  // None of the strings contains a special-token text.
  for (size_t i = 0; i < inputs_.size() && i < outputs_.size(); ++i) {
    EXPECT_EQ(tok_->Tokenize(inputs_[i], false, /*parse_special=*/true), outputs_[i])
        << GetParam().name << " case " << i;
  }
}

TEST_P(GoldenTest, DetokenizeRoundTrips) {
  ASSERT_NE(tok_, nullptr);
  if (!GetParam().lossless) GTEST_SKIP() << GetParam().name << " is lossy";
  for (size_t i = 0; i < inputs_.size(); ++i) {
    std::vector<TokenId> ids = tok_->Tokenize(inputs_[i], false, false);
    EXPECT_EQ(tok_->Detokenize(ids), inputs_[i]) << GetParam().name << " case " << i;
    // With BOS in front, the leading-space rule still gives the text back.
    std::vector<TokenId> with_bos = tok_->Tokenize(inputs_[i], true, false);
    EXPECT_EQ(tok_->Detokenize(with_bos), inputs_[i]) << GetParam().name << " case " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Vocabs, GoldenTest, ::testing::ValuesIn(kVocabs),
                         [](const ::testing::TestParamInfo<VocabCase>& param_info) {
                           std::string name = param_info.param.name;
                           for (char& c : name) {
                             if (c == '-') c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace olla::tokenizer
