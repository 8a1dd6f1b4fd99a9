// Architecture registry and loaders: refusal of unknown architectures, the flags each family's
// loader sets, and families that have no reference model in the test data (qwen3), checked by
// construction on rewritten GGUF files.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <list>
#include <string>
#include <vector>

#include "engine/arch/arch.h"
#include "engine/context.h"
#include "gguf/writer.h"
#include "support/testdata.h"
#include "tensor/half.h"

namespace olla::engine {
namespace {

// A GGUF file rewritten from a testdata model: metadata and tensors may be edited before Write.
struct Rewrite {
  explicit Rewrite(const std::string& model) {
    auto f = gguf::File::Open(testing::TestdataPath("models/" + model + ".gguf"));
    EXPECT_TRUE(f.ok()) << f.status().ToString();
    src = std::move(*f);
    md = src.metadata();
    for (const gguf::TensorInfo& t : src.tensors())
      tensors.push_back({t.name, t.ne, t.type, t.data});
  }
  // Renames every "<from>.*" key to "<to>.*" and sets general.architecture.
  void RenameArch(const std::string& from, const std::string& to) {
    gguf::Metadata out;
    for (const auto& [key, value] : md.entries())
      out.Set(key.starts_with(from + ".") ? to + key.substr(from.size()) : key, value);
    out.Set("general.architecture", gguf::Value(to));
    md = std::move(out);
  }
  void DropTensorsEndingWith(const std::string& suffix) {
    std::erase_if(tensors, [&](const gguf::TensorToWrite& t) { return t.name.ends_with(suffix); });
  }
  // Adds an F32 vector tensor; its bytes live in `owned`.
  void AddF32(const std::string& name, const std::vector<float>& values) {
    owned.push_back(std::vector<uint8_t>(values.size() * 4));
    std::memcpy(owned.back().data(), values.data(), owned.back().size());
    tensors.push_back({name, {values.size()}, tensor::DType::kF32, owned.back()});
  }
  // Multiplies an F16 tensor by a power of two (exact in F16 while in range).
  void ScaleF16(const std::string& name, float factor) {
    for (gguf::TensorToWrite& t : tensors) {
      if (t.name != name) continue;
      ASSERT_EQ(t.type, tensor::DType::kF16);
      std::vector<uint8_t> bytes(t.data.begin(), t.data.end());
      auto* h = reinterpret_cast<uint16_t*>(bytes.data());
      for (size_t i = 0; i < bytes.size() / 2; ++i)
        h[i] = tensor::F32ToF16(tensor::F16ToF32(h[i]) * factor);
      owned.push_back(std::move(bytes));
      t.data = owned.back();
    }
  }
  std::string Write(const testing::TempDir& dir, const std::string& name) const {
    const std::string path = dir.Join(name);
    Status s = gguf::WriteFile(path, md, tensors);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return path;
  }

  gguf::File src;
  gguf::Metadata md;
  std::vector<gguf::TensorToWrite> tensors;
  std::list<std::vector<uint8_t>> owned;  // stable addresses for edited tensor bytes
};

TEST(ArchTest, UnknownArchitectureIsRefusedNamingItAndTheSupportedOnes) {
  testing::TempDir dir;
  Rewrite r("stories260K");
  r.md.Set("general.architecture", gguf::Value(std::string("mamba9000")));
  auto model = Model::Load(r.Write(dir, "unknown.gguf"));
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), StatusCode::kUnsupported);
  const std::string msg = model.status().ToString();
  EXPECT_NE(msg.find("'mamba9000'"), std::string::npos) << msg;
  for (const char* arch : {"llama", "qwen2", "qwen3", "gemma", "gemma2", "gemma3", "phi3", "bert"})
    EXPECT_NE(msg.find(arch), std::string::npos) << arch << " missing from: " << msg;
  EXPECT_NE(msg.find(SupportedArchList()), std::string::npos) << msg;
}

