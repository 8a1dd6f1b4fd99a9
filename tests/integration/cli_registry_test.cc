// `olla pull` and `olla push` end to end (spec §1.6, §1.7): `olla create` a model, push it to
// Debian's docker-registry on a loopback port (--insecure), remove it, pull it back, and find the
// same layers. Skipped when /usr/bin/docker-registry is not installed (scripts/setup.sh).

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "registry/testing/docker_registry.h"
#include "support/run_command.h"
#include "support/server_fixture.h"
#include "support/testdata.h"

namespace olla {
namespace {

using nlohmann::json;
using registry::testing::DockerRegistry;
using testing::RunCommand;
using testing::ShellQuote;

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class CliRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!DockerRegistry::Available()) GTEST_SKIP() << DockerRegistry::kBinary << " not installed";
    registry_ = std::make_unique<DockerRegistry>();
    ASSERT_TRUE(registry_->ok()) << registry_->Log();
    server_ = std::make_unique<testing::ServerFixture>();
    ASSERT_GT(server_->port(), 0);
  }
  testing::CommandResult Olla(const std::string& args) {
    return RunCommand("cd " + ShellQuote(dir_.path()) + " && OLLAMA_HOST=" + server_->host() + " " +
                      ShellQuote(testing::OllaBinary()) + " " + args);
  }
  // The layer and config digests of `name`'s manifest in the server's store.
  std::vector<std::string> Digests(const std::string& repo, const std::string& tag) {
    const std::string path =
        server_->models_dir() + "/manifests/" + registry_->host() + "/" + repo + "/" + tag;
    json m = json::parse(Slurp(path), nullptr, false);
    std::vector<std::string> out;
    if (m.is_discarded()) return out;
    for (const auto& l : m["layers"]) out.push_back(l.value("digest", ""));
    out.push_back(m["config"].value("digest", ""));
    return out;
  }

  testing::TempDir dir_;
  std::unique_ptr<DockerRegistry> registry_;
  std::unique_ptr<testing::ServerFixture> server_;
};

TEST_F(CliRegistryTest, CreatePushRemovePullGivesTheSameModel) {
  const std::string name = registry_->host() + "/team/stories";
  std::ofstream(dir_.Join("Modelfile"))
      << "FROM " << testing::TestdataPath("models/stories260K.gguf")
      << "\nPARAMETER num_predict 8\n";
  auto create = Olla("create " + name);
  ASSERT_EQ(create.exit_code, 0) << create.err;
  const std::vector<std::string> before = Digests("team/stories", "latest");
  ASSERT_EQ(before.size(), 3u);  // weights, params, config

  auto push = Olla("push " + name + " --insecure");
  ASSERT_EQ(push.exit_code, 0) << push.err << "\n" << server_->Log();
  EXPECT_EQ(push.out, "\nYou can find your model at:\n\n\t" + name + ":latest\n");
  // Off a terminal: each status once, each bar once when finished, no control characters.
  EXPECT_EQ(push.err.rfind("retrieving manifest\npushing ", 0), 0u) << push.err;
  EXPECT_NE(push.err.find("pushing " + before[0].substr(7, 12) + " 100% ▕"), std::string::npos)
      << push.err;
  EXPECT_NE(push.err.find("\npushing manifest\nsuccess\n"), std::string::npos) << push.err;
  EXPECT_EQ(push.err.find('\r'), std::string::npos);
  EXPECT_EQ(push.err.find('\033'), std::string::npos);

  auto rm = Olla("rm " + name);
  ASSERT_EQ(rm.exit_code, 0) << rm.err;
  EXPECT_EQ(Olla("list").out.find("team/stories"), std::string::npos);

  auto pull = Olla("pull " + name + " --insecure");
  ASSERT_EQ(pull.exit_code, 0) << pull.err << "\n" << server_->Log();
  EXPECT_EQ(pull.out, "");
  EXPECT_EQ(pull.err.rfind("pulling manifest\npulling " + before[0].substr(7, 12) + ": 100% ▕", 0),
            0u)
      << pull.err;
  EXPECT_NE(pull.err.find("1.1 MB"), std::string::npos) << pull.err;
  EXPECT_NE(pull.err.find("\nverifying sha256 digest\nwriting manifest\nsuccess\n"),
            std::string::npos)
      << pull.err;
  EXPECT_EQ(pull.err.find('\r'), std::string::npos);

  EXPECT_EQ(Digests("team/stories", "latest"), before);
  auto list = Olla("list");
  EXPECT_NE(list.out.find(name + ":latest"), std::string::npos) << list.out;
  // And the pulled model runs.
  auto run = Olla("run " + name + " 'Once upon a time'");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_GT(run.out.size(), 2u);
}

TEST_F(CliRegistryTest, ErrorsAreOllamas) {
  auto missing = Olla("pull " + registry_->host() + "/team/nothing --insecure");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err, "pulling manifest\nError: pull model manifest: file does not exist\n");
  auto local = Olla("push " + registry_->host() + "/team/nothing --insecure");
  EXPECT_EQ(local.exit_code, 1);
  EXPECT_NE(local.err.find("Error: "), std::string::npos) << local.err;
  auto bad = Olla("pull 'bad name!'");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("Error: "), std::string::npos) << bad.err;
  auto no_server =
      RunCommand("OLLAMA_HOST=127.0.0.1:1 " + ShellQuote(testing::OllaBinary()) + " pull x");
  EXPECT_EQ(no_server.err,
            "Error: could not connect to ollama server, run 'ollama serve' to start it\n");
}

}  // namespace
}  // namespace olla
