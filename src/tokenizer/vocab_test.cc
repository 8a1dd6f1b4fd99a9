#include "tokenizer/vocab.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tokenizer/test_util.h"

namespace olla::tokenizer {
namespace {

gguf::Value Str(const std::string& s) { return gguf::Value(s); }

gguf::Value StrArray(const std::vector<std::string>& items) {
  gguf::Array array{gguf::ValueType::kString, {}};
  for (const auto& s : items) array.items.push_back(Str(s));
  return gguf::Value(std::move(array));
}

gguf::Value FloatArray(size_t n) {
  gguf::Array array{gguf::ValueType::kFloat32, {}};
  for (size_t i = 0; i < n; ++i) array.items.push_back(gguf::Value(-static_cast<float>(i)));
  return gguf::Value(std::move(array));
}

gguf::Value IntArray(const std::vector<int32_t>& items) {
  gguf::Array array{gguf::ValueType::kInt32, {}};
  for (int32_t v : items) array.items.push_back(gguf::Value(v));
  return gguf::Value(std::move(array));
}

// A 6-token SentencePiece vocabulary.
gguf::Metadata SpmMetadata() {
  gguf::Metadata md;
  md.Set("tokenizer.ggml.model", Str("llama"));
  md.Set("tokenizer.ggml.tokens", StrArray({"<unk>", "<s>", "</s>", "\xE2\x96\x81", "a", "b"}));
  md.Set("tokenizer.ggml.scores", FloatArray(6));
  md.Set("tokenizer.ggml.token_type", IntArray({2, 3, 3, 1, 1, 1}));
  return md;
}

TEST(VocabTest, ReadsSpmDefaults) {
  auto vocab = Vocab::FromMetadata(SpmMetadata());
  ASSERT_TRUE(vocab.ok()) << vocab.status().ToString();
  EXPECT_EQ(vocab->type(), ModelType::kSpm);
  EXPECT_EQ(vocab->size(), 6u);
  EXPECT_EQ(vocab->bos(), 1);
  EXPECT_EQ(vocab->eos(), 2);
  EXPECT_EQ(vocab->unk(), 0);
  EXPECT_EQ(vocab->sep(), kNoToken);
  EXPECT_TRUE(vocab->add_bos());
  EXPECT_FALSE(vocab->add_eos());
  EXPECT_TRUE(vocab->add_space_prefix());
  EXPECT_EQ(vocab->Find("a"), 4);
  EXPECT_EQ(vocab->Find("c"), kNoToken);
  EXPECT_EQ(vocab->Type(1), TokenType::kControl);
  EXPECT_TRUE(vocab->IsEog(2));
  EXPECT_FALSE(vocab->IsEog(1));
}

TEST(VocabTest, RejectsBadMetadataNamingTheKey) {
  const struct {
    std::string name;
    void (*mutate)(gguf::Metadata&);
    StatusCode code;
    std::string key;
  } cases[] = {
      {"no model", [](gguf::Metadata& md) { md.Erase("tokenizer.ggml.model"); },
       StatusCode::kNotFound, "tokenizer.ggml.model"},
      {"unknown model", [](gguf::Metadata& md) { md.Set("tokenizer.ggml.model", Str("rwkv")); },
       StatusCode::kUnsupported, "tokenizer.ggml.model"},
      {"no tokens", [](gguf::Metadata& md) { md.Erase("tokenizer.ggml.tokens"); },
       StatusCode::kNotFound, "tokenizer.ggml.tokens"},
      {"empty tokens", [](gguf::Metadata& md) { md.Set("tokenizer.ggml.tokens", StrArray({})); },
       StatusCode::kCorrupt, "tokenizer.ggml.tokens"},
      {"tokens not strings",
       [](gguf::Metadata& md) {
         md.Set("tokenizer.ggml.tokens", IntArray({1, 2}));
       },
       StatusCode::kCorrupt, "tokenizer.ggml.tokens"},
      {"tokens not an array", [](gguf::Metadata& md) { md.Set("tokenizer.ggml.tokens", Str("a")); },
       StatusCode::kCorrupt, "tokenizer.ggml.tokens"},
      {"scores too short",
       [](gguf::Metadata& md) { md.Set("tokenizer.ggml.scores", FloatArray(5)); },
       StatusCode::kCorrupt, "tokenizer.ggml.scores"},
      {"types too long",
       [](gguf::Metadata& md) {
         md.Set("tokenizer.ggml.token_type", IntArray({1, 1, 1, 1, 1, 1, 1}));
       },
       StatusCode::kCorrupt, "tokenizer.ggml.token_type"},
      {"bos out of range",
       [](gguf::Metadata& md) { md.Set("tokenizer.ggml.bos_token_id", gguf::Value(uint32_t{6})); },
       StatusCode::kCorrupt, "tokenizer.ggml.bos_token_id"},
      {"eos not an integer",
       [](gguf::Metadata& md) { md.Set("tokenizer.ggml.eos_token_id", Str("2")); },
       StatusCode::kCorrupt, "tokenizer.ggml.eos_token_id"},
      {"add_bos not a bool",
       [](gguf::Metadata& md) { md.Set("tokenizer.ggml.add_bos_token", gguf::Value(uint32_t{1})); },
       StatusCode::kCorrupt, "tokenizer.ggml.add_bos_token"},
  };
  for (const auto& c : cases) {
    gguf::Metadata md = SpmMetadata();
    c.mutate(md);
    auto vocab = Vocab::FromMetadata(md);
    ASSERT_FALSE(vocab.ok()) << c.name;
    EXPECT_EQ(vocab.status().code(), c.code) << c.name << ": " << vocab.status().ToString();
    EXPECT_NE(vocab.status().message().find(c.key), std::string::npos)
        << c.name << ": " << vocab.status().ToString();
  }
}

TEST(VocabTest, NoneIdsAndLenientOptionalIds) {
  gguf::Metadata md = SpmMetadata();
  md.Set("tokenizer.ggml.seperator_token_id", gguf::Value(uint32_t{4294967295u}));
  md.Set("tokenizer.ggml.padding_token_id", gguf::Value(uint32_t{4294967295u}));
  md.Set("tokenizer.ggml.mask_token_id", gguf::Value(uint32_t{999}));  // ignored, as in llama.cpp
  md.Set("tokenizer.ggml.add_bos_token", gguf::Value(false));
  md.Set("tokenizer.ggml.eos_token_id", gguf::Value(int32_t{-1}));
  auto vocab = Vocab::FromMetadata(md);
  ASSERT_TRUE(vocab.ok()) << vocab.status().ToString();
  EXPECT_EQ(vocab->sep(), kNoToken);
  EXPECT_EQ(vocab->special().pad, kNoToken);
  EXPECT_EQ(vocab->special().mask, kNoToken);
  EXPECT_EQ(vocab->eos(), kNoToken);
  EXPECT_FALSE(vocab->add_bos());
}

TEST(VocabTest, BpeNeedsMergesAndAKnownPreTokenizer) {
  gguf::Metadata md;
  md.Set("tokenizer.ggml.model", Str("gpt2"));
  md.Set("tokenizer.ggml.tokens", StrArray({"a", "b", "ab"}));
  auto missing = Vocab::FromMetadata(md);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("tokenizer.ggml.merges"), std::string::npos);