// block_count 1e9 sized the per-layer tables before any tensor was looked at: a 500 with
// std::bad_alloc, after which every later load hung.
TEST(ArchTest, AbsurdLayerCountIsRefusedBeforeAllocating) {
  testing::TempDir dir;
  for (uint64_t blocks : {uint64_t{1000000000}, uint64_t{4097}}) {
    Rewrite r("stories260K");
    r.md.Set("llama.block_count", gguf::Value(blocks));
    auto model = Model::Load(r.Write(dir, "layers.gguf"));
    ASSERT_FALSE(model.ok()) << blocks;
    EXPECT_EQ(model.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(model.status().message().find("llama.block_count"), std::string::npos)
        << model.status().message();
  }
}

TEST(ArchTest, EveryRegisteredArchitectureIsFoundByName) {
  for (const char* arch :
       {"llama", "qwen2", "qwen3", "gemma", "gemma2", "gemma3", "phi3", "bert"}) {
    auto spec = FindArch(arch);
    ASSERT_TRUE(spec.ok()) << arch;
    EXPECT_EQ((*spec)->gguf_name, arch);
  }
}

TEST(ArchTest, TraitsOfSupportedForeignAndUnknownArchitectures) {
  EXPECT_TRUE(ArchTraitsFor("llama").quant_70b_at_80_layers);
  EXPECT_TRUE(ArchTraitsFor("qwen2").quant_70b_at_80_layers);
  EXPECT_FALSE(ArchTraitsFor("qwen3").quant_70b_at_80_layers);
  EXPECT_FALSE(ArchTraitsFor("deepseek2").can_shift_context);
  EXPECT_TRUE(ArchTraitsFor("llama").can_shift_context);
  EXPECT_TRUE(ArchTraitsFor("clip").projector);
  EXPECT_TRUE(ArchTraitsFor("gptoss").harmony_template);
  EXPECT_TRUE(ArchTraitsFor("gpt-oss").harmony_template);
  EXPECT_TRUE(ArchTraitsFor("falcon").quant_falcon_mix);
  // qwen35 matches by prefix: qwen35moe too, but not qwen3.
  ASSERT_NE(ArchTraitsFor("qwen35moe").quant_override, nullptr);
  EXPECT_EQ(
      ArchTraitsFor("qwen35moe").quant_override("blk.0.nextn.eh_proj.weight", tensor::DType::kQ4_K),
      tensor::DType::kQ8_0);
  EXPECT_EQ(ArchTraitsFor("qwen3").quant_override, nullptr);
  const ArchTraits& unknown = ArchTraitsFor("mamba9000");
  EXPECT_TRUE(unknown.can_shift_context);
  EXPECT_FALSE(unknown.projector || unknown.harmony_template || unknown.quant_falcon_mix ||
               unknown.quant_70b_at_80_layers);
  EXPECT_EQ(unknown.quant_override, nullptr);
}

TEST(ArchTest, MissingFlaggedTensorIsNamed) {
  testing::TempDir dir;
  Rewrite r("tiny-qwen2-F16");
  r.DropTensorsEndingWith("blk.1.attn_k.bias");
  auto model = Model::Load(r.Write(dir, "nobias.gguf"));
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.status().ToString().find("blk.1.attn_k.bias"), std::string::npos)
      << model.status().ToString();
}

// Metadata that changes the math but is not implemented is refused, naming it, rather than ignored.
TEST(ArchTest, UnimplementedRopeScalingIsRefused) {
  testing::TempDir dir;
  Rewrite scaled("stories260K");
  scaled.md.Set("llama.rope.scaling.type", gguf::Value(std::string("longrope")));
  scaled.md.Set("llama.rope.scaling.factor", gguf::Value(4.0f));
  auto model = Model::Load(scaled.Write(dir, "scaled.gguf"));
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(model.status().ToString().find("llama.rope.scaling.type"), std::string::npos)
      << model.status().ToString();

  Rewrite longrope("tiny-phi3-F16");
  longrope.md.Set("phi3.rope.scaling.attn_factor", gguf::Value(1.19f));
  model = Model::Load(longrope.Write(dir, "longrope.gguf"));
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(model.status().ToString().find("LongRoPE"), std::string::npos)
      << model.status().ToString();
}

// A mixture-of-experts file whose metadata and expert tensors disagree is refused before anything
// is read through them, naming the key or tensor (issue #15, robustness).
TEST(ArchTest, MalformedMixtureOfExpertsIsRefusedNamingTheCulprit) {
  testing::TempDir dir;
  struct Bad {
    const char* key;
    uint64_t value;
    const char* named;  // in the error
  };
  const Bad cases[] = {
      {"qwen3moe.expert_used_count", 9, "qwen3moe.expert_used_count"},  // > expert_count 8
      {"qwen3moe.expert_used_count", 0, "qwen3moe.expert_used_count"},
      {"qwen3moe.expert_count", 6, "blk.0.ffn_gate_inp.weight"},  // tensors hold 8
      {"qwen3moe.expert_count", 16, "blk.0.ffn_gate_inp.weight"},
      {"qwen3moe.expert_count", 1ull << 40, "qwen3moe.expert_count"},  // before allocating
      {"qwen3moe.expert_feed_forward_length", 32, "blk.0.ffn_gate_exps.weight"},
  };
  for (const Bad& bad : cases) {
    Rewrite r("tiny-qwen3moe-F16");
    r.md.Set(bad.key, gguf::Value(bad.value));
    auto model = Model::Load(r.Write(dir, "bad-moe.gguf"));
    ASSERT_FALSE(model.ok()) << bad.key << " = " << bad.value;
    EXPECT_NE(model.status().ToString().find(bad.named), std::string::npos)
        << model.status().ToString();
  }
  Rewrite missing("tiny-gptoss-F16");
  missing.DropTensorsEndingWith("blk.1.ffn_down_exps.bias");
  auto model = Model::Load(missing.Write(dir, "nobias-moe.gguf"));
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.status().ToString().find("blk.1.ffn_down_exps.bias"), std::string::npos)
      << model.status().ToString();
}

