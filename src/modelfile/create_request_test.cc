#include "modelfile/create_request.h"

#include <gtest/gtest.h>

namespace olla::modelfile {
namespace {

CreateRequest Build(std::string_view text, const ResolveFilesFn& resolve = nullptr) {
  Result<Modelfile> mf = Parse(text);
  EXPECT_TRUE(mf.ok()) << mf.status().ToString();
  if (!mf.ok()) return {};
  Result<CreateRequest> req = BuildCreateRequest(*mf, resolve);
  EXPECT_TRUE(req.ok()) << req.status().ToString();
  return req.ok() ? *req : CreateRequest{};
}

Status BuildError(std::string_view text, const ResolveFilesFn& resolve = nullptr) {
  Result<Modelfile> mf = Parse(text);
  if (!mf.ok()) return mf.status();
  return BuildCreateRequest(*mf, resolve).status();
}

// A fake filesystem: "./model.gguf", "/abs/proj.gguf" and "./adapter" exist.
Result<ResolvedFiles> FakeResolve(std::string_view arg) {
  if (arg == "./model.gguf")
    return ResolvedFiles{"/work/model.gguf", {{"model.gguf", "sha256:aa"}}};
  if (arg == "/abs/proj.gguf") return ResolvedFiles{"/abs/proj.gguf", {{"proj.gguf", "sha256:bb"}}};
  if (arg == "./adapter") return ResolvedFiles{"/work/adapter", {{"adapter.gguf", "sha256:cc"}}};
  if (arg == "./same.gguf" || arg == "/work/model.gguf") {
    return ResolvedFiles{"/work/model.gguf", {{"model.gguf", "sha256:aa"}}};
  }
  if (arg == "./broken") return Status::IoError("permission denied");
  return Status::NotFound(std::string("stat ") + std::string(arg) + ": no such file or directory");
}

TEST(CreateRequestTest, MapsInstructions) {
  CreateRequest req = Build(
      "FROM llama3.2\n"
      "TEMPLATE first\nTEMPLATE \"\"\"{{ .Prompt }}\"\"\"\n"
      "SYSTEM You are Mario.\n"
      "LICENSE MIT\nLICENSE \"\"\"Apache\n2.0\"\"\"\n"
      "PARAMETER temperature 0.6\nPARAMETER temperature 0.7\n"
      "PARAMETER stop <|eot_id|>\nPARAMETER stop \"User: \"\n"
      "PARAMETER num_ctx 4096\nPARAMETER use_mmap false\n"
      "MESSAGE user Is it sunny?\nMESSAGE assistant Yes.\n"
      "REQUIRES v0.14.0\nRENDERER qwen3\nPARSER qwen3\n");
  EXPECT_EQ(req.from, "llama3.2");
  EXPECT_TRUE(req.files.empty());
  EXPECT_EQ(req.template_text, "{{ .Prompt }}");
  EXPECT_EQ(req.system, "You are Mario.");
  EXPECT_EQ(req.license, (std::vector<std::string>{"MIT", "Apache\n2.0"}));
  ASSERT_EQ(req.parameters.size(), 4u);
  EXPECT_EQ(req.parameters.at("temperature"), ParamValue(0.7f));
  EXPECT_EQ(req.parameters.at("stop"),
            ParamValue(std::vector<std::string>{"<|eot_id|>", "User: "}));
  EXPECT_EQ(req.parameters.at("num_ctx"), ParamValue(int64_t{4096}));
  EXPECT_EQ(req.parameters.at("use_mmap"), ParamValue(false));
  EXPECT_EQ(req.messages, (std::vector<Message>{{"user", "Is it sunny?"}, {"assistant", "Yes."}}));
  EXPECT_EQ(req.requires_version, "0.14.0");
  EXPECT_EQ(req.renderer, "qwen3");
  EXPECT_EQ(req.parser, "qwen3");
  EXPECT_TRUE(req.warnings.empty());
}

TEST(CreateRequestTest, DeprecatedParametersWarnAndAreSkipped) {
  CreateRequest req = Build("FROM m\nPARAMETER mirostat 2\nPARAMETER top_k 10\n");
  EXPECT_EQ(req.warnings, std::vector<std::string>{"warning: parameter mirostat is deprecated"});
  EXPECT_EQ(req.parameters.size(), 1u);
  EXPECT_EQ(req.parameters.at("top_k"), ParamValue(int64_t{10}));
}

TEST(CreateRequestTest, ResolvesPaths) {
  CreateRequest req = Build(
      "FROM ./model.gguf\nFROM /abs/proj.gguf\nADAPTER ./adapter\nFROM base:latest\n", FakeResolve);
  EXPECT_EQ(req.from, "base:latest");
  EXPECT_EQ(req.files, (FileDigests{{"model.gguf", "sha256:aa"}, {"proj.gguf", "sha256:bb"}}));
  EXPECT_EQ(req.adapters, (FileDigests{{"adapter.gguf", "sha256:cc"}}));
  // Without a resolver every FROM is a model name.
  EXPECT_EQ(Build("FROM ./model.gguf").from, "./model.gguf");
}

TEST(CreateRequestTest, ReportsErrors) {
  const struct {
    std::string_view text;
    std::string_view want;
  } cases[] = {
      {"FROM m\nPARAMETER bogus 1", "unknown parameter 'bogus'"},
      {"FROM m\nPARAMETER num_ctx big", "invalid int value [big]"},
      {"FROM m\nPARAMETER temperature hot", "invalid float value [hot]"},
      {"FROM m\nPARAMETER use_mmap maybe", "invalid bool value [maybe]"},
      {"FROM m\nREQUIRES latest", "requires must be a valid semver (e.g. 0.14.0)"},
      {"FROM m\nREQUIRES 01.2.3", "requires must be a valid semver (e.g. 0.14.0)"},
      {"FROM m\nADAPTER ./missing", "stat ./missing: no such file or directory"},
      {"FROM ./model.gguf\nDRAFT ./same.gguf",
       "DRAFT must not reference the same local path as FROM: /work/model.gguf"},
      {"DRAFT ./same.gguf\nFROM /work/model.gguf",
       "DRAFT must not reference the same local path as FROM: /work/model.gguf"},
      {"FROM ./broken", "permission denied"},
  };
  for (const auto& c : cases) {
    Status s = BuildError(c.text, FakeResolve);
    EXPECT_FALSE(s.ok()) << c.text;
    EXPECT_EQ(s.message(), c.want) << c.text;
  }
}

TEST(CreateRequestTest, RequiresAcceptsSemverWithOrWithoutV) {
  const struct {
    std::string_view in, want;
  } cases[] = {{"0.14.0", "0.14.0"},
               {"v0.14.0", "0.14.0"},
               {"1", "1"},
               {"1.2", "1.2"},
               {"1.2.3-rc.1+build.5", "1.2.3-rc.1+build.5"}};
  for (const auto& c : cases) {
    EXPECT_EQ(Build(std::string("FROM m\nREQUIRES ") + std::string(c.in)).requires_version, c.want);
  }
}

TEST(CreateRequestTest, SemverValidity) {
  const struct {
    std::string_view in;
    bool want;
  } cases[] = {
      {"v1.2.3", true},         {"v0.0.0", true},       {"v1", true},
      {"v1.2", true},           {"v1.2.3-alpha", true}, {"v1.2.3-0.a", true},
      {"v1.2.3+meta.01", true}, {"1.2.3", false},       {"v", false},
      {"v01.2.3", false},       {"v1.02", false},       {"v1.2-pre", false},
      {"v1.2.3-01", false},     {"v1.2.3-", false},     {"v1.2.3+", false},
      {"v1.2.3.4", false},      {"v1..2", false},       {"v1.2.3-a..b", false},
      {"v1.2.3 ", false},
  };
  for (const auto& c : cases) EXPECT_EQ(IsValidSemver(c.in), c.want) << c.in;
}

}  // namespace
}  // namespace olla::modelfile
