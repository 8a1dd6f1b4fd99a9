// End-to-end tests of the olla binary's offline commands: show and debug.

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "support/run_command.h"
#include "support/testdata.h"

namespace olla {
namespace {

using testing::RunCommand;
using testing::ShellQuote;

std::string Olla() { return ShellQuote(testing::OllaBinary()); }

TEST(CliBasicTest, ShowPrintsModelSection) {
  auto r =
      RunCommand(Olla() + " show " + ShellQuote(testing::TestdataPath("models/stories260K.gguf")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("  Model\n    architecture        llama"), std::string::npos) << r.out;
}

TEST(CliBasicTest, ShowOnMalformedFileFailsWithPreciseError) {
  testing::TempDir dir;
  const std::string bad = dir.Join("bad.gguf");
  std::string bytes =
      testing::ReadFileOrFail(testing::TestdataPath("models/stories260K.gguf")).substr(0, 100);
  {
    FILE* f = std::fopen(bad.c_str(), "wb");
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
  }
  auto r = RunCommand(Olla() + " show " + ShellQuote(bad));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("Error: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("bad.gguf: gguf: metadata count 19 at offset 16"), std::string::npos)
      << r.err;
  auto missing = RunCommand(Olla() + " show " + ShellQuote(dir.Join("nope.gguf")));
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("nope.gguf"), std::string::npos) << missing.err;
}

TEST(CliBasicTest, DebugLogitsMatchesReference) {
  auto j = nlohmann::json::parse(
      testing::ReadFileOrFail(testing::TestdataPath("ref/stories260K.logits.json")));
  std::string ids;
  for (int t : j["tokens"]) ids += (ids.empty() ? "" : ",") + std::to_string(t);
  testing::TempDir dir;
  auto r = RunCommand(Olla() + " debug logits " +
                      ShellQuote(testing::TestdataPath("models/stories260K.gguf")) + " --tokens " +
                      ids + " --out " + ShellQuote(dir.Join("l.f32")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<float> got = testing::ReadF32File(dir.Join("l.f32"));
  std::vector<float> want =
      testing::ReadF32File(testing::TestdataPath("ref/stories260K.logits.bin"));
  ASSERT_EQ(got.size(), want.size());
  double max_diff = 0;
  for (size_t i = 0; i < got.size(); ++i)
    max_diff = std::max(max_diff, std::fabs(double(got[i]) - want[i]));
  EXPECT_LE(max_diff / j["max_abs"].get<double>(), 1e-3);
}

// --adapter: the LoRA-adapted logits of testdata §4c; --adapter-scale 0 gives the bare base's.
TEST(CliBasicTest, DebugLogitsWithAdapter) {
  auto j = nlohmann::json::parse(
      testing::ReadFileOrFail(testing::TestdataPath("ref/tiny-llama-q-F32+lora.logits.json")));
  std::string ids;
  for (int t : j["tokens"]) ids += (ids.empty() ? "" : ",") + std::to_string(t);
  testing::TempDir dir;
  const std::string base = ShellQuote(testing::TestdataPath("models/tiny-llama-q-F32.gguf"));
  const std::string lora = ShellQuote(testing::TestdataPath("models/tiny-llama-q-lora-F32.gguf"));
  auto max_rel = [&](const std::string& extra, const std::string& ref) {
    auto r = RunCommand(Olla() + " debug logits " + base + " --tokens " + ids + " --out " +
                        ShellQuote(dir.Join("l.f32")) + " " + extra);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<float> got = testing::ReadF32File(dir.Join("l.f32"));
    std::vector<float> want = testing::ReadF32File(testing::TestdataPath(ref));
    EXPECT_EQ(got.size(), want.size());
    double max_diff = 0, max_abs = 0;
    for (size_t i = 0; i < got.size() && i < want.size(); ++i) {
      max_diff = std::max(max_diff, std::fabs(double(got[i]) - want[i]));
      max_abs = std::max(max_abs, std::fabs(double(want[i])));
    }
    return max_diff / max_abs;
  };
  EXPECT_LE(max_rel("--adapter " + lora, "ref/tiny-llama-q-F32+lora.logits.bin"), 1e-5);
  EXPECT_GT(max_rel("", "ref/tiny-llama-q-F32+lora.logits.bin"), 0.1);  // the adapter matters
  EXPECT_LE(max_rel("--adapter " + lora + " --adapter-scale 0", "ref/tiny-llama-q-F32.logits.bin"),
            1e-5);
}

TEST(CliBasicTest, DebugTokenizeAndDetokenize) {
  const std::string model = ShellQuote(testing::TestdataPath("models/stories260K.gguf"));
  auto tok = RunCommand(Olla() + " debug tokenize " + model + " 'Once upon a time'");
  ASSERT_EQ(tok.exit_code, 0) << tok.err;
  EXPECT_EQ(tok.out, "[1, 403, 407, 261, 378]\n");
  auto raw =
      RunCommand(Olla() + " debug tokenize " + model + " 'Once upon a time' --no-add-special");
  EXPECT_EQ(raw.out, "[403, 407, 261, 378]\n");
  auto text = RunCommand(Olla() + " debug detokenize " + model + " 403,407,261,378");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_EQ(text.out, "Once upon a time");
  auto bad = RunCommand(Olla() + " debug detokenize " + model + " 1,x");
  EXPECT_EQ(bad.exit_code, 1);
}

TEST(CliBasicTest, DebugEmbedIsNormalizedReference) {
  auto r = RunCommand(Olla() + " debug embed " +
                      ShellQuote(testing::TestdataPath("models/tiny-bert-F32.gguf")) +
                      " 'The quick brown fox jumps over the lazy dog. Hello world!'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto got = nlohmann::json::parse(r.out).get<std::vector<double>>();
  std::vector<float> ref =
      testing::ReadF32File(testing::TestdataPath("ref/tiny-bert-F32.embd-cls.bin"));
  ASSERT_EQ(got.size(), ref.size());
  double norm = 0, got_norm = 0;
  for (float x : ref) norm += double(x) * x;
  for (double x : got) got_norm += x * x;
  EXPECT_NEAR(got_norm, 1.0, 1e-5);
  for (size_t i = 0; i < ref.size(); ++i) EXPECT_NEAR(got[i], ref[i] / std::sqrt(norm), 1e-4) << i;
}

TEST(CliBasicTest, RunFileStreamsGreedyText) {
  // With a prompt from stdin and arguments joined, in process, no server.
  auto r = RunCommand("printf 'Once upon' | " + Olla() + " run " +
                          ShellQuote(testing::TestdataPath("models/stories260K.gguf")) +
                          " a time --verbose",
                      300);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(r.out.size(), 100u);
  EXPECT_NE(r.err.find("eval rate:"), std::string::npos) << r.err;
}

TEST(CliBasicTest, DebugLogitsRejectsOutOfRangeToken) {
  testing::TempDir dir;
  auto r = RunCommand(Olla() + " debug logits " +
                      ShellQuote(testing::TestdataPath("models/stories260K.gguf")) +
                      " --tokens 1,99999 --out " + ShellQuote(dir.Join("l.f32")));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("token id 99999 is outside the vocabulary"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace olla