// Lookup tables must have rows, and output and token_embd the same vocabulary, or a valid token
// id would read past a table (both found by model_load_fuzz: a failed check, ending the server).
TEST(ArchTest, VocabularyTablesMustAgreeAndHaveRows) {
  testing::TempDir dir;
  auto keep_rows = [](Rewrite& r, const std::string& name, uint64_t rows) {
    for (gguf::TensorToWrite& t : r.tensors)
      if (t.name == name) {
        t.data = t.data.first(t.data.size() / t.ne[1] * rows);
        t.ne[1] = rows;
      }
  };
  Rewrite output("tiny-llama-q-F32");
  keep_rows(output, "output.weight", 100);  // token_embd keeps 512
  auto model = Model::Load(output.Write(dir, "output.gguf"));
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.status().ToString().find("output.weight"), std::string::npos)
      << model.status().ToString();

  Rewrite types("tiny-bert-F32");
  keep_rows(types, "token_types.weight", 0);
  model = Model::Load(types.Write(dir, "types.gguf"));
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.status().ToString().find("token_types.weight"), std::string::npos)
      << model.status().ToString();
}

// The configs the loaders derive from the test models' metadata (README §1).
TEST(ArchTest, LoadersReadTheFamilyFeatures) {
  auto gemma3 = Model::Load(testing::TestdataPath("models/tiny-gemma3-F16.gguf"));
  ASSERT_TRUE(gemma3.ok()) << gemma3.status().ToString();
  const ModelConfig& g = (*gemma3)->config();
  EXPECT_EQ(g.head_dim, 32u);
  EXPECT_TRUE(g.qk_norm && g.post_attn_norm && g.post_ffn_norm && g.tied_output);
  EXPECT_EQ(g.sliding_window, 8u);
  ASSERT_EQ(g.layers.size(), 2u);
  EXPECT_TRUE(g.layers[0].local);
  EXPECT_FALSE(g.layers[1].local);
  EXPECT_EQ(g.rope.freq_base, 1e6f);
  EXPECT_EQ(g.rope_local.freq_base, 1e4f);
  EXPECT_EQ(g.rope.style, kernels::RopeStyle::kNeox);
  EXPECT_FLOAT_EQ(g.embd_scale, std::sqrt(32.0f));

  auto gemma2 = Model::Load(testing::TestdataPath("models/tiny-gemma2-F16.gguf"));
  ASSERT_TRUE(gemma2.ok());
  EXPECT_EQ((*gemma2)->config().attn_softcap, 50.0f);
  EXPECT_EQ((*gemma2)->config().final_softcap, 30.0f);

  auto bert = Model::Load(testing::TestdataPath("models/tiny-bert-F32.gguf"));
  ASSERT_TRUE(bert.ok()) << bert.status().ToString();
  const ModelConfig& b = (*bert)->config();
  EXPECT_EQ(b.pooling, Pooling::kCls);
  EXPECT_FALSE(b.causal);
  EXPECT_FALSE(b.output_head);
  EXPECT_EQ(b.norm, NormKind::kLayer);
  EXPECT_FLOAT_EQ(b.norm_eps, 1e-12f);
  EXPECT_EQ(b.n_pos_max, 512u);

  // README §4b: gpt-oss and the MoE families.
  auto gptoss = Model::Load(testing::TestdataPath("models/tiny-gptoss-F16.gguf"));
  ASSERT_TRUE(gptoss.ok()) << gptoss.status().ToString();
  const ModelConfig& o = (*gptoss)->config();
  EXPECT_EQ(o.n_expert, 4u);
  EXPECT_EQ(o.n_expert_used, 2u);
  EXPECT_EQ(o.expert_gating, ExpertGating::kSoftmaxTopK);
  EXPECT_TRUE(o.attn_sinks && o.expert_bias);
  EXPECT_TRUE(o.layers[0].local);
  EXPECT_FALSE(o.layers[1].local);
  EXPECT_EQ(o.sliding_window, 8u);
  EXPECT_FLOAT_EQ(o.rope.freq_scale, 1.0f / 32);
  EXPECT_EQ(o.rope.n_ctx_orig, 4096u);
  EXPECT_EQ(o.rope.ext_factor, 1.0f);
  EXPECT_EQ(o.rope_local.ext_factor, 1.0f);  // local layers rotate with the same YaRN rope
  EXPECT_TRUE(ArchTraitsFor("gpt-oss").harmony_template);

  auto mixtral = Model::Load(testing::TestdataPath("models/tiny-mixtral-Q4_0.gguf"));
  ASSERT_TRUE(mixtral.ok()) << mixtral.status().ToString();
  EXPECT_EQ((*mixtral)->config().n_expert, 4u);
  EXPECT_EQ((*mixtral)->config().n_ff_exp, 96u);  // llama has no expert_feed_forward_length
  EXPECT_TRUE((*mixtral)->config().expert_weights_norm);
}

