// The official client libraries against `olla serve` (spec §11): the npm packages `ollama`
// (ollama-js), `openai` and `@anthropic-ai/sdk`, pinned in tests/clients/package.json, run the node
// scripts in tests/clients/ against a server with tiny models installed. Each script asserts with
// node:assert and exits non-zero on a failed check; its output is the failure message here.
//
// Needs node (Debian's nodejs, installed by scripts/setup.sh) and tests/clients/node_modules
// (`npm ci --prefix tests/clients`, run by scripts/test.sh). Without them the test fails, saying
// so.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "support/run_command.h"
#include "support/server_fixture.h"
#include "support/testdata.h"

namespace olla {
namespace {

using testing::RunCommand;
using testing::ShellQuote;

// tests/clients in the source tree ($OLLA_CLIENTS_DIR overrides it).
std::string ClientsDir() {
  if (const char* env = std::getenv("OLLA_CLIENTS_DIR"); env && *env) return env;
  return OLLA_CLIENTS_DIR;
}

class ClientsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::InstallModel(server_.models_dir(), "stories",
                          testing::TestdataPath("models/stories260K.gguf"));
    // A template whose rendering is plain text for stories260K: the reply continues the story.
    testing::InstallModel(server_.models_dir(), "storychat",
                          testing::TestdataPath("models/stories260K.gguf"),
                          "{{ range .Messages }}{{ .Content }}{{ end }}");
    testing::InstallModel(server_.models_dir(), "bert",
                          testing::TestdataPath("models/tiny-bert-F32.gguf"));
  }

  // Runs `node <script>` in tests/clients with OLLA_HOST set to the server; fails the test with
  // the script's output, or with install instructions when node or the packages are missing.
  void RunScript(const std::string& script, const std::string& package) {
    const std::string dir = ClientsDir();
    auto node = RunCommand("command -v node && node --version", 30);
    ASSERT_EQ(node.exit_code, 0)
        << "node is not installed: run scripts/setup.sh (Debian's nodejs and npm), "
           "then `npm ci --prefix tests/clients`";
    ASSERT_TRUE(std::filesystem::exists(dir + "/node_modules/" + package + "/package.json"))
        << "the npm package '" << package << "' is not installed in " << dir
        << "/node_modules: run `npm ci --prefix tests/clients` (scripts/test.sh does it when "
           "node_modules is "
           "missing)";
    auto r = RunCommand("cd " + ShellQuote(dir) + " && OLLA_HOST=" +
                            ShellQuote("http://" + server_.host()) + " node " + ShellQuote(script),
                        240);
    EXPECT_EQ(r.exit_code, 0) << script << " (" << node.out << ") failed:\n"
                              << r.out << r.err << "\nserver log:\n"
                              << server_.Log();
    if (r.exit_code == 0) {
      EXPECT_NE(r.out.find("checks passed"), std::string::npos) << r.out << r.err;
    }
  }

  testing::ServerFixture server_;
};

TEST_F(ClientsTest, OllamaJs) { RunScript("ollama_js.mjs", "ollama"); }

TEST_F(ClientsTest, OpenAiJs) { RunScript("openai_js.mjs", "openai"); }

TEST_F(ClientsTest, AnthropicJs) { RunScript("anthropic_js.mjs", "@anthropic-ai/sdk"); }

}  // namespace
}  // namespace olla
