// The interactive `olla run MODEL` REPL (spec §1.4.1) driven through a pseudo-terminal against
// `olla serve` with stories260K: prompts, slash commands, a conversation, Ctrl-C and Ctrl-D,
// and the history file. Every wait is bounded.

#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "support/run_command.h"
#include "support/server_fixture.h"
#include "support/testdata.h"

namespace olla {
namespace {

using namespace std::chrono_literals;

// `olla run <args>` on the slave side of a pty (80x24), with HOME in a scratch directory.
class Pty {
 public:
  Pty(const std::string& host, const std::string& home, const std::vector<std::string>& args) {
    winsize ws{};
    ws.ws_row = 24;
    ws.ws_col = 80;
    pid_ = forkpty(&master_, nullptr, nullptr, &ws);
    if (pid_ == 0) {
      ::setenv("OLLAMA_HOST", host.c_str(), 1);
      ::setenv("HOME", home.c_str(), 1);
      ::setenv("TERM", "xterm", 1);
      ::unsetenv("OLLAMA_NOHISTORY");
      const std::string bin = testing::OllaBinary();
      std::vector<char*> argv = {const_cast<char*>(bin.c_str())};
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      ::execv(bin.c_str(), argv.data());
      std::_Exit(127);
    }
  }
  ~Pty() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (master_ >= 0) ::close(master_);
  }
  bool ok() const { return pid_ > 0 && master_ >= 0; }

  void Type(const std::string& keys) {
    size_t off = 0;
    while (off < keys.size()) {
      const ssize_t n = ::write(master_, keys.data() + off, keys.size() - off);
      if (n <= 0) return;
      off += static_cast<size_t>(n);
    }
  }
  // Reads until the output after `from` contains `text`; returns its end offset, or npos after
  // the timeout.
  size_t WaitFor(const std::string& text, size_t from = 0,
                 std::chrono::milliseconds timeout = 30s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      const size_t at = out_.find(text, from);
      if (at != std::string::npos) return at + text.size();
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::string::npos;
      pollfd p{master_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 200))) > 0) {
        char buf[4096];
        const ssize_t n = ::read(master_, buf, sizeof buf);
        if (n <= 0) return std::string::npos;  // the program ended
        out_.append(buf, static_cast<size_t>(n));
      }
    }
  }
  // Waits for the program to exit; its exit code, or -1 on timeout or signal.
  int Wait(std::chrono::milliseconds timeout = 20s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      WaitFor("\x01never\x01", 0, 50ms);  // drain output so the child never blocks on the pty
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
    }
    return -1;
  }
  const std::string& output() const { return out_; }

 private:
  int master_ = -1;
  pid_t pid_ = -1;
  std::string out_;
};

class CliReplTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_GT(server_.port(), 0);
    // A template that renders the conversation as plain text: stories260K continues it.
    testing::InstallModel(server_.models_dir(), "stories",
                          testing::TestdataPath("models/stories260K.gguf"),
                          "{{ range .Messages }}{{ .Content }}{{ end }}", R"({"num_predict":16})");
  }
  testing::ServerFixture server_;
  testing::TempDir home_;
};

