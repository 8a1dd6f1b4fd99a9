#include "tools/gguf_summary.h"

#include <gtest/gtest.h>

#include "support/testdata.h"

namespace olla::tools {
namespace {

TEST(ShowTest, QuantizationLabelFromFileType) {
  auto f = gguf::File::Open(testing::TestdataPath("models/tiny-llama-q-Q4_K_M.gguf"));
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(QuantizationLabel(*f), "Q4_K_M");
  EXPECT_EQ(FileTypeName(15), "Q4_K_M");
  EXPECT_EQ(FileTypeName(1), "F16");
  EXPECT_EQ(FileTypeName(9999), "unknown");
  EXPECT_EQ(FileTypeName(4), "MXFP4");  // as Ollama labels its gpt-oss files
}

}  // namespace
}  // namespace olla::tools
