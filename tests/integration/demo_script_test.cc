// scripts/demo.sh, the README's first command after setup: with no server on OLLAMA_HOST it
// starts one, creates stories260k from models/ once, runs the prompt, and stops the server.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "support/run_command.h"
#include "support/testdata.h"

namespace olla {
namespace {

int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

bool Listening(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

TEST(DemoScriptTest, StartsServerCreatesModelRunsAndStops) {
  testing::TempDir home;
  const int port = FreePort();
  ASSERT_GT(port, 0);
  const std::string env = "HOME=" + testing::ShellQuote(home.path()) +
                          " OLLAMA_MODELS=" + testing::ShellQuote(home.Join("models")) +
                          " OLLAMA_HOST=127.0.0.1:" + std::to_string(port) +
                          " OLLA_BINARY=" + testing::ShellQuote(testing::OllaBinary()) + " ";
  const std::string script = testing::ShellQuote(std::string(OLLA_SOURCE_DIR) + "/scripts/demo.sh");
  auto first = testing::RunCommand(env + script, 120);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.err.find("starting olla serve on 127.0.0.1:" + std::to_string(port)),
            std::string::npos)
      << first.err;
  EXPECT_NE(first.err.find("\nsuccess\n"), std::string::npos) << "created: " << first.err;
  EXPECT_GT(first.out.size(), 20u);
  EXPECT_EQ(first.out.substr(first.out.size() - 2), "\n\n");
  EXPECT_FALSE(Listening(port)) << "the server it started is stopped";

  // Second run: the model exists; a prompt from the arguments.
  auto second = testing::RunCommand(env + script + " 'The little dog'", 120);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(second.err.find("gathering model components"), std::string::npos) << second.err;
  EXPECT_GT(second.out.size(), 20u);
  EXPECT_FALSE(Listening(port));
}

}  // namespace
}  // namespace olla
