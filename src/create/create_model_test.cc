// POST /api/create's request decoding and layer assembly (spec §3.10, §6.3, §9.3), run against a
// store in a temporary directory; manifests are compared with goldens in tests/testdata/create
// (OLLA_UPDATE_GOLDEN=1 rewrites them).

#include "create/create_model.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "base/str_cat.h"
#include "chat/catalog/catalog.h"
#include "gguf/reader.h"
#include "gguf/writer.h"
#include "store/config.h"
#include "support/testdata.h"

namespace olla::create {
namespace {

using nlohmann::json;

TEST(ParseCreateRequestTest, RejectsBadInputWithOllamasMessages) {
  const std::string d = "sha256:" + std::string(64, 'a');
  const struct {
    json body;
    std::string want;
  } cases[] = {
      {{{"model", "m"}, {"files", {{"../x.gguf", d}}}}, "file path must be relative"},
      {{{"model", "m"}, {"files", {{"/abs.gguf", d}}}}, "file path must be relative"},
      {{{"model", "m"}, {"files", {{"a//b.gguf", d}}}}, "file path must be relative"},
      {{{"model", "m"}, {"files", {{"x.gguf", ""}}}}, "invalid digest format"},
      {{{"model", "m"}, {"files", {{"x.gguf", "sha256:abc"}}}}, "invalid digest format"},
      {{{"model", "m"}, {"adapters", {{"x.gguf", ""}}}}, "invalid digest format"},
      {{{"model", "bad name!"}, {"from", "x"}}, "invalid model name"},
      {{{"from", "x"}}, "invalid model name"},
      {{{"model", "m"}, {"from", "x"}, {"draft_quantize", "q8_0"}},
       "--draft-quantize requires a DRAFT model"},
      {{{"model", "m"}, {"from", "x"}, {"info", {{"model_family", 1}}}},
       "info field \"model_family\" must be a string"},
      {{{"model", "m"}, {"from", "x"}, {"info", {{"context_length", "x"}}}},
       "info field \"context_length\" must be a number"},
      {{{"model", "m"}, {"from", "x"}, {"info", {{"context_length", -1}}}},
       "info field \"context_length\" must be a non-negative integer"},
      {{{"model", "m"}, {"from", "x"}, {"parameters", "x"}},
       "json: cannot unmarshal string into Go struct field CreateRequest.parameters of type "
       "map[string]interface {}"},
  };
  for (const auto& c : cases) {
    auto r = ParseCreateRequest(c.body.dump());
    ASSERT_FALSE(r.ok()) << c.body.dump();
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << c.body.dump();
    EXPECT_EQ(r.status().message(), c.want) << c.body.dump();
  }
  EXPECT_EQ(ParseCreateRequest("").status().message(), "missing request body");
}

TEST(ParseCreateRequestTest, ReadsAllFields) {
  const std::string d = "sha256-" + std::string(64, 'A');
  auto r = ParseCreateRequest(json{
      {"name", "Ns/M:T"},
      {"files", {{"dir/a.gguf", d}}},
      {"template", "t"},
      {"system", "s"},
      {"license", "MIT"},
      {"parameters", {{"top_k", 1}}},
      {"messages", {{{"role", "user"}, {"content", "hi"}}}},
      {"quantization", "q8_0"},
      {"stream", false}}.dump());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->name->DisplayShortest(), "Ns/M:T");
  ASSERT_EQ(r->files.size(), 1u);
  EXPECT_EQ(r->files.at("dir/a.gguf").String(), "sha256:" + std::string(64, 'a'));
  EXPECT_EQ(r->license, std::vector<std::string>{"MIT"});
  EXPECT_EQ(r->quantize, "q8_0");
  EXPECT_FALSE(r->stream);
  EXPECT_FALSE(r->has_adapters);
}

TEST(MergeParametersTest, RequestWinsAndArraysAreReplaced) {
  json base = {{"temperature", 1}, {"top_k", 10}, {"stop", {"USER:", "ASSISTANT:"}}};
  json merged = MergeParameters({{"temperature", 0.6}, {"top_p", 0.7}}, base);
  EXPECT_EQ(
      store::EncodeParamsLayer(merged).value(),
      "{\"stop\":[\"USER:\",\"ASSISTANT:\"],\"temperature\":0.6,\"top_k\":10,\"top_p\":0.7}\n");
  EXPECT_EQ(MergeParameters({{"stop", {"x"}}}, base)["stop"], json({"x"}));
  EXPECT_EQ(MergeParameters(nullptr, nullptr), json::object());
}

TEST(ParameterSizeLabelTest, HumanNumber) {
  EXPECT_EQ(ParameterSizeLabel(8030261248), "8.0B");
  EXPECT_EQ(ParameterSizeLabel(137000000), "137M");
  EXPECT_EQ(ParameterSizeLabel(292416), "292K");
  EXPECT_EQ(ParameterSizeLabel(999), "999");
}

class CreateModelTest : public ::testing::Test {
 protected:
  store::Store& st() { return store_; }
  store::Digest AddFile(const std::string& path) {
    auto r = st().WriteBlobFromFile(path);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r->digest;
  }
  store::Digest AddModel(const std::string& file) {
    return AddFile(testing::TestdataPath("models/" + file));
  }
  Status Create(const json& body) {
    statuses_.clear();
    auto req = ParseCreateRequest(body.dump());
    if (!req.ok()) return req.status();
    return CreateModel(st(), *req, {}, [&](const json& j) { statuses_.push_back(j); });
  }
  std::vector<std::string> StatusTexts() const {
    std::vector<std::string> out;
    for (const auto& j : statuses_) out.push_back(j.value("status", ""));
    return out;
  }
  store::StoredManifest Manifest(const std::string& name) {
    auto m = st().ReadManifest(*store::ModelName::Parse(name));
    if (!m.ok()) ADD_FAILURE() << name << ": " << m.status().ToString();
    return std::move(m).value();  // the caller's test has failed already if it is missing
  }
  std::string Layer(const store::StoredManifest& m, std::string_view media_type) {
    for (const auto& l : m.manifest.layers)
      if (l.media_type == media_type) {
        auto b = st().ReadBlob(l.digest);
        return b.ok() ? *b : "<unreadable>";
      }
    return "<none>";
  }
  // Every file under the store with its size (manifests with their bytes).
  std::set<std::string> Snapshot() {
    std::set<std::string> out;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir_.path())) {
      if (!e.is_regular_file()) continue;
      std::string entry = e.path().string() + " " + std::to_string(e.file_size());
      if (e.path().string().find("/manifests/") != std::string::npos)
        entry += " " + testing::ReadFileOrFail(e.path());
      out.insert(entry);
    }
    return out;
  }
  void ExpectGolden(const std::string& name, const std::string& got) {
    const std::string path = std::string(OLLA_CREATE_TESTDATA) + "/" + name;
    if (const char* u = std::getenv("OLLA_UPDATE_GOLDEN"); u && *u == '1') {
      std::ofstream(path, std::ios::binary) << got;
      return;
    }
    EXPECT_EQ(got, testing::ReadFileOrFail(path))
        << "golden " << path << " (OLLA_UPDATE_GOLDEN=1 rewrites it)";
  }

  testing::TempDir dir_;
  store::Store store_ = *store::Store::Open(dir_.path());
  std::vector<json> statuses_;
};

