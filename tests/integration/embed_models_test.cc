// End-to-end embeddings of the second set of embedding models (testdata/README.md §4b) through
// /api/embed, /api/embeddings and /v1/embeddings, and their capabilities in /api/show (spec
// §3.6, §3.7, §4.5, §9.7): nomic-bert (nomic-embed-text), gemma-embedding (EmbeddingGemma) and a
// qwen3 file with pooling type "last" (Qwen3-Embedding), each against llama.cpp's reference.

#include <httplib.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "support/server_fixture.h"
#include "support/testdata.h"

namespace olla {
namespace {

using nlohmann::json;

const char kPrompt[] = "The quick brown fox jumps over the lazy dog. Hello world!";

struct EmbedModel {
  const char* name;        // installed as
  const char* file;        // models/<file>.gguf
  const char* ref;         // ref/<file>.embd-<ref>.bin: the pooled reference (not normalized)
  size_t n_prompt_tokens;  // of kPrompt, as the reference tokenized it
  const char* capabilities;
};

const EmbedModel kModels[] = {
    {"nomic", "tiny-nomic-bert-F16", "mean", 15, R"(["embedding"])"},
    {"gemma-embed", "tiny-gemma-embedding-F16", "mean", 16, R"(["embedding"])"},
    // Qwen3-Embedding generates as well as embeds, but its pooling_type makes it an embedding
    // model to Ollama's /api/show (§9.7).
    {"qwen3-embed", "tiny-qwen3-embed-F16", "last", 13, R"(["embedding"])"},
};

class EmbedModelsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const EmbedModel& m : kModels)
      testing::InstallModel(server_.models_dir(), m.name,
                            testing::TestdataPath(std::string("models/") + m.file + ".gguf"));
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_.port());
    client_->set_read_timeout(60, 0);
  }
  httplib::Result Post(const std::string& path, const json& body) {
    return client_->Post(path.c_str(), body.dump(), "application/json");
  }
  static std::vector<float> Reference(const EmbedModel& m) {
    return testing::ReadF32File(
        testing::TestdataPath(std::string("ref/") + m.file + ".embd-" + m.ref + ".bin"));
  }
  // The reference scaled to unit L2 norm, as /api/embed and /v1/embeddings return it.
  static std::vector<float> Normalized(std::vector<float> v) {
    double norm = 0;
    for (float x : v) norm += double(x) * x;
    for (float& x : v) x = static_cast<float>(x / std::sqrt(norm));
    return v;
  }
  // Within the F16 tolerance of the engine tests: cosine >= 0.999 and max |Δ| <= 3e-3 × max |want|.
  static void ExpectClose(const json& got, const std::vector<float>& want, const char* what) {
    ASSERT_EQ(got.size(), want.size()) << what;
    double dot = 0, n_got = 0, n_want = 0, max_diff = 0, max_abs = 0;
    for (size_t i = 0; i < want.size(); ++i) {
      const double g = got[i].get<double>();
      dot += g * want[i];
      n_got += g * g;
      n_want += double(want[i]) * want[i];
      max_diff = std::max(max_diff, std::fabs(g - want[i]));
      max_abs = std::max(max_abs, std::fabs(double(want[i])));
    }
    EXPECT_GE(dot / std::sqrt(n_got * n_want), 0.999) << what;
    EXPECT_LE(max_diff, 3e-3 * max_abs) << what;
  }
  testing::ServerFixture server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(EmbedModelsTest, NativeEmbedIsTheNormalizedReferenceAndLegacyTheRawOne) {
  for (const EmbedModel& m : kModels) {
    SCOPED_TRACE(m.name);
    const std::vector<float> ref = Reference(m);
    const std::vector<float> unit = Normalized(ref);

    auto r = Post("/api/embed", {{"model", m.name}, {"input", kPrompt}});
    ASSERT_EQ(r->status, 200) << r->body;
    json j = json::parse(r->body);
    EXPECT_EQ(j["prompt_eval_count"], m.n_prompt_tokens);
    ASSERT_EQ(j["embeddings"].size(), 1u);
    ExpectClose(j["embeddings"][0], unit, "/api/embed");

    auto legacy = Post("/api/embeddings", {{"model", m.name}, {"prompt", kPrompt}});
    ASSERT_EQ(legacy->status, 200) << legacy->body;
    ExpectClose(json::parse(legacy->body)["embedding"], ref, "/api/embeddings");
  }
}

TEST_F(EmbedModelsTest, OpenAiEmbeddingsAreTheNormalizedReference) {
  for (const EmbedModel& m : kModels) {
    SCOPED_TRACE(m.name);
    const std::vector<float> ref = Reference(m);
    const std::vector<float> unit = Normalized(ref);
    auto r = Post("/v1/embeddings", {{"model", m.name}, {"input", {kPrompt}}});
    ASSERT_EQ(r->status, 200) << r->body;
    json j = json::parse(r->body);
    EXPECT_EQ(j["usage"]["prompt_tokens"], m.n_prompt_tokens);
    ASSERT_EQ(j["data"].size(), 1u);
    ExpectClose(j["data"][0]["embedding"], unit, "/v1/embeddings");
  }
}

// nomic-embed-text's task prefixes are plain text of the input: they are tokenized and change
// the embedding, with nothing special about them.
TEST_F(EmbedModelsTest, NomicTaskPrefixesArePlainText) {
  auto r = Post(
      "/api/embed",
      {{"model", "nomic"}, {"input", {"search_query: hello", "search_document: hello", "hello"}}});
  ASSERT_EQ(r->status, 200) << r->body;
  json j = json::parse(r->body);
  ASSERT_EQ(j["embeddings"].size(), 3u);
  for (const json& e : j["embeddings"]) EXPECT_EQ(e.size(), 64u);
  EXPECT_NE(j["embeddings"][0], j["embeddings"][2]);
  EXPECT_NE(j["embeddings"][0], j["embeddings"][1]);
  // [CLS] search _ query : hello [SEP], the same with "document", [CLS] hello [SEP].
  EXPECT_EQ(j["prompt_eval_count"], 7 + 7 + 3);
}

TEST_F(EmbedModelsTest, ShowReportsEmbeddingCapability) {
  for (const EmbedModel& m : kModels) {
    auto r = Post("/api/show", {{"model", m.name}});
    ASSERT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(json::parse(r->body)["capabilities"], json::parse(m.capabilities)) << m.name;
  }
}

// An encoder cannot generate: Ollama's capability error, not the engine's message.
TEST_F(EmbedModelsTest, EncodersRefuseGenerateAndChatAsOllama) {
  auto gen = Post("/api/generate", {{"model", "nomic"}, {"prompt", "hi"}, {"stream", false}});
  ASSERT_EQ(gen->status, 400) << gen->body;
  EXPECT_EQ(json::parse(gen->body)["error"], "\"nomic\" does not support generate");
  auto chat = Post("/api/chat", {{"model", "gemma-embed"},
                                 {"stream", false},
                                 {"messages", {{{"role", "user"}, {"content", "hi"}}}}});
  ASSERT_EQ(chat->status, 400) << chat->body;
  EXPECT_EQ(json::parse(chat->body)["error"], "\"gemma-embed\" does not support chat");
}

}  // namespace
}  // namespace olla
