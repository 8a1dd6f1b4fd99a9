// `olla show MODEL|FILE.gguf [--verbose]`.

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "cli/gguf_summary.h"
#include "gguf/reader.h"

namespace olla::cli {

void RegisterShow(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("show", "Show information for a model");
  struct Opts {
    std::string model;
    bool verbose = false;
  };
  auto opts = std::make_shared<Opts>();
  cmd->add_option("MODEL", opts->model, "Model name or path to a .gguf file")->required();
  cmd->add_flag("-v,--verbose", opts->verbose, "Show detailed model information");
  cmd->callback([opts, exit_code] {
    auto file = gguf::File::Open(opts->model);
    if (!file.ok()) {
      std::cerr << "Error: " << file.status().message() << "\n";
      *exit_code = 1;
      return;
    }
    std::cout << RenderShow(*file, opts->verbose);
    *exit_code = 0;
  });
}

}  // namespace olla::cli