TEST_F(CliReplTest, ConversationSlashCommandsAndBye) {
  Pty pty(server_.host(), home_.path(), {"run", "stories"});
  ASSERT_TRUE(pty.ok());
  size_t at = pty.WaitFor(">>> ");
  ASSERT_NE(at, std::string::npos) << pty.output();
  EXPECT_NE(pty.WaitFor("Send a message (/? for help)"), std::string::npos);

  pty.Type("/set parameter num_predict 12\r");
  at = pty.WaitFor("Set parameter 'num_predict' to '12'", at);
  ASSERT_NE(at, std::string::npos) << pty.output();
  pty.Type("/show parameters\r");
  at = pty.WaitFor("User defined parameters:\r\n  num_predict                    12\r\n", at);
  ASSERT_NE(at, std::string::npos) << pty.output();
  EXPECT_NE(pty.output().find("Model defined parameters:\r\n  num_predict                    16"),
            std::string::npos)
      << pty.output();

  // A conversation turn: the reply, then two newlines and a fresh prompt.
  at = pty.WaitFor(">>> ", at);
  pty.Type("Once upon a time\r");
  const size_t reply_start = pty.WaitFor("Once upon a time\r\n", at);
  ASSERT_NE(reply_start, std::string::npos) << pty.output();
  at = pty.WaitFor("\r\n\r\n", reply_start);
  ASSERT_NE(at, std::string::npos) << pty.output();
  EXPECT_GT(at - reply_start, 8u) << "a reply was printed: " << pty.output();
  at = pty.WaitFor(">>> ", at);
  ASSERT_NE(at, std::string::npos) << pty.output();

  // Multi-line input: the continuation prompt, then a reply.
  pty.Type("\"\"\"Once upon\r");
  at = pty.WaitFor("... ", at);
  ASSERT_NE(at, std::string::npos) << pty.output();
  pty.Type("a time\"\"\"\r");
  at = pty.WaitFor("\r\n\r\n", at);
  ASSERT_NE(at, std::string::npos) << pty.output();
  at = pty.WaitFor(">>> ", at);

  // Ctrl-C at the prompt keeps the session; unknown commands are reported.
  pty.Type("\x03");
  at = pty.WaitFor("Use Ctrl + d or /bye to exit.", at);
  ASSERT_NE(at, std::string::npos) << pty.output();
  pty.Type("/nope\r");
  at = pty.WaitFor("Unknown command '/nope'. Type /? for help", at);
  ASSERT_NE(at, std::string::npos) << pty.output();
  pty.Type("/?\r");
  at = pty.WaitFor("Use \"\"\" to begin a multi-line message.", at);
  ASSERT_NE(at, std::string::npos) << pty.output();

  pty.Type("/save full\r");
  at = pty.WaitFor("Created new model 'full'", at);
  ASSERT_NE(at, std::string::npos) << pty.output();
  pty.Type("/save bad!name\r");
  at = pty.WaitFor("error: The model name 'bad!name' is invalid", at);
  ASSERT_NE(at, std::string::npos) << pty.output();
  pty.Type("/load nope\r");
  at = pty.WaitFor("Loading model 'nope'\r\nCouldn't find model 'nope'", at);
  ASSERT_NE(at, std::string::npos) << pty.output();

  pty.Type("/bye\r");
  EXPECT_EQ(pty.Wait(), 0) << pty.output();
  // The saved session: both turns, user and assistant, and the session parameter.
  auto saved =
      testing::RunCommand("OLLAMA_HOST=" + server_.host() + " " +
                          testing::ShellQuote(testing::OllaBinary()) + " show full --modelfile");
  EXPECT_NE(saved.out.find("MESSAGE user Once upon a time"), std::string::npos) << saved.out;
  EXPECT_NE(saved.out.find("MESSAGE assistant "), std::string::npos) << saved.out;
  EXPECT_NE(saved.out.find("PARAMETER num_predict 12"), std::string::npos) << saved.out;

  // The history file has what was typed.
  std::ifstream in(home_.Join(".ollama/history"));
  std::stringstream history;
  history << in.rdbuf();
  EXPECT_NE(history.str().find("/set parameter num_predict 12\n"), std::string::npos)
      << history.str();
  EXPECT_NE(history.str().find("Once upon a time\n"), std::string::npos) << history.str();
}

TEST_F(CliReplTest, CtrlCDuringAReplyReturnsToThePromptAndCtrlDExits) {
  Pty pty(server_.host(), home_.path(), {"run", "stories"});
  ASSERT_TRUE(pty.ok());
  size_t at = pty.WaitFor(">>> ");
  ASSERT_NE(at, std::string::npos) << pty.output();
  // A long reply, interrupted at once: whether or not it finished, the session goes on.
  pty.Type("/set parameter num_predict 100000\r");
  at = pty.WaitFor("Set parameter", at);
  at = pty.WaitFor(">>> ", at);
  pty.Type("Once upon a time\r");
  at = pty.WaitFor("Once upon a time\r\n", at);
  ASSERT_NE(at, std::string::npos) << pty.output();
  pty.Type("\x03");
  at = pty.WaitFor(">>> ", at);
  ASSERT_NE(at, std::string::npos) << pty.output();
  // The cancelled reply is not part of the conversation: /save stores the user message alone.
  pty.Type("/save cut\r");
  at = pty.WaitFor("Created new model 'cut'", at);
  ASSERT_NE(at, std::string::npos) << pty.output();
  at = pty.WaitFor(">>> ", at);
  pty.Type("\x04");  // Ctrl-D on an empty line
  EXPECT_EQ(pty.Wait(), 0) << pty.output();
  auto saved =
      testing::RunCommand("OLLAMA_HOST=" + server_.host() + " " +
                          testing::ShellQuote(testing::OllaBinary()) + " show cut --modelfile");
  EXPECT_NE(saved.out.find("MESSAGE user Once upon a time"), std::string::npos) << saved.out;
  EXPECT_EQ(saved.out.find("MESSAGE assistant"), std::string::npos) << saved.out;
}

TEST_F(CliReplTest, PipedStdinIsThePrompt) {
  auto r = testing::RunCommand("echo 'Once upon a time' | OLLAMA_HOST=" + server_.host() + " " +
                               testing::ShellQuote(testing::OllaBinary()) + " run stories");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(r.out.size(), 4u);
  EXPECT_EQ(r.out.substr(r.out.size() - 2), "\n\n");
  EXPECT_EQ(r.out.find('\033'), std::string::npos) << "no escapes off a terminal";
  auto bad = testing::RunCommand("OLLAMA_HOST=" + server_.host() + " " +
                                 testing::ShellQuote(testing::OllaBinary()) +
                                 " run stories hi --keepalive 300");
  EXPECT_EQ(bad.err, "Error: time: missing unit in duration \"300\"\n");
  auto think = testing::RunCommand("OLLAMA_HOST=" + server_.host() + " " +
                                   testing::ShellQuote(testing::OllaBinary()) +
                                   " run stories hi --think=maybe");
  EXPECT_EQ(think.err,
            "Error: invalid value for --think: \"maybe\" (must be true, false, high, medium, low, "
            "or max)\n");
}

}  // namespace
}  // namespace olla
