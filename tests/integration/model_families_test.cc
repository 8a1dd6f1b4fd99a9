// The model families of issue #15 through `olla serve`: each test model (testdata README §4b)
// installed in the store generates llama.cpp's greedy text over /api/generate, and /api/show
// and /api/ps describe it (expert counts in model_info, capabilities, memory).

#include <httplib.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/server_fixture.h"
#include "support/testdata.h"

namespace olla {
namespace {

using nlohmann::json;

struct Family {
  const char* model;     // testdata file name without .gguf
  const char* arch;      // general.architecture
  int64_t expert_count;  // in model_info; 0: dense
};

const Family kFamilies[] = {
    {"tiny-qwen3moe-F16", "qwen3moe", 8},
    {"tiny-qwen3moe-Q4_K_M", "qwen3moe", 8},
    {"tiny-mixtral-Q4_0", "llama", 4},
    {"tiny-gptoss-F16", "gpt-oss", 4},
    {"tiny-gptoss-MXFP4", "gpt-oss", 4},
};

class ModelFamiliesTest : public ::testing::TestWithParam<Family> {};

TEST_P(ModelFamiliesTest, GeneratesTheGreedyReferenceAndIsDescribed) {
  const Family& f = GetParam();
  const std::string path = testing::TestdataPath(std::string("models/") + f.model + ".gguf");
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " is not in this test data";
  // The references were made with an F32 cache; with F16 a quantized model's greedy path may
  // part from them after a few tokens.
  testing::ServerFixture server(
      std::map<std::string, std::string>{{"OLLAMA_KV_CACHE_TYPE", "f32"}});
  testing::InstallModel(server.models_dir(), "m", path);
  httplib::Client client("127.0.0.1", server.port());
  client.set_read_timeout(60, 0);
  auto post = [&](const std::string& route, const json& body) {
    return client.Post(route.c_str(), body.dump(), "application/json");
  };

  const json ref = json::parse(testing::ReadFileOrFail(
      testing::TestdataPath(std::string("ref/") + f.model + ".greedy.json")));
  auto r = post("/api/generate", {{"model", "m"},
                                  {"prompt", ref["prompt"]},
                                  {"raw", true},
                                  {"stream", false},
                                  {"options", {{"temperature", 0}, {"num_predict", 16}}}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const json j = json::parse(r->body);
  // raw: no context is returned (as Ollama); the text and the counts are the reference's.
  EXPECT_EQ(j["response"], ref["generated_text"]);
  EXPECT_EQ(j["eval_count"], 16);
  EXPECT_EQ(j["prompt_eval_count"], ref["prompt_tokens"].size());

  auto show = post("/api/show", {{"model", "m"}});
  ASSERT_EQ(show->status, 200) << show->body;
  const json s = json::parse(show->body);
  EXPECT_EQ(s["model_info"]["general.architecture"], f.arch);
  if (f.expert_count > 0) {
    EXPECT_EQ(s["model_info"][std::string(f.arch) + ".expert_count"], f.expert_count);
    EXPECT_EQ(s["model_info"][std::string(f.arch) + ".expert_used_count"], 2);
  }
  EXPECT_NE(std::find(s["capabilities"].begin(), s["capabilities"].end(), "completion"),
            s["capabilities"].end())
      << s["capabilities"];
  const json ps = json::parse(client.Get("/api/ps")->body);
  ASSERT_EQ(ps["models"].size(), 1u);
  EXPECT_GT(ps["models"][0]["size"].get<int64_t>(),
            static_cast<int64_t>(std::filesystem::file_size(path)));
}

INSTANTIATE_TEST_SUITE_P(Families, ModelFamiliesTest, ::testing::ValuesIn(kFamilies),
                         [](const ::testing::TestParamInfo<Family>& param_info) {
                           std::string name = param_info.param.model;
                           for (char& c : name)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

}  // namespace
}  // namespace olla
