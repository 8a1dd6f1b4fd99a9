#pragma once
// The `olla` command line: one executable with Ollama's subcommands (CLI11).

namespace olla::cli {

// Parses argv and runs the chosen command. Errors are printed to stderr as "Error: <message>"
// and give exit status 1, as Ollama's CLI does.
int Main(int argc, char** argv);

}  // namespace olla::cli
