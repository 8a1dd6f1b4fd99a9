// End-to-end tests of `olla create` and the endpoints it uses (spec §1.5, §3.10, §3.11, §11.6):
// the olla binary against `olla serve` on 127.0.0.1 with a temporary store.

#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "base/sha256.h"
#include "gguf/reader.h"
#include "store/store.h"
#include "support/run_command.h"
#include "support/server_fixture.h"
#include "support/testdata.h"

namespace olla {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::ShellQuote;

void Write(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

class CreateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_.port());
    client_->set_read_timeout(120, 0);
  }
  // Runs `olla ARGS` in `cwd` against the test server.
  testing::CommandResult Olla(const std::string& args, const std::string& cwd) {
    return testing::RunCommand("cd " + ShellQuote(cwd) + " && OLLAMA_HOST=" + server_.host() + " " +
                               ShellQuote(testing::OllaBinary()) + " " + args);
  }
  // Writes `modelfile` into a fresh directory and runs `olla create NAME EXTRA` there.
  testing::CommandResult Create(const std::string& name, const std::string& modelfile,
                                const std::string& extra = "") {
    Write(work_.Join("Modelfile"), modelfile);
    return Olla("create " + ShellQuote(name) + " " + extra, work_.path());
  }
  json Post(const std::string& path, const json& body, int want_status = 200) {
    auto r = client_->Post(path.c_str(), body.dump(), "application/json");
    EXPECT_TRUE(r);
    if (!r) return nullptr;
    EXPECT_EQ(r->status, want_status) << path << " " << r->body;
    json j = json::parse(r->body, nullptr, false);
    return j.is_discarded() ? json(r->body) : j;
  }
  json Show(const std::string& model) { return Post("/api/show", {{"model", model}}); }
  std::vector<std::string> ModelNames() {
    std::vector<std::string> out;
    auto r = client_->Get("/api/tags");
    for (const auto& m : json::parse(r->body)["models"]) out.push_back(m["name"]);
    return out;
  }
  store::StoredManifest Manifest(const std::string& name) {
    auto st = store::Store::Open(server_.models_dir());
    auto m = st->ReadManifest(*store::ModelName::Parse(name));
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return *m;
  }
  std::string ModelBlob(const std::string& name) {
    auto m = Manifest(name);
    return server_.models_dir() + "/blobs/" + m.manifest.layers.at(0).digest.BlobFileName();
  }

  testing::ServerFixture server_;
  std::unique_ptr<httplib::Client> client_;
  testing::TempDir work_;
};

constexpr const char* kModelfile = R"(FROM ./stories.gguf
TEMPLATE """{{ if .System }}{{ .System }} {{ end }}{{ .Prompt }}"""
SYSTEM You are a storyteller.
PARAMETER temperature 0.6
PARAMETER stop "USER:"
PARAMETER stop "ASSISTANT:"
PARAMETER seed 42
MESSAGE user Hello
MESSAGE assistant Once upon a time
LICENSE """MIT License"""
)";

