#pragma once
// Registration of each subcommand on the CLI11 app; one file per command (cmd_<name>.cc). The
// developer commands (debug, bench) live in tools/ (tools/commands.h).

namespace CLI {
class App;
}

namespace olla::cli {

// Each Register* adds its subcommand to `app`. The callback stores the exit status in
// *exit_code (0 on success, 1 after printing "Error: ..." to stderr).
void RegisterShow(CLI::App& app, int* exit_code);
void RegisterRun(CLI::App& app, int* exit_code);
void RegisterServe(CLI::App& app, int* exit_code);
void RegisterCreate(CLI::App& app, int* exit_code);
void RegisterModelCommands(CLI::App& app, int* exit_code);  // list, ps, stop, cp, rm
void RegisterTransfer(CLI::App& app, int* exit_code);       // pull, push

}  // namespace olla::cli
