#include "store/config.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "store/digest.h"

namespace olla::store {
namespace {

TEST(ConfigTest, EncodesExactlyLikeOllama) {
  ModelConfig c;
  c.model_format = "gguf";
  c.model_family = "llama";
  c.model_families = std::vector<std::string>{"llama"};
  c.model_type = "3.2B";
  c.file_type = "Q4_K_M";
  const std::string want =
      "{\"model_format\":\"gguf\",\"model_family\":\"llama\",\"model_families\":[\"llama\"],"
      "\"model_type\":\"3.2B\",\"file_type\":\"Q4_K_M\",\"architecture\":\"amd64\",\"os\":"
      "\"linux\"}\n";
  std::string got = EncodeModelConfig(c);
  EXPECT_EQ(got, want);
  EXPECT_EQ(got.size(), 151u);
  EXPECT_EQ(Digest::Of(got).hex(),
            "f0bf0b4368316aae62a42a76f3030ac925f6087446f695e7b0ae552275d9ab0f");
}

TEST(ConfigTest, WritesOptionalFieldsInOrderAndNullFamilies) {
  ModelConfig c;
  c.model_format = "gguf";
  EXPECT_EQ(
      EncodeModelConfig(c),
      "{\"model_format\":\"gguf\",\"model_family\":\"\",\"model_families\":null,"
      "\"model_type\":\"\",\"file_type\":\"\",\"architecture\":\"amd64\",\"os\":\"linux\"}\n");
  c.model_families = std::vector<std::string>{};
  c.renderer = "qwen3";
  c.parser = "qwen3";
  c.requires_version = "0.14.0";
  c.remote_host = "https://ollama.com:443";
  c.remote_model = "gpt-oss:120b";
  c.capabilities = {"tools", "thinking"};
  c.context_length = 131072;
  c.embedding_length = 2880;
  c.base_name = "gpt-oss";
  c.draft = DraftConfig{"gguf", "llama", "", ""};
  EXPECT_EQ(EncodeModelConfig(c),
            "{\"model_format\":\"gguf\",\"model_family\":\"\",\"model_families\":[],"
            "\"model_type\":\"\",\"file_type\":\"\",\"renderer\":\"qwen3\",\"parser\":\"qwen3\","
            "\"requires\":\"0.14.0\",\"remote_host\":\"https://ollama.com:443\","
            "\"remote_model\":\"gpt-oss:120b\",\"capabilities\":[\"tools\",\"thinking\"],"
            "\"context_length\":131072,\"embedding_length\":2880,\"base_name\":\"gpt-oss\","
            "\"draft\":{\"model_format\":\"gguf\",\"architecture\":\"llama\"},"
            "\"architecture\":\"amd64\",\"os\":\"linux\"}\n");
  Result<ModelConfig> back = ParseModelConfig(EncodeModelConfig(c));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, c);
}

TEST(ConfigTest, ParsesLenientlyAndRejectsWrongTypes) {
  Result<ModelConfig> c = ParseModelConfig(
      R"({"os":"linux","model_family":"qwen2","rootfs":{"type":"layers","diff_ids":[]},
          "model_families":null,"file_type":"Q8_0","unknown":1})");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->model_family, "qwen2");
  EXPECT_FALSE(c->model_families.has_value());
  EXPECT_EQ(c->file_type, "Q8_0");
  EXPECT_EQ(c->architecture, "");  // absent stays absent
  for (const char* bad :
       {"", "[]", R"({"model_family":1})", R"({"model_families":"llama"})",
        R"({"capabilities":[1]})", R"({"context_length":"4096"})", R"({"draft":[]})"}) {
    Result<ModelConfig> r = ParseModelConfig(bad);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kCorrupt) << bad;
  }
}