TEST_F(CreateModelTest, ImportsGgufWithMetadataLayers) {
  const store::Digest model = AddModel("stories260K.gguf");
  const json body = {
      {"model", "stories"},
      {"files", {{"stories260K.gguf", model.String()}}},
      {"template", "{{ .System }} {{ .Prompt }}"},
      {"system", "You are a storyteller."},
      {"license", {"MIT <3 & more", "Second license"}},
      {"parameters", {{"temperature", 0.6}, {"stop", {"<|end|>", "User:"}}, {"num_ctx", 128}}},
      {"messages",
       {{{"role", "user"}, {"content", "Hi"}}, {{"role", "assistant"}, {"content", "Hello!"}}}}};
  ASSERT_TRUE(Create(body).ok());
  const auto m = Manifest("stories");
  ExpectGolden("import_manifest.json", m.raw);
  std::vector<std::string> want = {"parsing GGUF", "using existing layer " + model.String()};
  for (size_t i = 1; i < m.manifest.layers.size(); ++i)
    want.push_back("creating new layer " + m.manifest.layers[i].digest.String());
  want.insert(want.end(), {"writing manifest", "success"});
  EXPECT_EQ(StatusTexts(), want);
  EXPECT_EQ(m.manifest.layers[0].from, "stories260K.gguf");
  EXPECT_EQ(Layer(m, store::kMediaTypeParams),
            "{\"num_ctx\":128,\"stop\":[\"\\u003c|end|\\u003e\",\"User:\"],\"temperature\":0.6}\n");
  EXPECT_EQ(
      Layer(m, store::kMediaTypeMessages),
      "[{\"role\":\"user\",\"content\":\"Hi\"},{\"role\":\"assistant\",\"content\":\"Hello!\"}]\n");
  EXPECT_EQ(Layer(m, store::kMediaTypeSystem), "You are a storyteller.");
  auto config = store::ParseModelConfig(st().ReadBlob(m.manifest.config.digest).value());
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->model_format, "gguf");
  EXPECT_EQ(config->model_family, "llama");
  EXPECT_EQ(config->model_type, "293K");
  EXPECT_EQ(config->file_type, "F32");

  // Same inputs, same manifest: every layer now exists.
  ASSERT_TRUE(Create(body).ok());
  EXPECT_EQ(Manifest("stories").digest, m.digest);
  for (size_t i = 1; i + 2 < statuses_.size(); ++i)
    EXPECT_EQ(StatusTexts()[i].rfind("using existing layer ", 0), 0u) << StatusTexts()[i];
}