// qwen3 has no reference model here; build one from tiny-qwen2 (dropping the biases, adding
// per-head q/k norms) and check what qk_norm guarantees: each head of q and k is normalized
// before use, so scaling attn_q and attn_k by 4 leaves the logits unchanged, which it would not
// if the norms were skipped.
TEST(ArchTest, Qwen3QkNormMakesLogitsInvariantToQkScale) {
  testing::TempDir dir;
  Rewrite r("tiny-qwen2-F16");
  r.RenameArch("qwen2", "qwen3");
  r.DropTensorsEndingWith(".bias");
  const size_t head_dim = 8;
  std::vector<float> norm(head_dim);
  for (size_t i = 0; i < head_dim; ++i) norm[i] = 0.75f + 0.05f * static_cast<float>(i);
  for (int layer_idx = 0; layer_idx < 2; ++layer_idx) {
    r.AddF32("blk." + std::to_string(layer_idx) + ".attn_q_norm.weight", norm);
    r.AddF32("blk." + std::to_string(layer_idx) + ".attn_k_norm.weight", norm);
  }
  const std::string base_path = r.Write(dir, "qwen3.gguf");
  for (int layer_idx = 0; layer_idx < 2; ++layer_idx) {
    r.ScaleF16("blk." + std::to_string(layer_idx) + ".attn_q.weight", 4.0f);
    r.ScaleF16("blk." + std::to_string(layer_idx) + ".attn_k.weight", 4.0f);
  }
  const std::string scaled_path = r.Write(dir, "qwen3-scaled.gguf");

  const std::vector<TokenId> tokens = {464, 2068, 7586, 21831, 18045, 625, 262, 16931};
  std::vector<float> logits[2];
  const std::string paths[2] = {base_path, scaled_path};
  ThreadPool pool(1);
  for (int i = 0; i < 2; ++i) {
    auto model = Model::Load(paths[i]);
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    EXPECT_TRUE((*model)->config().qk_norm);
    EXPECT_FALSE((*model)->config().qkv_bias);
    ContextParams params;
    params.n_ctx = 64;
    params.kv_type = tensor::DType::kF32;
    auto ctx = Context::Create(**model, params, pool);
    ASSERT_TRUE(ctx.ok());
    ASSERT_TRUE((*ctx)->Decode(tokens, true, &logits[i]).ok());
  }
  double max_diff = 0, max_abs = 0;
  for (size_t i = 0; i < logits[0].size(); ++i) {
    ASSERT_TRUE(std::isfinite(logits[0][i]));
    max_diff = std::max(max_diff, std::fabs(double(logits[0][i]) - logits[1][i]));
    max_abs = std::max(max_abs, std::fabs(double(logits[0][i])));
  }
  EXPECT_LE(max_diff, 1e-3 * max_abs);  // F16 rounding of the (scaled) q and k inputs only
}

