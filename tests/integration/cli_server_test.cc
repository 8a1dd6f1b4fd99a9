// The CLI as a client of `olla serve`: list, show, ps, stop, cp, rm and run by name (spec §1).

#include <gtest/gtest.h>

#include "support/run_command.h"
#include "support/server_fixture.h"
#include "support/testdata.h"

namespace olla {
namespace {

using testing::RunCommand;
using testing::ShellQuote;

class CliServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A params layer bounds generation: stories260K rarely emits EOS.
    testing::InstallModel(server_.models_dir(), "stories",
                          testing::TestdataPath("models/stories260K.gguf"), "",
                          R"({"num_predict":24})");
  }
  testing::CommandResult Olla(const std::string& args) {
    return RunCommand("OLLAMA_HOST=" + server_.host() + " " + ShellQuote(testing::OllaBinary()) +
                      " " + args);
  }
  testing::ServerFixture server_;
};

TEST_F(CliServerTest, ListShowsModelTable) {
  auto r = Olla("list");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("NAME              ID              SIZE      MODIFIED", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("stories:latest    "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1.1 MB    "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Less than a second ago"), std::string::npos) << r.out;
  EXPECT_EQ(Olla("ls nomatch").out, "NAME    ID    SIZE    MODIFIED    \n");
}

TEST_F(CliServerTest, ShowByName) {
  auto r = Olla("show stories");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("    architecture        llama"), std::string::npos) << r.out;
  auto t = Olla("show stories --template");
  EXPECT_EQ(t.out, "{{ .Prompt }}");
  auto both = Olla("show stories --template --system");
  EXPECT_EQ(both.exit_code, 1);
  EXPECT_NE(both.err.find("only one of '--license', '--modelfile', '--parameters', '--system', or "
                          "'--template' can be specified"),
            std::string::npos);
  auto missing = Olla("show nope");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err, "Error: model 'nope:latest' not found\n");
}

TEST_F(CliServerTest, RunByNameStreamsAndPsStopWork) {
  auto r = RunCommand("OLLAMA_HOST=" + server_.host() + " " + ShellQuote(testing::OllaBinary()) +
                      " run stories 'Once upon a time' --verbose");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(r.out.size(), 10u);
  EXPECT_EQ(r.out.substr(r.out.size() - 2), "\n\n");
  EXPECT_NE(r.err.find("eval count:"), std::string::npos) << r.err;
  auto ps = Olla("ps");
  EXPECT_NE(ps.out.find("stories:latest"), std::string::npos) << ps.out;
  EXPECT_NE(ps.out.find("100% CPU"), std::string::npos) << ps.out;
  EXPECT_NE(ps.out.find("minutes from now"), std::string::npos) << ps.out;
  EXPECT_EQ(Olla("stop stories").exit_code, 0);
  EXPECT_EQ(Olla("ps").out.find("stories"), std::string::npos);
  auto bad = Olla("stop nope");
  EXPECT_EQ(bad.err, "Error: couldn't find model \"nope\" to stop\n");
}

TEST_F(CliServerTest, CopyAndRemove) {
  auto cp = Olla("cp stories tales");
  EXPECT_EQ(cp.out, "copied 'stories' to 'tales'\n");
  auto rm = Olla("rm tales");
  EXPECT_EQ(rm.out, "deleted 'tales'\n") << rm.err;
  auto again = Olla("rm tales");
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_EQ(again.err, "Error: model 'tales' not found\n");
}

TEST_F(CliServerTest, NoServerGivesOllamasHint) {
  auto r = RunCommand("OLLAMA_HOST=127.0.0.1:1 " + ShellQuote(testing::OllaBinary()) + " list");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "Error: could not connect to ollama server, run 'ollama serve' to start it\n");
}

}  // namespace
}  // namespace olla