TEST_F(CreateModelTest, DerivesFromAModelMergingParameters) {
  const store::Digest model = AddModel("stories260K.gguf");
  ASSERT_TRUE(Create({{"model", "base"},
                      {"files", {{"s.gguf", model.String()}}},
                      {"system", "base system"},
                      {"parameters",
                       {{"temperature", 1}, {"top_k", 10}, {"stop", {"USER:", "ASSISTANT:"}}}}})
                  .ok());
  ASSERT_TRUE(Create({{"model", "derived"},
                      {"from", "base"},
                      {"parameters", {{"temperature", 0.6}, {"top_p", 0.7}}},
                      {"template", "{{ .Prompt }}!"}})
                  .ok());
  const auto m = Manifest("derived");
  ExpectGolden("derived_manifest.json", m.raw);
  EXPECT_EQ(
      Layer(m, store::kMediaTypeParams),
      "{\"stop\":[\"USER:\",\"ASSISTANT:\"],\"temperature\":0.6,\"top_k\":10,\"top_p\":0.7}\n");
  EXPECT_EQ(Layer(m, store::kMediaTypeSystem), "base system");  // inherited
  EXPECT_EQ(m.manifest.layers[0].from, "base:latest");
  EXPECT_EQ(m.manifest.layers[0].digest, model);
  EXPECT_EQ(StatusTexts()[0], "using existing layer " + model.String());
}

TEST_F(CreateModelTest, RecreatingFromFilesDropsTheOldSystemLayerAndItsBlob) {
  const store::Digest model = AddModel("stories260K.gguf");
  ASSERT_TRUE(
      Create({{"model", "m"}, {"files", {{"s.gguf", model.String()}}}, {"system", "old system"}})
          .ok());
  const store::Digest system = Manifest("m").manifest.layers.back().digest;
  ASSERT_TRUE(st().HasBlob(system));
  ASSERT_TRUE(Create({{"model", "m"}, {"files", {{"s.gguf", model.String()}}}}).ok());
  EXPECT_EQ(Manifest("m").manifest.layers.size(), 1u);
  EXPECT_FALSE(st().HasBlob(system));
  EXPECT_TRUE(st().HasBlob(model));
}

TEST_F(CreateModelTest, NamesDifferingOnlyByCaseShareOneManifest) {
  const store::Digest model = AddModel("stories260K.gguf");
  ASSERT_TRUE(Create({{"model", "Team/Story:V1"}, {"files", {{"s.gguf", model.String()}}}}).ok());
  ASSERT_TRUE(
      Create({{"model", "team/story:v1"}, {"from", "TEAM/STORY:V1"}, {"system", "s"}}).ok());
  auto models = st().ListModels();
  ASSERT_TRUE(models.ok());
  ASSERT_EQ(models->size(), 1u);
  EXPECT_EQ((*models)[0].name.DisplayShortest(), "Team/Story:V1");
  EXPECT_EQ(Layer(Manifest("team/story:v1"), store::kMediaTypeSystem), "s");
}