TEST_F(CreateTest, CreatesFromAGgufWithEveryInstruction) {
  fs::copy_file(testing::TestdataPath("models/stories260K.gguf"), work_.Join("stories.gguf"));
  auto r = Create("stories-test", kModelfile);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* status : {"gathering model components", "copying file sha256:", "parsing GGUF",
                             "using existing layer sha256:", "creating new layer sha256:",
                             "writing manifest", "success"})
    EXPECT_NE(r.err.find(status), std::string::npos) << status << "\n" << r.err;
  EXPECT_EQ(r.err.find('\r'), std::string::npos) << "no terminal control characters when piped";

  json show = Show("stories-test");
  EXPECT_EQ(show["template"], "{{ if .System }}{{ .System }} {{ end }}{{ .Prompt }}");
  EXPECT_EQ(show["system"], "You are a storyteller.");
  EXPECT_EQ(show["license"], "MIT License");
  EXPECT_NE(show["parameters"].get<std::string>().find("temperature"), std::string::npos)
      << show["parameters"];
  EXPECT_NE(show["parameters"].get<std::string>().find("\"ASSISTANT:\""), std::string::npos);
  EXPECT_EQ(
      show["messages"],
      json::parse(
          R"([{"role":"user","content":"Hello"},{"role":"assistant","content":"Once upon a time"}])"));
  EXPECT_EQ(show["details"]["format"], "gguf");
  EXPECT_EQ(show["details"]["family"], "llama");
  EXPECT_EQ(show["details"]["quantization_level"], "F32");

  auto list = Olla("list", work_.path());
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("stories-test:latest"), std::string::npos) << list.out;

  json gen = Post("/api/generate", {{"model", "stories-test"},
                                    {"prompt", "Once upon a time"},
                                    {"stream", false},
                                    {"options", {{"num_predict", 4}}}});
  EXPECT_TRUE(gen.value("done", false)) << gen;

  // The same inputs give the same manifest; the blob was not uploaded again.
  const std::string digest = Manifest("stories-test").digest.hex();
  auto again = Create("stories-test", kModelfile);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(Manifest("stories-test").digest.hex(), digest);
  EXPECT_EQ(again.err.find("copying file"), std::string::npos) << again.err;
  EXPECT_EQ(again.err.find("creating new layer"), std::string::npos) << again.err;

  // FROM an existing model: its layers are reused, new ones appended.
  auto derived = Create("derived", "FROM stories-test\nSYSTEM Be brief.\nPARAMETER top_k 5\n");
  ASSERT_EQ(derived.exit_code, 0) << derived.err;
  const std::string model_digest = Manifest("stories-test").manifest.layers[0].digest.String();
  EXPECT_NE(derived.err.find("using existing layer " + model_digest), std::string::npos)
      << derived.err;
  json dshow = Show("derived");
  EXPECT_EQ(dshow["system"], "Be brief.");
  EXPECT_EQ(dshow["template"], show["template"]);
  EXPECT_NE(dshow["parameters"].get<std::string>().find("top_k"), std::string::npos);
  EXPECT_NE(dshow["parameters"].get<std::string>().find("temperature"), std::string::npos);
  EXPECT_EQ(Manifest("derived").manifest.layers[0].digest.String(), model_digest);
}

TEST_F(CreateTest, QuantizesF32Models) {
  const std::string src = testing::TestdataPath("models/tiny-llama-q-F32.gguf");
  auto q8 = Create("tiny-q8", "FROM " + src + "\n", "--quantize q8_0");
  ASSERT_EQ(q8.exit_code, 0) << q8.err;
  EXPECT_NE(q8.err.find("quantizing F32 model to Q8_0"), std::string::npos) << q8.err;
  EXPECT_NE(q8.err.find("verifying conversion"), std::string::npos) << q8.err;
  EXPECT_EQ(Show("tiny-q8")["details"]["quantization_level"], "Q8_0");
  auto f = gguf::File::Open(ModelBlob("tiny-q8"));
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->FindTensor("blk.0.attn_q.weight")->type, tensor::DType::kQ8_0);
  EXPECT_EQ(f->FindTensor("output.weight")->type, tensor::DType::kQ8_0);
  EXPECT_EQ(f->FindTensor("blk.0.attn_norm.weight")->type, tensor::DType::kF32);

  auto km = Create("tiny-q4km", "FROM " + src + "\n", "-q q4_K_M");
  ASSERT_EQ(km.exit_code, 0) << km.err;
  EXPECT_EQ(Show("tiny-q4km")["details"]["quantization_level"], "Q4_K_M");
  auto k = gguf::File::Open(ModelBlob("tiny-q4km"));
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->FindTensor("blk.0.attn_q.weight")->type, tensor::DType::kQ4_K);
  EXPECT_EQ(k->FindTensor("blk.1.attn_v.weight")->type, tensor::DType::kQ6_K);
  EXPECT_EQ(k->FindTensor("output.weight")->type, tensor::DType::kQ6_K);
  // Byte-identical to llama-quantize's output.
  EXPECT_EQ(Sha256File(ModelBlob("tiny-q4km")).value(),
            Sha256File(testing::TestdataPath("models/tiny-llama-q-Q4_K_M.gguf")).value());

  for (const char* model : {"tiny-q8", "tiny-q4km"}) {
    json gen = Post("/api/generate", {{"model", model},
                                      {"prompt", "The quick brown fox"},
                                      {"stream", false},
                                      {"options", {{"num_predict", 4}, {"temperature", 0}}}});
    EXPECT_TRUE(gen.value("done", false)) << model << ": " << gen;
  }

  const auto before = ModelNames();
  auto bad =
      Create("tiny-bad", "FROM " + testing::TestdataPath("models/tiny-llama-q-Q8_0.gguf") + "\n",
             "-q q4_K_M");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("Error: quantization is only supported for F16, BF16 and F32 models"),
            std::string::npos)
      << bad.err;
  EXPECT_EQ(ModelNames(), before);
}