// The configs of the second set (README §4b): each family's flags as its file sets them.
TEST(ArchTest, LoadersReadTheSecondSetFeatures) {
  auto load = [](const char* file) {
    auto m = Model::Load(testing::TestdataPath(std::string("models/") + file + ".gguf"));
    EXPECT_TRUE(m.ok()) << file << ": " << m.status().ToString();
    return m.ok() ? std::move(*m) : nullptr;
  };
  auto granite = load("tiny-granite-F16");
  ASSERT_TRUE(granite);
  const ModelConfig& g = granite->config();
  EXPECT_FLOAT_EQ(g.embd_scale, 12.0f);
  EXPECT_FLOAT_EQ(g.residual_scale, 0.22f);
  EXPECT_FLOAT_EQ(g.attn_scale, 0.0625f);
  EXPECT_FLOAT_EQ(g.logit_scale, 2.0f);
  EXPECT_TRUE(g.tied_output);
  EXPECT_EQ(g.rope.style, kernels::RopeStyle::kNormal);

  auto olmo2 = load("tiny-olmo2-F16");
  ASSERT_TRUE(olmo2);
  const ModelConfig& o = olmo2->config();
  EXPECT_EQ(o.norm_placement, NormPlacement::kNone);
  EXPECT_TRUE(o.qk_norm && o.qk_norm_full && o.post_attn_norm && o.post_ffn_norm);
  EXPECT_EQ(olmo2->weights().layers[0].attn_q_norm.n, o.q_dim());
  EXPECT_EQ(olmo2->weights().layers[0].attn_norm.weight.data, nullptr);
  EXPECT_FALSE(o.tied_output);
  EXPECT_EQ(o.rope.style, kernels::RopeStyle::kNeox);
  EXPECT_EQ(o.sliding_window, 0u);

  auto qwen3 = load("tiny-qwen3-embed-F16");
  ASSERT_TRUE(qwen3);
  EXPECT_EQ(qwen3->config().pooling, Pooling::kLast);
  EXPECT_TRUE(qwen3->config().output_head);

  auto nomic = load("tiny-nomic-bert-F16");
  ASSERT_TRUE(nomic);
  const ModelConfig& n = nomic->config();
  EXPECT_TRUE(n.fused_qkv && n.use_rope && n.ffn_gated && n.token_types && n.embd_norm);
  EXPECT_EQ(n.rope.style, kernels::RopeStyle::kNeox);
  EXPECT_EQ(n.rope.freq_base, 1000.0f);
  EXPECT_FALSE(n.position_embd || n.qkv_bias || n.ffn_bias || n.causal);
  EXPECT_FALSE(n.output_head || n.output_norm);
  EXPECT_EQ(n.n_pos_max, 0u);  // rope: no table of positions
  EXPECT_EQ(n.pooling, Pooling::kMean);

  auto gemma = load("tiny-gemma-embedding-F16");
  ASSERT_TRUE(gemma);
  const ModelConfig& e = gemma->config();
  EXPECT_FALSE(e.causal || e.output_head);
  EXPECT_TRUE(e.output_norm && e.dense_out && e.qk_norm && e.post_ffn_norm);
  EXPECT_EQ(e.sliding_window, 5u);  // llama.cpp's symmetric 8: |p - k| <= 4
  EXPECT_TRUE(e.layers[0].local);
  EXPECT_FALSE(e.layers[1].local);
  EXPECT_EQ(e.rope_local.freq_base, 1e4f);
  EXPECT_EQ(e.pooling, Pooling::kMean);
  EXPECT_EQ(gemma->weights().dense_2.n_rows, 128u);
  ThreadPool pool(1);
  auto ctx = Context::Create(*gemma, ContextParams{}, pool);
  ASSERT_TRUE(ctx.ok());
  std::vector<float> logits;
  EXPECT_EQ((*ctx)->Decode(std::vector<TokenId>{1, 450}, false, &logits).code(),
            StatusCode::kUnsupported);
}

// granite.logit_scale divides the logits: 0 or a negative value is refused, naming the key.
TEST(ArchTest, GraniteRefusesAnInvalidLogitScale) {
  testing::TempDir dir;
  for (float bad : {0.0f, -2.0f}) {
    Rewrite r("tiny-granite-F16");
    r.md.Set("granite.logit_scale", gguf::Value(bad));
    auto model = Model::Load(r.Write(dir, "granite.gguf"));
    ASSERT_FALSE(model.ok()) << bad;
    EXPECT_NE(model.status().ToString().find("granite.logit_scale"), std::string::npos)
        << model.status().ToString();
  }
}

// gemma-embedding's dense projections are bound when its metadata announces them: a file that
// lacks one is refused naming it.
TEST(ArchTest, GemmaEmbeddingNeedsItsDenseProjections) {
  testing::TempDir dir;
  Rewrite r("tiny-gemma-embedding-F16");
  r.DropTensorsEndingWith("dense_3.weight");
  auto model = Model::Load(r.Write(dir, "nodense.gguf"));
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.status().ToString().find("dense_3.weight"), std::string::npos)
      << model.status().ToString();
}

}  // namespace
}  // namespace olla::engine