TEST_F(CreateModelTest, AutodetectsTheChatTemplate) {
  auto src = gguf::File::Open(testing::TestdataPath("models/stories260K.gguf"));
  ASSERT_TRUE(src.ok());
  gguf::Metadata md = src->metadata();
  md.Set("tokenizer.chat_template",
         gguf::Value(std::string(chat::internal::kJinjaVariants[0].jinja)));
  std::vector<gguf::TensorToWrite> tensors;
  for (const auto& t : src->tensors()) tensors.push_back({t.name, t.ne, t.type, t.data});
  auto bytes = gguf::Serialize(md, tensors);
  ASSERT_TRUE(bytes.ok());
  const store::Digest model = st().WriteBlob(*bytes)->digest;
  ASSERT_TRUE(Create({{"model", "chat"}, {"files", {{"chat.gguf", model.String()}}}}).ok());
  const auto m = Manifest("chat");
  const chat::NamedTemplate* chatml =
      chat::FindNamedTemplate(chat::internal::kJinjaVariants[0].name);
  ASSERT_NE(chatml, nullptr);
  EXPECT_EQ(StatusTexts()[2], StrCat("using autodetected template ", chatml->name));
  EXPECT_EQ(Layer(m, store::kMediaTypeTemplate), chatml->go_template);
  EXPECT_EQ(Layer(m, store::kMediaTypeParams), chat::NamedTemplateParamsJson(*chatml) + "\n");
}

TEST_F(CreateModelTest, QuantizesTheModelLayer) {
  const store::Digest model = AddModel("tiny-llama-q-F32.gguf");
  ASSERT_TRUE(
      Create({{"model", "q"}, {"files", {{"t.gguf", model.String()}}}, {"quantize", "q4_K_M"}})
          .ok());
  const auto m = Manifest("q");
  const std::string want =
      testing::ReadFileOrFail(testing::TestdataPath("models/tiny-llama-q-Q4_K_M.gguf"));
  EXPECT_EQ(m.manifest.layers[0].digest, store::Digest::Of(want));  // llama-quantize's bytes
  EXPECT_EQ(m.manifest.layers[0].from, "t.gguf");
  EXPECT_EQ(store::ParseModelConfig(st().ReadBlob(m.manifest.config.digest).value())->file_type,
            "Q4_K_M");
  bool progress = false;
  for (const auto& j : statuses_) {
    if (j.value("status", "") != "quantizing F32 model to Q4_K_M") continue;
    progress = true;
    EXPECT_EQ(j["digest"], "0000000000000000000");
    EXPECT_LE(j["completed"].get<int64_t>(), j["total"].get<int64_t>());
  }
  EXPECT_TRUE(progress);
  EXPECT_EQ(statuses_.back()["status"], "success");
  const auto texts = StatusTexts();
  EXPECT_NE(std::find(texts.begin(), texts.end(), "verifying conversion"), texts.end());
  // From a model: its model layer is quantized, its origin kept.
  ASSERT_TRUE(Create({{"model", "f32"}, {"files", {{"t.gguf", model.String()}}}}).ok());
  ASSERT_TRUE(Create({{"model", "q8"}, {"from", "f32"}, {"quantize", "q8_0"}}).ok());
  const auto q8 = Manifest("q8");
  EXPECT_EQ(q8.manifest.layers[0].from, "f32:latest");
  auto f = gguf::File::Open(st().BlobPath(q8.manifest.layers[0].digest));
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->FindTensor("blk.0.attn_q.weight")->type, tensor::DType::kQ8_0);
  // The type it already has: nothing to do.
  ASSERT_TRUE(
      Create({{"model", "same"}, {"files", {{"t.gguf", model.String()}}}, {"quantize", "F32"}})
          .ok());
  EXPECT_EQ(Manifest("same").manifest.layers[0].digest, model);
}

