#include "tokenizer/streaming.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/utf8.h"
#include "tokenizer/test_util.h"

namespace olla::tokenizer {
namespace {

using testing::LoadTestTokenizer;

TEST(StreamingDetokenizerTest, HoldsBackSplitCharacters) {
  auto tok = LoadTestTokenizer("tokenizer/ggml-vocab-llama-spm.gguf");
  ASSERT_NE(tok, nullptr);
  const Vocab& v = tok->vocab();
  // "€" (E2 82 AC) has no token of its own here... spell it with byte tokens anyway.
  std::vector<TokenId> ids = {v.Find("\xE2\x96\x81"
                                     "a"),
                              v.ByteToken(0xE2), v.ByteToken(0x82), v.ByteToken(0xAC), v.Find("b")};
  StreamingDetokenizer stream(*tok);
  EXPECT_EQ(stream.Push(ids[0]), "a");  // the leading space is stripped
  EXPECT_EQ(stream.Push(ids[1]), "");
  EXPECT_EQ(stream.pending_bytes(), 1u);
  EXPECT_EQ(stream.Push(ids[2]), "");
  EXPECT_EQ(stream.Push(ids[3]), "\xE2\x82\xAC");
  EXPECT_EQ(stream.Push(ids[4]), "b");
  EXPECT_EQ(stream.Flush(), "");
}

TEST(StreamingDetokenizerTest, FlushAndInvalidBytesStayValidUtf8) {
  auto tok = LoadTestTokenizer("tokenizer/ggml-vocab-llama-spm.gguf");
  ASSERT_NE(tok, nullptr);
  const Vocab& v = tok->vocab();
  StreamingDetokenizer stream(*tok);
  std::string out = stream.Push(v.ByteToken(0xFF));  // can never start a character
  EXPECT_EQ(out, "\xEF\xBF\xBD");
  EXPECT_EQ(stream.Push(v.ByteToken(0xF0)), "");
  EXPECT_EQ(stream.Push(v.ByteToken(0x9F)), "");
  std::string tail = stream.Flush();  // the stream ended inside a character
  EXPECT_FALSE(tail.empty());
  EXPECT_TRUE(utf8::IsValid(tail));
  EXPECT_EQ(stream.pending_bytes(), 0u);
}

// Pushing token by token gives what Detokenize gives for the whole sequence.
TEST(StreamingDetokenizerTest, MatchesDetokenize) {
  const std::string text =
      " this is 🦙.cpp\n нещо на Български 🚀 (normal) 😶‍🌫️ ✅ "
      "我想在apple工作1314151天～";
  for (const char* name : {"llama-spm", "phi-3", "gpt-2", "deepseek-llm", "bert-bge"}) {
    auto tok = LoadTestTokenizer(std::string("tokenizer/ggml-vocab-") + name + ".gguf");
    ASSERT_NE(tok, nullptr);
    std::vector<TokenId> ids = tok->Tokenize(text, true, false);
    StreamingDetokenizer stream(*tok);
    std::string streamed;
    for (TokenId id : ids) {
      std::string part = stream.Push(id);
      EXPECT_TRUE(utf8::IsValid(part)) << name;
      streamed += part;
    }
    streamed += stream.Flush();
    EXPECT_EQ(streamed, tok->Detokenize(ids)) << name;
  }
}

}  // namespace
}  // namespace olla::tokenizer
