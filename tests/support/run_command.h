#pragma once
// Runs a command line through /bin/sh for end-to-end CLI tests, capturing stdout and stderr.

#include <string>

namespace olla::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs `command` (a shell command line) with a time limit in seconds.
CommandResult RunCommand(const std::string& command, int timeout_s = 120);
// Quotes `arg` for /bin/sh.
std::string ShellQuote(const std::string& arg);

}  // namespace olla::testing