TEST_F(CreateModelTest, BadInputLeavesTheStoreUnchanged) {
  const store::Digest f32 = AddModel("stories260K.gguf");
  const store::Digest q8 = AddModel("tiny-llama-q-Q8_0.gguf");
  const std::string full =
      testing::ReadFileOrFail(testing::TestdataPath("models/stories260K.gguf"));
  const store::Digest truncated = st().WriteBlob(full.substr(0, full.size() / 2))->digest;
  const store::Digest text = st().WriteBlob("not a model")->digest;
  ASSERT_TRUE(
      Create({{"model", "existing"}, {"files", {{"s.gguf", f32.String()}}}, {"system", "keep me"}})
          .ok());
  const auto before = Snapshot();
  const struct {
    json body;
    std::string want;
  } cases[] = {
      {{{"model", "existing"}}, "neither 'from' or 'files' was specified"},
      {{{"model", "existing"}, {"from", "missing"}},
       "model \"missing\" not found, try pulling it first"},
      {{{"model", "existing"}, {"files", {{"s.gguf", f32.String()}}}, {"template", "{{ .Prompt"}},
       "template error: "},
      {{{"model", "existing"}, {"files", {{"s.gguf", f32.String()}}}, {"quantize", "q9_0"}},
       "unsupported quantization type Q9_0"},
      {{{"model", "existing"},
        {"files", {{"q.gguf", q8.String()}}},
        {"quantize", "q4_K_M"},
        {"system", "x"}},
       "quantization is only supported for F16, BF16 and F32 models"},
      {{{"model", "existing"}, {"files", {{"t.gguf", truncated.String()}}}, {"system", "new"}},
       "invalid GGUF file t.gguf: "},
      {{{"model", "existing"}, {"files", {{"x.gguf", text.String()}}}},
       "supplied file was not in GGUF format"},
      {{{"model", "existing"}, {"files", {{"x.txt", text.String()}}}}, "unknown type"},
      {{{"model", "existing"},
        {"files", {{"s.gguf", f32.String()}}},
        {"adapters", {{"a.gguf", f32.String()}, {"b.gguf", q8.String()}}}},
       "only one adapter is currently supported"},
      {{{"model", "existing"}, {"files", {{"s.gguf", store::Digest::Of("absent").String()}}}},
       "blob \"sha256:"},
  };
  for (const auto& c : cases) {
    Status s = Create(c.body);
    ASSERT_FALSE(s.ok()) << c.body.dump();
    EXPECT_EQ(s.message().rfind(c.want, 0), 0u) << c.body.dump() << " → " << s.message();
    EXPECT_EQ(Snapshot(), before) << c.body.dump();
  }
}

// A store write that fails (here the manifest directory cannot be made; read-only and full
// disks fail the same way) is reported, and the blobs written before it are removed again.
TEST_F(CreateModelTest, StoreWriteFailureLeavesNoTrace) {
  const store::Digest model = AddModel("stories260K.gguf");
  std::filesystem::create_directories(dir_.Join("manifests/registry.ollama.ai"));
  std::ofstream(dir_.Join("manifests/registry.ollama.ai/blocked")) << "not a directory";
  const auto before = Snapshot();
  Status s = Create({{"model", "blocked/m"},
                     {"files", {{"s.gguf", model.String()}}},
                     {"system", "a new system prompt"},
                     {"license", "a new license"}});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("blocked"), std::string::npos) << s.message();
  EXPECT_EQ(Snapshot(), before);
}

// A full disk while the quantized blob is written: a clear error, and the store is unchanged.
// The child process simulates it with RLIMIT_FSIZE (writes past the limit fail with EFBIG where
// a full disk gives ENOSPC; the store treats every failed write alike).
TEST_F(CreateModelTest, FullDiskWhileQuantizingLeavesTheStoreUnchanged) {
  const store::Digest model = AddModel("tiny-llama-q-F32.gguf");
  ASSERT_TRUE(Create({{"model", "base"}, {"files", {{"t.gguf", model.String()}}}}).ok());
  const auto before = Snapshot();
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(fds[0]);
    ::signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{64 << 10, 64 << 10};  // the Q8_0 blob is about 2 MB
    ::setrlimit(RLIMIT_FSIZE, &limit);
    const Status s = Create({{"model", "q"}, {"from", "base"}, {"quantize", "q8_0"}});
    const std::string message = s.ok() ? "OK" : s.message();
    const ssize_t written = ::write(fds[1], message.data(), message.size());
    ::_exit(written == static_cast<ssize_t>(message.size()) ? 0 : 1);
  }
  ::close(fds[1]);
  std::string message;
  char buf[512];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;)
    message.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_NE(message, "OK");
  EXPECT_NE(message.find("too large"), std::string::npos)
      << message;  // strerror(EFBIG), with the path
  EXPECT_EQ(Snapshot(), before);
}

}  // namespace
}  // namespace olla::create
