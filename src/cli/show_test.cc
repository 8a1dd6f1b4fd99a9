#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli/show_render.h"
#include "cli/table.h"
#include "support/testdata.h"
#include "tools/gguf_summary.h"

namespace olla::cli {
namespace {

TEST(ShowTest, TableMatchesOllamaLayout) {
  Section s{"Model",
            {{"architecture", "test"},
             {"parameters", "7B"},
             {"context length", "0"},
             {"embedding length", "0"},
             {"quantization", "FP16"}}};
  EXPECT_EQ(RenderSection(s),
            "  Model\n"
            "    architecture        test    \n"
            "    parameters          7B      \n"
            "    context length      0       \n"
            "    embedding length    0       \n"
            "    quantization        FP16    \n"
            "\n");
}

// `olla show FILE.gguf`: the file read in place by tools/, rendered as a server's answer.
TEST(ShowTest, SummarizesStories260K) {
  auto f = tools::ShowJsonForFile(testing::TestdataPath("models/stories260K.gguf"));
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  std::string out = RenderShowResponse(*f, false);
  EXPECT_NE(out.find("architecture        llama"), std::string::npos) << out;
  EXPECT_NE(out.find("context length      2048"), std::string::npos) << out;
  EXPECT_NE(out.find("embedding length    64"), std::string::npos) << out;
  EXPECT_NE(out.find("F32"), std::string::npos) << out;
  EXPECT_EQ(out.find("Tensors"), std::string::npos);
  std::string verbose = RenderShowResponse(*f, true);
  EXPECT_NE(verbose.find("token_embd.weight"), std::string::npos);
  EXPECT_NE(verbose.find("[64 512]"), std::string::npos);
  EXPECT_NE(verbose.find("tokenizer.ggml.tokens"), std::string::npos);
  EXPECT_NE(verbose.find("...+511 more]"), std::string::npos) << verbose;
}

}  // namespace
}  // namespace olla::cli
