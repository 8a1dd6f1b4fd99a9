#pragma once
// Registration of the developer commands (`olla debug ...`, `olla debug synth`, `olla bench`) on
// the CLI's CLI11 app; one file per command (cmd_<name>.cc). The CLI (cli/cli.cc) calls these.

namespace CLI {
class App;
}

namespace olla {
class Status;
}

namespace olla::tools {

// Each Register* adds its subcommand to `app`. The callback stores the command's outcome in
// *outcome; the CLI reports a failure as it reports its own ("Error: ..." and exit status 1).
void RegisterDebug(CLI::App& app, Status* outcome);
// Adds `debug synth`; call after RegisterDebug.
void RegisterSynth(CLI::App& app, Status* outcome);
void RegisterBench(CLI::App& app, Status* outcome);

}  // namespace olla::tools
