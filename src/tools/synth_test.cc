#include "tools/synth.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/file.h"
#include "engine/model.h"
#include "gguf/reader.h"
#include "support/run_command.h"
#include "support/testdata.h"

namespace olla::tools {
namespace {

using tensor::DType;

TEST(SynthTest, WritesALoadableModelOfTheShapeWithLlamaQuantizeTypes) {
  testing::TempDir dir;
  ThreadPool pool(2);
  SynthOptions o;
  o.shape = "tiny";
  o.type = "Q4_K_M";
  ASSERT_TRUE(WriteSynthModel(o, dir.Join("m.gguf"), pool).ok());
  auto model = engine::Model::Load(dir.Join("m.gguf"));
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_EQ((*model)->config().n_embd, 256u);
  EXPECT_EQ((*model)->config().n_layer, 2u);
  EXPECT_EQ((*model)->config().n_vocab, 512u);
  const gguf::File& f = (*model)->file();
  // llama-quantize's Q4_K_M: Q6_K for the output and for attn_v / ffn_down of the layers
  // use_more_bits() picks (with 2 layers: the last one).
  EXPECT_EQ(f.FindTensor("output.weight")->type, DType::kQ6_K);
  EXPECT_EQ(f.FindTensor("blk.0.attn_v.weight")->type, DType::kQ4_K);
  EXPECT_EQ(f.FindTensor("blk.1.attn_v.weight")->type, DType::kQ6_K);
  EXPECT_EQ(f.FindTensor("blk.1.ffn_down.weight")->type, DType::kQ6_K);
  EXPECT_EQ(f.FindTensor("blk.1.ffn_up.weight")->type, DType::kQ4_K);
  EXPECT_EQ(f.FindTensor("blk.0.attn_norm.weight")->type, DType::kF32);
}

TEST(SynthTest, IsDeterministicAndIndependentOfThreads) {
  testing::TempDir dir;
  SynthOptions o;
  o.shape = "tiny";
  o.type = "Q8_0";
  ThreadPool p1(1), p3(3);
  ASSERT_TRUE(WriteSynthModel(o, dir.Join("a.gguf"), p1).ok());
  ASSERT_TRUE(WriteSynthModel(o, dir.Join("b.gguf"), p3).ok());
  EXPECT_EQ(testing::ReadFileOrFail(dir.Join("a.gguf")),
            testing::ReadFileOrFail(dir.Join("b.gguf")));
}

TEST(SynthTest, CopiesTheVocabularyAndRefusesUnknownShapes) {
  testing::TempDir dir;
  ThreadPool pool(2);
  SynthOptions o;
  o.shape = "tiny";
  o.type = "F16";
  o.vocab_from = testing::TestdataPath("models/stories260K.gguf");
  ASSERT_TRUE(WriteSynthModel(o, dir.Join("v.gguf"), pool).ok());
  auto f = gguf::File::Open(dir.Join("v.gguf"));
  ASSERT_TRUE(f.ok());
  auto src = gguf::File::Open(o.vocab_from);
  ASSERT_TRUE(src.ok());
  EXPECT_EQ(*f->metadata().Find("tokenizer.ggml.tokens"),
            *src->metadata().Find("tokenizer.ggml.tokens"));
  o.shape = "llama-13b";
  EXPECT_EQ(WriteSynthModel(o, dir.Join("x.gguf"), pool).code(), StatusCode::kInvalidArgument);
  o.shape = "tiny";
  o.type = "Q8_K";
  EXPECT_EQ(WriteSynthModel(o, dir.Join("x.gguf"), pool).code(), StatusCode::kInvalidArgument);
}

// A mixture-of-experts shape: qwen3moe metadata, 3-D expert tensors the engine loads and runs,
// and a bench whose bandwidth limit counts only the experts a token uses.
TEST(SynthTest, MoeShapeLoadsAndBenchCountsActiveExperts) {
  testing::TempDir dir;
  const std::string olla = testing::ShellQuote(testing::OllaBinary());
  const std::string model = testing::ShellQuote(dir.Join("moe.gguf"));
  auto synth = testing::RunCommand(olla + " debug synth --shape tiny-moe --type Q4_0 -o " + model);
  ASSERT_EQ(synth.exit_code, 0) << synth.err;
  auto f = gguf::File::Open(dir.Join("moe.gguf"));
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(*f->metadata().GetString("general.architecture"), "qwen3moe");
  const gguf::TensorInfo* up = f->FindTensor("blk.1.ffn_up_exps.weight");
  ASSERT_NE(up, nullptr);
  EXPECT_EQ(up->ne, (std::vector<uint64_t>{256, 256, 8}));
  uint64_t all = 0, experts = 0;
  for (const auto& t : f->tensors()) {
    if (t.name == "token_embd.weight") continue;  // untied: one row read per token
    all += t.n_bytes;
    if (t.ne.size() == 3) experts += t.n_bytes;
  }
  auto bench = testing::RunCommand(olla + " bench " + model +
                                   " -p 8 -n 2 -r 1 -t 1 --json --bandwidth-mib 16");
  ASSERT_EQ(bench.exit_code, 0) << bench.err;
  const auto j = nlohmann::json::parse(bench.out);
  EXPECT_EQ(j["weight_bytes_per_token"].get<uint64_t>(), all - experts + experts / 8 * 2);
  EXPECT_GT(j["results"][0]["tests"][1]["tok_s"].get<double>(), 0.0);
  ThreadPool pool(1);
  SynthOptions wrong_arch;
  wrong_arch.arch = "llama";
  wrong_arch.shape = "tiny-moe";
  EXPECT_EQ(WriteSynthModel(wrong_arch, dir.Join("x.gguf"), pool).code(),
            StatusCode::kInvalidArgument);
}

// `olla debug synth` then `olla bench --json` end to end: the JSON carries every test of every
// thread count with the bandwidth of the same run.
TEST(BenchTest, ReportsEveryTestWithBandwidth) {
  testing::TempDir dir;
  const std::string olla = testing::ShellQuote(testing::OllaBinary());
  const std::string model = testing::ShellQuote(dir.Join("tiny.gguf"));
  auto synth = testing::RunCommand(olla + " debug synth --shape tiny --type Q4_0 -o " + model);
  ASSERT_EQ(synth.exit_code, 0) << synth.err;
  auto bench = testing::RunCommand(olla + " bench " + model +
                                   " -p 16 -n 4 -r 2 -t 1,2 --json --bandwidth-mib 16");
  ASSERT_EQ(bench.exit_code, 0) << bench.err;
  const auto j = nlohmann::json::parse(bench.out);
  ASSERT_EQ(j["results"].size(), 2u);
  for (const auto& r : j["results"]) {
    EXPECT_GT(r["bandwidth_gbps"].get<double>(), 0.0);
    ASSERT_EQ(r["tests"].size(), 2u);
    EXPECT_EQ(r["tests"][0]["test"], "pp16");
    EXPECT_EQ(r["tests"][0]["samples"].size(), 2u);
    EXPECT_EQ(r["tests"][1]["test"], "tg4");
    EXPECT_GT(r["tests"][1]["tok_s"].get<double>(), 0.0);
    EXPECT_GT(r["tests"][1]["bw_limit_tok_s"].get<double>(), 0.0);
  }
  EXPECT_GT(j["weight_bytes_per_token"].get<double>(), 0.0);
}

}  // namespace
}  // namespace olla::tools
