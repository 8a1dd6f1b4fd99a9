#include "cli/cli.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"
#include "cli/parse_util.h"
#include "tools/commands.h"

namespace olla::cli {

int Main(int argc, char** argv) {
  CLI::App app{"Large language model runner", "olla"};
  app.require_subcommand(0, 1);
  bool show_version = false;
  app.add_flag("-v,--version", show_version, "Show version information");
  int exit_code = 0;
  RegisterServe(app, &exit_code);
  RegisterCreate(app, &exit_code);
  RegisterShow(app, &exit_code);
  RegisterRun(app, &exit_code);
  RegisterTransfer(app, &exit_code);
  RegisterModelCommands(app, &exit_code);
  // The developer commands report through the CLI, after parsing, as its own commands do.
  Status tool_outcome;
  tools::RegisterDebug(app, &tool_outcome);
  tools::RegisterSynth(app, &tool_outcome);
  tools::RegisterBench(app, &tool_outcome);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::cerr << "Error: " << e.what() << "\n";
    return 1;
  }
  if (!tool_outcome.ok()) exit_code = ReportStatus(tool_outcome);
  if (show_version) {
    std::cout << "olla version is " << OLLA_VERSION << "\n";
    return 0;
  }
  if (app.get_subcommands().empty()) {
    std::cout << app.help();
    return 0;
  }
  return exit_code;
}

}  // namespace olla::cli
