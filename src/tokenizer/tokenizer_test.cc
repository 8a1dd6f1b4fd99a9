#include "tokenizer/tokenizer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "tokenizer/debug.h"
#include "tokenizer/test_util.h"
#include "tokenizer/wpm.h"

namespace olla::tokenizer {
namespace {

using testing::LoadTestTokenizer;
using testing::ReadRefPrompt;
using testing::ReadRefTokens;

bool Contains(const std::vector<TokenId>& ids, TokenId id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

TEST(TokenizerTest, Stories260KOnceUponATime) {
  auto tok = LoadTestTokenizer("models/stories260K.gguf");
  ASSERT_NE(tok, nullptr);
  EXPECT_EQ(tok->Tokenize("Once upon a time", true, false),
            (std::vector<TokenId>{1, 403, 407, 261, 378}));
  EXPECT_EQ(tok->Tokenize("Once upon a time", false, false),
            (std::vector<TokenId>{403, 407, 261, 378}));
}

// The public prompt of every reference model, tokenized with add_special = true.
TEST(TokenizerTest, MatchesReferencePromptTokens) {
  const struct {
    const char* model;
    const char* ref;
  } cases[] = {
      {"models/stories260K.gguf", "ref/stories260K.logits.json"},
      {"models/tiny-qwen2-F16.gguf", "ref/tiny-qwen2-F16.logits.json"},
      {"models/tiny-phi3-F16.gguf", "ref/tiny-phi3-F16.logits.json"},
      {"models/tiny-gemma-F16.gguf", "ref/tiny-gemma-F16.logits.json"},
      {"models/tiny-bert-F32.gguf", "ref/tiny-bert-F32.embd-tokens.json"},
  };
  for (const auto& c : cases) {
    auto tok = LoadTestTokenizer(c.model);
    ASSERT_NE(tok, nullptr) << c.model;
    std::string prompt = ReadRefPrompt(c.ref);
    ASSERT_EQ(prompt, "The quick brown fox jumps over the lazy dog. Hello world!") << c.ref;
    std::vector<TokenId> want = ReadRefTokens(c.ref);
    ASSERT_FALSE(want.empty()) << c.ref;
    EXPECT_EQ(tok->Tokenize(prompt, true, false), want) << c.model;
  }
}

TEST(TokenizerTest, DetokenizesReferenceTokens) {
  const std::string prompt = "The quick brown fox jumps over the lazy dog. Hello world!";
  for (const char* name : {"stories260K", "tiny-qwen2-F16", "tiny-phi3-F16", "tiny-gemma-F16"}) {
    auto tok = LoadTestTokenizer(std::string("models/") + name + ".gguf");
    ASSERT_NE(tok, nullptr);
    std::vector<TokenId> ids = ReadRefTokens(std::string("ref/") + name + ".logits.json");
    EXPECT_EQ(tok->Detokenize(ids), prompt) << name;
  }
  auto bert = LoadTestTokenizer("models/tiny-bert-F32.gguf");
  ASSERT_NE(bert, nullptr);
  std::vector<TokenId> ids = ReadRefTokens("ref/tiny-bert-F32.embd-tokens.json");
  EXPECT_EQ(bert->Detokenize(ids), "the quick brown fox jumps over the lazy dog . hello world !");
  DetokenizeOptions clean;
  clean.clean_spaces = true;
  EXPECT_EQ(bert->Detokenize(ids, clean),
            "the quick brown fox jumps over the lazy dog. hello world!");
  DetokenizeOptions special;
  special.render_special = true;
  EXPECT_EQ(bert->Detokenize(ids, special),
            "[CLS] the quick brown fox jumps over the lazy dog . hello world ![SEP]");
}

TEST(TokenizerTest, PiecesMatchLlamaCpp) {
  auto tok = LoadTestTokenizer("models/stories260K.gguf");
  ASSERT_NE(tok, nullptr);
  // From ref/stories260K.logits.json "pieces".
  EXPECT_EQ(tok->TokenToPiece(1), "<s>");
  EXPECT_EQ(tok->TokenToPiece(1, /*render_special=*/false), "");
  EXPECT_EQ(tok->TokenToPiece(291), " The");
  EXPECT_EQ(tok->TokenToPiece(tok->vocab().ByteToken(0xE2)), "\xE2");
  EXPECT_EQ(tok->TokenToPiece(-1), "");
  EXPECT_EQ(tok->TokenToPiece(512), "");
  auto gpt2 = LoadTestTokenizer("tokenizer/ggml-vocab-gpt-2.gguf");
  ASSERT_NE(gpt2, nullptr);
  EXPECT_EQ(gpt2->TokenToPiece(2068), " quick");  // "Ġquick"
  EXPECT_EQ(gpt2->TokenToPiece(198), "\n");       // "Ċ"
}

TEST(TokenizerTest, LeadingSpaceOption) {
  auto tok = LoadTestTokenizer("tokenizer/ggml-vocab-llama-spm.gguf");
  ASSERT_NE(tok, nullptr);
  const std::vector<TokenId> ids = {1, 15043, 3186};  // <s> ▁Hello ▁world
  EXPECT_EQ(tok->Detokenize(ids), "Hello world");
  DetokenizeOptions keep;
  keep.strip_leading_space = false;
  EXPECT_EQ(tok->Detokenize(ids, keep), " Hello world");
  DetokenizeOptions special;
  special.render_special = true;
  EXPECT_EQ(tok->Detokenize(ids, special), "<s> Hello world");
}

TEST(TokenizerTest, SpecialTokensOnlyWhenParsing) {
  auto phi3 = LoadTestTokenizer("tokenizer/ggml-vocab-phi-3.gguf");
  ASSERT_NE(phi3, nullptr);
  const Vocab& v = phi3->vocab();
  const TokenId user = v.Find("<|user|>");
  const TokenId end = v.Find("<|end|>");
  const TokenId assistant = v.Find("<|assistant|>");
  const std::string chat = "<|user|>\nHi<|end|>\n<|assistant|>";
  std::vector<TokenId> parsed = phi3->Tokenize(chat, true, true);
  // BOS, <|user|>, (rstrip ate the "\n"), ▁Hi, <|end|>, <|assistant|>.
  EXPECT_EQ(parsed, (std::vector<TokenId>{1, user, v.Find("\xE2\x96\x81Hi"), end, assistant}));
  std::vector<TokenId> plain = phi3->Tokenize(chat, true, false);
  EXPECT_FALSE(Contains(plain, user));
  EXPECT_FALSE(Contains(plain, end));
  EXPECT_EQ(phi3->Detokenize(plain), chat);

  auto gpt2 = LoadTestTokenizer("tokenizer/ggml-vocab-gpt-2.gguf");
  ASSERT_NE(gpt2, nullptr);
  EXPECT_EQ(gpt2->Tokenize("<|endoftext|>", false, true), (std::vector<TokenId>{50256}));
  std::vector<TokenId> text = gpt2->Tokenize("a<|endoftext|>", false, false);
  EXPECT_FALSE(Contains(text, 50256));
  EXPECT_EQ(gpt2->Detokenize(text), "a<|endoftext|>");
  DetokenizeOptions special;
  special.render_special = true;
  EXPECT_EQ(gpt2->Detokenize(gpt2->Tokenize("a<|endoftext|>b", false, true), special),
            "a<|endoftext|>b");
  EXPECT_EQ(gpt2->Detokenize(gpt2->Tokenize("a<|endoftext|>b", false, true)), "ab");

  // User-defined tokens are matched even without parse_special (HF added tokens).
  auto coder = LoadTestTokenizer("tokenizer/ggml-vocab-deepseek-coder.gguf");
  ASSERT_NE(coder, nullptr);
  const TokenId eot = coder->vocab().Find("<|EOT|>");
  ASSERT_EQ(coder->vocab().Type(eot), TokenType::kUserDefined);
  std::vector<TokenId> ids = coder->Tokenize("x<|EOT|>y", false, false);
  EXPECT_TRUE(Contains(ids, eot));
  EXPECT_EQ(coder->Detokenize(ids), "x<|EOT|>y");
}

TEST(TokenizerTest, AddsSpecialTokensPerMetadata) {
  auto bert = LoadTestTokenizer("tokenizer/ggml-vocab-bert-bge.gguf");
  ASSERT_NE(bert, nullptr);
  std::vector<TokenId> ids = bert->Tokenize("hello", true, false);
  ASSERT_EQ(ids.size(), 3u);
  EXPECT_EQ(ids.front(), 101);  // [CLS]
  EXPECT_EQ(ids.back(), 102);   // [SEP]
  EXPECT_EQ(bert->Tokenize("", true, false), (std::vector<TokenId>{101, 102}));

  auto spm = LoadTestTokenizer("tokenizer/ggml-vocab-llama-spm.gguf");
  ASSERT_NE(spm, nullptr);
  EXPECT_EQ(spm->Tokenize("", true, false), (std::vector<TokenId>{1}));
  EXPECT_EQ(spm->Tokenize("", false, false), (std::vector<TokenId>{}));

  auto coder = LoadTestTokenizer("tokenizer/ggml-vocab-deepseek-coder.gguf");
  ASSERT_NE(coder, nullptr);
  EXPECT_EQ(coder->Tokenize("a", true, false).front(), 32013);  // add_bos_token = true
  auto gpt2 = LoadTestTokenizer("tokenizer/ggml-vocab-gpt-2.gguf");
  ASSERT_NE(gpt2, nullptr);
  EXPECT_EQ(gpt2->Tokenize("a", true, false).size(), 1u);  // no BOS for gpt-2
}

TEST(TokenizerTest, HandlesInvalidUtf8) {
  const std::string text = "ok \xFF\xC3 end";
  for (const char* name : {"llama-spm", "gpt-2", "bert-bge"}) {
    auto tok = LoadTestTokenizer(std::string("tokenizer/ggml-vocab-") + name + ".gguf");
    ASSERT_NE(tok, nullptr);
    std::vector<TokenId> ids = tok->Tokenize(text, true, true);
    EXPECT_FALSE(ids.empty()) << name;
    for (TokenId id : ids) EXPECT_TRUE(tok->vocab().IsValid(id)) << name;
  }
  // SPM keeps the raw bytes through byte fallback.
  auto spm = LoadTestTokenizer("tokenizer/ggml-vocab-llama-spm.gguf");
  ASSERT_NE(spm, nullptr);
  EXPECT_EQ(spm->Detokenize(spm->Tokenize(text, false, false)), text);
}

TEST(TokenizerTest, RandomBytesGiveValidIds) {
  uint64_t state = 0x9E3779B97F4A7C15ull;
  auto next = [&state] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  // Bytes biased towards spaces, ASCII and UTF-8 lead/continuation bytes.
  const std::string alphabet =
      std::string(" \t\n'aZ09.<|>s") + "\xC3\xA9\xE2\x96\x81\xF0\x9F\xFF\x80";
  for (const char* name : {"llama-spm", "phi-3", "gpt-2", "deepseek-llm", "falcon", "bert-bge"}) {
    auto tok = LoadTestTokenizer(std::string("tokenizer/ggml-vocab-") + name + ".gguf");
    ASSERT_NE(tok, nullptr);
    for (int iter = 0; iter < 200; ++iter) {
      std::string text(next() % 64, ' ');
      for (char& c : text) c = alphabet[next() % alphabet.size()];
      for (bool special : {false, true}) {
        for (TokenId id : tok->Tokenize(text, special, special)) {
          ASSERT_TRUE(tok->vocab().IsValid(id)) << name;
        }
      }
    }
  }
}

TEST(TokenizerTest, WordPieceNormalization) {
  EXPECT_EQ(
      WpmTokenizer::SplitWords("H\xC3\xA9llo, WORLD!\t\xE4\xBD\xA0\xE5\xA5\xBD a\x01"
                               "b"),
      (std::vector<std::string>{"hello", ",", "world", "!", "\xE4\xBD\xA0", "\xE5\xA5\xBD", "ab"}));
  auto bert = LoadTestTokenizer("tokenizer/ggml-vocab-bert-bge.gguf");
  ASSERT_NE(bert, nullptr);
  // Words of more than 100 characters are [UNK], as in HF WordPiece.
  EXPECT_EQ(bert->Tokenize(std::string(101, 'a'), false, false), (std::vector<TokenId>{100}));
  EXPECT_NE(bert->Tokenize(std::string(100, 'a'), false, false), (std::vector<TokenId>{100}));
}

TEST(TokenizerTest, LongTextsAreFast) {
  std::string text;
  while (text.size() < 10000) {
    text += "The quick brown fox jumps over the lazy dog, 12345 times! Ünïcödé 🦙 日本語 ";
    text += "    indented\n\tcode(x) { return y + 42; }\n";
  }
  const std::string no_spaces(10000, 'a');
  for (const char* name : {"llama-spm", "gpt-2", "deepseek-llm", "falcon", "bert-bge"}) {
    auto tok = LoadTestTokenizer(std::string("tokenizer/ggml-vocab-") + name + ".gguf");
    ASSERT_NE(tok, nullptr);
    auto start = std::chrono::steady_clock::now();
    std::vector<TokenId> ids = tok->Tokenize(text, true, true);
    std::vector<TokenId> ids2 = tok->Tokenize(no_spaces, true, true);
    std::string back = tok->Detokenize(ids);
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    EXPECT_GT(ids.size(), 1000u) << name;
    // Milliseconds in practice; the bound only catches accidental quadratic behaviour.
    EXPECT_LT(ms, 1000.0) << name;
    std::printf("%-14s 2 x 10 KB tokenized + detokenized in %.1f ms (%zu + %zu tokens)\n", name, ms,
                ids.size(), ids2.size());
  }
}

TEST(TokenizerTest, DebugHelpers) {
  const std::string path = olla::testing::TestdataPath("models/stories260K.gguf");
  auto json = DebugTokenize(path, "Once upon a time");
  ASSERT_TRUE(json.ok()) << json.status().ToString();
  EXPECT_EQ(*json, "[1, 403, 407, 261, 378]");
  auto text = DebugDetokenize(path, "403,407, 261 378");
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(*text, "Once upon a time");
  EXPECT_EQ(*ParseTokenIds("[1, 2, 3]"), (std::vector<TokenId>{1, 2, 3}));
  EXPECT_EQ(*ParseTokenIds(""), (std::vector<TokenId>{}));
  EXPECT_EQ(FormatTokenIds({}), "[]");
  EXPECT_EQ(ParseTokenIds("1,x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseTokenIds("1,-2").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(DebugDetokenize(path, "512").status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(DebugTokenize(path + ".missing", "x").ok());
}

TEST(TokenizerTest, CleanSpacesLikeLlamaCpp) {
  const struct {
    std::string in, want;
  } cases[] = {
      {"Hello , world !", "Hello, world!"},
      {"a ' b", "a'b"},
      {"it 's I 'm we 're they 've", "it's I'm we're they've"},
      {"don 't I 'd we 'll", "don 't I 'd we 'll"},
      {" .", "."},
      {"", ""},
  };
  for (const auto& c : cases) {
    std::string s = c.in;
    CleanSpaces(s);
    EXPECT_EQ(s, c.want) << "'" << c.in << "'";
  }
}

}  // namespace
}  // namespace olla::tokenizer
