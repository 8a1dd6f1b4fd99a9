#include <gtest/gtest.h>

#include "cli/gguf_summary.h"
#include "cli/table.h"
#include "support/testdata.h"

namespace olla::cli {
namespace {

TEST(ShowTest, TableMatchesOllamaLayout) {
  Section s{"Model", {{"architecture", "test"}, {"parameters", "7B"}, {"context length", "0"},
                      {"embedding length", "0"}, {"quantization", "FP16"}}};
  EXPECT_EQ(RenderSection(s),
            "  Model\n"
            "    architecture        test    \n"
            "    parameters          7B      \n"
            "    context length      0       \n"
            "    embedding length    0       \n"
            "    quantization        FP16    \n"
            "\n");
}

TEST(ShowTest, SummarizesStories260K) {
  auto f = gguf::File::Open(testing::TestdataPath("models/stories260K.gguf"));
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  std::string out = RenderShow(*f, false);
  EXPECT_NE(out.find("architecture        llama"), std::string::npos) << out;
  EXPECT_NE(out.find("context length      2048"), std::string::npos) << out;
  EXPECT_NE(out.find("embedding length    64"), std::string::npos) << out;
  EXPECT_NE(out.find("F32"), std::string::npos) << out;
  EXPECT_EQ(out.find("Tensors"), std::string::npos);
  std::string verbose = RenderShow(*f, true);
  EXPECT_NE(verbose.find("token_embd.weight"), std::string::npos);
  EXPECT_NE(verbose.find("[64 512]"), std::string::npos);
  EXPECT_NE(verbose.find("tokenizer.ggml.tokens"), std::string::npos);
  EXPECT_NE(verbose.find("...+511 more]"), std::string::npos) << verbose;
}

TEST(ShowTest, QuantizationLabelFromFileType) {
  auto f = gguf::File::Open(testing::TestdataPath("models/tiny-llama-q-Q4_K_M.gguf"));
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(QuantizationLabel(*f), "Q4_K_M");
  EXPECT_EQ(FileTypeName(15), "Q4_K_M");
  EXPECT_EQ(FileTypeName(1), "F16");
  EXPECT_EQ(FileTypeName(9999), "unknown");
}

}  // namespace
}  // namespace olla::cli