  md.Set("tokenizer.ggml.merges", StrArray({"a b"}));
  md.Set("tokenizer.ggml.pre", Str("no-such-pre"));
  auto unknown = Vocab::FromMetadata(md);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(unknown.status().message().find("tokenizer.ggml.pre"), std::string::npos);

  md.Set("tokenizer.ggml.pre", Str("llama-bpe"));
  auto ok = Vocab::FromMetadata(md);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_TRUE(ok->add_bos());  // llama3 default
  EXPECT_TRUE(ok->ignore_merges());
  EXPECT_EQ(ok->merges().size(), 1u);
}

TEST(VocabTest, Stories260K) {
  auto file = gguf::File::Open(olla::testing::TestdataPath("models/stories260K.gguf"));
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  auto vocab = Vocab::FromMetadata(file->metadata());
  ASSERT_TRUE(vocab.ok()) << vocab.status().ToString();
  EXPECT_EQ(vocab->size(), 512u);
  EXPECT_EQ(vocab->bos(), 1);
  EXPECT_EQ(vocab->eos(), 2);
  EXPECT_EQ(vocab->unk(), 0);
  EXPECT_EQ(vocab->sep(), kNoToken);          // stored as 4294967295
  EXPECT_EQ(vocab->special().pad, kNoToken);  // likewise
  EXPECT_EQ(vocab->ByteToken(0x41), vocab->Find("<0x41>"));
  EXPECT_EQ(vocab->Type(vocab->ByteToken(0x41)), TokenType::kByte);
}

TEST(VocabTest, FindsEndOfTurnByText) {
  auto tok = testing::LoadTestTokenizer("tokenizer/ggml-vocab-phi-3.gguf");
  ASSERT_NE(tok, nullptr);
  const Vocab& vocab = tok->vocab();
  EXPECT_EQ(vocab.special().eot, vocab.Find("<|end|>"));
  EXPECT_TRUE(vocab.IsEog(vocab.Find("<|end|>")));
  EXPECT_TRUE(vocab.IsEog(vocab.eos()));
  EXPECT_FALSE(vocab.IsEog(vocab.Find("<|user|>")));
  // llama.cpp gives phi-3's special tokens rstrip, except <s>, <unk> and <|endoftext|>.
  EXPECT_TRUE(vocab.Token(vocab.Find("<|end|>")).rstrip);
  EXPECT_FALSE(vocab.Token(vocab.Find("<s>")).rstrip);
}

}  // namespace
}  // namespace olla::tokenizer