TEST(ConfigTest, FileTypeLabels) {
  const struct {
    int64_t in;
    std::string_view want;
  } cases[] = {{0, "F32"},      {1, "F16"},     {2, "Q4_0"},       {3, "Q4_1"},     {4, "MXFP4"},
               {5, "unknown"},  {6, "unknown"}, {7, "Q8_0"},       {8, "Q5_0"},     {9, "Q5_1"},
               {10, "Q2_K"},    {11, "Q3_K_S"}, {12, "Q3_K_M"},    {13, "Q3_K_L"},  {14, "Q4_K_S"},
               {15, "Q4_K_M"},  {16, "Q5_K_S"}, {17, "Q5_K_M"},    {18, "Q6_K"},    {19, "IQ2_XXS"},
               {20, "IQ2_XS"},  {21, "Q2_K_S"}, {22, "IQ3_XS"},    {23, "IQ3_XXS"}, {24, "IQ1_S"},
               {25, "IQ4_NL"},  {26, "IQ3_S"},  {27, "IQ3_M"},     {28, "IQ2_S"},   {29, "IQ2_M"},
               {30, "IQ4_XS"},  {31, "IQ1_M"},  {32, "BF16"},      {33, "unknown"}, {35, "unknown"},
               {36, "TQ1_0"},   {37, "TQ2_0"},  {38, "MXFP4_MOE"}, {39, "NVFP4"},   {40, "Q1_0"},
               {41, "unknown"}, {-1, "unknown"}};
  for (const auto& c : cases) EXPECT_EQ(FileTypeLabel(c.in), c.want) << c.in;
}

TEST(ConfigTest, ParamsLayerGolden) {
  nlohmann::json params = {{"temperature", 0.6},
                           {"stop", {"<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"}}};
  Result<std::string> got = EncodeParamsLayer(params);
  ASSERT_TRUE(got.ok());
  const std::string want =
      "{\"stop\":[\"\\u003c|start_header_id|\\u003e\",\"\\u003c|end_header_id|\\u003e\","
      "\"\\u003c|eot_id|\\u003e\"],\"temperature\":0.6}\n";
  EXPECT_EQ(*got, want);
  EXPECT_EQ(Digest::Of(*got).hex(),
            "5ef0d204894be74914c24b53f7361550b6233ce98828d095d0be050a87274b36");
  // §11.6: merged parameters.
  nlohmann::json merged = {
      {"stop", {"USER:", "ASSISTANT:"}}, {"temperature", 0.6}, {"top_k", 10}, {"top_p", 0.7}};
  EXPECT_EQ(
      *EncodeParamsLayer(merged),
      "{\"stop\":[\"USER:\",\"ASSISTANT:\"],\"temperature\":0.6,\"top_k\":10,\"top_p\":0.7}\n");
  EXPECT_FALSE(EncodeParamsLayer(nlohmann::json::array()).ok());
}

TEST(ConfigTest, MessagesLayerGolden) {
  nlohmann::json messages = nlohmann::json::array(
      {{{"content", "Is it <sunny>?"}, {"role", "user"}},
       {{"tool_name", ""},
        {"role", "assistant"},
        {"thinking", "hmm & so"},
        {"content", "Yes."},
        {"images", nlohmann::json::array()},
        {"unknown", 1}},
       {{"role", "tool"}, {"tool_call_id", "c1"}, {"tool_name", "weather"}, {"content", ""}}});
  Result<std::string> got = EncodeMessagesLayer(messages);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(
      *got,
      "[{\"role\":\"user\",\"content\":\"Is it \\u003csunny\\u003e?\"},"
      "{\"role\":\"assistant\",\"content\":\"Yes.\",\"thinking\":\"hmm \\u0026 so\"},"
      "{\"role\":\"tool\",\"content\":\"\",\"tool_name\":\"weather\",\"tool_call_id\":\"c1\"}]\n");
  EXPECT_FALSE(EncodeMessagesLayer(nlohmann::json::object()).ok());
  EXPECT_FALSE(EncodeMessagesLayer(nlohmann::json::array({1})).ok());
  EXPECT_FALSE(EncodeMessagesLayer(nlohmann::json::array({{{"role", 5}}})).ok());
}

}  // namespace
}  // namespace olla::store