// gpt-oss end to end (issue #15): `olla create` from the F16 test model with Ollama's gpt-oss
// template and `-q mxfp4_moe`, then /api/show and /api/chat through the harmony parser. The tiny
// model's vocabulary has no harmony tokens, so what it writes is never a harmony message: the
// reply is empty, but the request runs whole (think level, tools, the expert kernels).
TEST_F(CreateTest, GptOssFromF16WithMxfp4ExpertsChatsThroughHarmony) {
  const std::string src = testing::TestdataPath("models/tiny-gptoss-F16.gguf");
  std::ifstream in(std::string(OLLA_CHAT_TESTDATA) + "/harmony/gpt-oss.gotmpl", std::ios::binary);
  const std::string tmpl((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(tmpl.empty());
  // num_predict bounds `olla run` below: random weights never write the end token.
  auto c = Create("oss",
                  "FROM " + src + "\nPARAMETER num_predict 8\nTEMPLATE \"\"\"" + tmpl + "\"\"\"\n",
                  "-q mxfp4_moe");
  ASSERT_EQ(c.exit_code, 0) << c.err;
  const json show = Show("oss");
  EXPECT_EQ(show["details"]["quantization_level"], "MXFP4_MOE");
  EXPECT_EQ(show["details"]["family"], "gpt-oss");
  EXPECT_EQ(show["capabilities"], json({"completion", "tools", "thinking"}));
  EXPECT_EQ(show["model_info"]["gpt-oss.expert_count"], 4);
  auto f = gguf::File::Open(ModelBlob("oss"));
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->FindTensor("blk.0.ffn_up_exps.weight")->type, tensor::DType::kMXFP4);

  const json tools = json::parse(
      R"([{"type":"function","function":{"name":"get_time","parameters":{"type":"object"}}}])");
  for (const json& think : {json("low"), json("high"), json(true)}) {
    json request = {{"model", "oss"},
                    {"stream", false},
                    {"think", think},
                    {"tools", tools},
                    {"messages", {{{"role", "user"}, {"content", "What time?"}}}},
                    {"options", {{"num_predict", 6}, {"temperature", 0}}}};
    if (think == json(true)) request["format"] = "json";  // constrains the final channel only
    json chat = Post("/api/chat", request);
    EXPECT_TRUE(chat.value("done", false)) << chat;
    EXPECT_EQ(chat["eval_count"], 6) << chat;
  }
  // And the CLI's chat client on it: `olla run` with a think level.
  auto run = Olla("run oss --think=low 'What time is it?'", work_.path());
  EXPECT_EQ(run.exit_code, 0) << run.err;
}

// ADAPTER (issue #18): the LoRA adapter of testdata §4c on its F32 base generates the
// reference's greedy tokens (llama.cpp with the adapter at scale 1), unlike the bare base.
TEST_F(CreateTest, AdapterLayerIsAppliedAtLoad) {
  const std::string base = testing::TestdataPath("models/tiny-llama-q-F32.gguf");
  const std::string lora = testing::TestdataPath("models/tiny-llama-q-lora-F32.gguf");
  auto c = Create("tuned", "FROM " + base + "\nADAPTER " + lora + "\n");
  ASSERT_EQ(c.exit_code, 0) << c.err;
  ASSERT_EQ(Create("bare", "FROM " + base + "\n").exit_code, 0);
  const json ref = json::parse(
      testing::ReadFileOrFail(testing::TestdataPath("ref/tiny-llama-q-F32+lora.greedy.json")));
  const auto prompt = ref["prompt_tokens"].get<std::vector<int64_t>>();
  const auto want = ref["generated_tokens"].get<std::vector<int64_t>>();
  auto generated = [&](const std::string& model) {
    json r = Post("/api/generate", {{"model", model},
                                    {"prompt", ref["prompt"]},
                                    {"stream", false},
                                    {"options", {{"num_predict", 16}, {"temperature", 0}}}});
    const auto context = r["context"].get<std::vector<int64_t>>();
    EXPECT_EQ(std::vector<int64_t>(context.begin(), context.begin() + prompt.size()), prompt);
    return std::vector<int64_t>(context.begin() + prompt.size(), context.end());
  };
  EXPECT_EQ(generated("tuned"), want);
  EXPECT_NE(generated("bare"), want);
  EXPECT_NE(Show("tuned")["modelfile"].get<std::string>().find("\nADAPTER "), std::string::npos);

  // Checked at create: a model file is not an adapter, and an adapter must fit its base.
  const auto before = ModelNames();
  auto not_lora = Create("bad1", "FROM " + base + "\nADAPTER " + base + "\n");
  EXPECT_EQ(not_lora.exit_code, 1);
  EXPECT_NE(not_lora.err.find("is not a LoRA adapter"), std::string::npos) << not_lora.err;
  auto misfit = Create("bad2", "FROM " + testing::TestdataPath("models/stories260K.gguf") +
                                   "\nADAPTER " + lora + "\n");
  EXPECT_EQ(misfit.exit_code, 1);
  EXPECT_NE(misfit.err.find("blk.0.attn_q.weight.lora_a"), std::string::npos) << misfit.err;
  EXPECT_EQ(ModelNames(), before);
}

TEST_F(CreateTest, BadInputFailsClearlyAndCreatesNothing) {
  Write(work_.Join("broken.gguf"),
        testing::ReadFileOrFail(testing::TestdataPath("models/stories260K.gguf")).substr(0, 4096));
  const struct {
    std::string name, modelfile, want;
  } cases[] = {
      {"m1", "FROM ./nope.gguf\n",
       "Error: stat " + work_.Join("nope.gguf") + ": no such file or directory"},
      {"m2", "FROM ./broken.gguf\n", "Error: invalid GGUF file broken.gguf: "},
      {"bad name!", "FROM ./broken.gguf\n", "Error: invalid model name: bad name!"},
      {"m3", "FROM missing-model\n", "model \"missing-model\" not found"},
      {"m4", "FROM ./broken.gguf\nPARAMETER nope 1\n", "Error: unknown parameter 'nope'"},
      {"m5", "BADCOMMAND x\n", "Error: (line 1): command must be one of"},
  };
  for (const auto& c : cases) {
    auto r = Create(c.name, c.modelfile);
    EXPECT_EQ(r.exit_code, 1) << c.modelfile;
    EXPECT_NE(r.err.find(c.want), std::string::npos) << c.modelfile << "\n" << r.err;
  }
  // No Modelfile in an empty directory: FROM . finds nothing.
  testing::TempDir empty;
  auto r = Olla("create m6", empty.path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("Error: no Modelfile or safetensors files found"), std::string::npos)
      << r.err;
  EXPECT_TRUE(ModelNames().empty());
  EXPECT_FALSE(fs::exists(server_.models_dir() + "/manifests/registry.ollama.ai/library/m2"));
}

TEST_F(CreateTest, CreateEndpointValidation) {
  const std::string d = "sha256:" + std::string(64, '0');
  EXPECT_EQ(Post("/api/create", {{"model", "m"}, {"files", {{"../x.gguf", d}}}}, 400)["error"],
            "file path must be relative");
  EXPECT_EQ(Post("/api/create", {{"model", "m"}, {"files", {{"x.gguf", ""}}}}, 400)["error"],
            "invalid digest format");
  EXPECT_EQ(Post("/api/create", {{"model", "m"}}, 400)["error"],
            "neither 'from' or 'files' was specified");
  EXPECT_EQ(Post("/api/create", {{"model", "m!"}, {"from", "x"}}, 400)["error"],
            "invalid model name");

  // Upload, then create with stream:false; then a bad template on top of it is a plain 400.
  const std::string bytes =
      testing::ReadFileOrFail(testing::TestdataPath("models/stories260K.gguf"));
  const std::string digest = "sha256:" + Sha256Hex(bytes);
  auto up = client_->Post(("/api/blobs/" + digest).c_str(), bytes, "application/octet-stream");
  ASSERT_TRUE(up);
  EXPECT_EQ(up->status, 201);
  auto r = client_->Post(
      "/api/create",
      json{{"model", "api"}, {"files", {{"s.gguf", digest}}}, {"stream", false}}.dump(),
      "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->body, "{\"status\":\"success\"}");
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
  json err =
      Post("/api/create", {{"model", "api2"}, {"from", "api"}, {"template", "{{ .Prompt"}}, 400);
  EXPECT_EQ(err["error"].get<std::string>().rfind("template error: ", 0), 0u) << err;
  // Streaming: NDJSON progress ending in success.
  auto s = client_->Post("/api/create",
                         json{{"model", "api3"}, {"from", "api"}, {"system", "hi"}}.dump(),
                         "application/json");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->get_header_value("Content-Type"), "application/x-ndjson");
  EXPECT_NE(s->body.find("{\"status\":\"writing manifest\"}\n{\"status\":\"success\"}\n"),
            std::string::npos)
      << s->body;
}

TEST_F(CreateTest, BlobsEndpoint) {
  const std::string body = "hello blob";
  const std::string digest = "sha256:" + Sha256Hex(body);
  const std::string path = "/api/blobs/" + digest;
  auto h = client_->Head(path.c_str());
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 404);

  const std::string wrong = "sha256:" + std::string(64, 'A');
  auto mismatch = client_->Post(("/api/blobs/" + wrong).c_str(), body, "application/octet-stream");
  ASSERT_TRUE(mismatch);
  EXPECT_EQ(mismatch->status, 400);
  EXPECT_EQ(json::parse(mismatch->body)["error"],
            "digest mismatch, expected \"" + wrong + "\", got \"" + digest + "\"");

  auto ok = client_->Post(path.c_str(), body, "application/octet-stream");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 201);
  EXPECT_TRUE(ok->body.empty());
  h = client_->Head(path.c_str());
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
  EXPECT_TRUE(fs::exists(server_.models_dir() + "/blobs/sha256-" + Sha256Hex(body)));

  auto again = client_->Post(path.c_str(), std::string(1 << 20, 'x'),
                             "application/octet-stream");  // not stored
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
  auto after = client_->Get("/api/version");  // the client still works afterwards
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);

  for (const char* bad : {"/api/blobs/sha256:abc",
                          "/api/blobs/md5:"
                          "0123456789abcdef0123456789abcdef"}) {
    auto p = client_->Post(bad, body, "application/octet-stream");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->status, 400);
    EXPECT_EQ(json::parse(p->body)["error"], "invalid digest format");
    auto hb = client_->Head(bad);
    ASSERT_TRUE(hb);
    EXPECT_EQ(hb->status, 400);
  }
}

}  // namespace
}  // namespace olla
