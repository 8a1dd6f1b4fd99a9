// `olla show MODEL [--verbose] [--license|--modelfile|--parameters|--system|--template]`.
// MODEL is a name (asked of the server) or a path to a .gguf file (read in place by tools/).

#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "base/file.h"
#include "cli/client_util.h"
#include "cli/commands.h"
#include "cli/parse_util.h"
#include "cli/show_render.h"
#include "tools/gguf_summary.h"

namespace olla::cli {

namespace {
struct ShowOpts {
  std::string model;
  bool verbose = false, license = false, modelfile = false, parameters = false, system = false,
       templ = false;
};

Status Show(const ShowOpts& o) {
  const int selectors = o.license + o.modelfile + o.parameters + o.system + o.templ;
  if (selectors > 1)
    return Status::InvalidArgument(
        "only one of '--license', '--modelfile', '--parameters', '--system', or '--template' can "
        "be specified");
  nlohmann::json show;
  // A path (existing, or spelled like one) is read in place; anything else is a model name.
  const bool looks_like_path =
      o.model.find('/') != std::string::npos ||
      (o.model.size() > 5 && o.model.compare(o.model.size() - 5, 5, ".gguf") == 0);
  if (IsRegularFile(o.model) || looks_like_path) {
    OLLA_ASSIGN_OR_RETURN(show, tools::ShowJsonForFile(o.model));
  } else {
    OLLA_ASSIGN_OR_RETURN(api::Client c, ConnectToServer());
    nlohmann::json body = {{"model", o.model}, {"verbose", o.verbose}};
    OLLA_ASSIGN_OR_RETURN(show, c.Call("POST", "/api/show", &body));
  }
  auto field = [&](const char* key) {
    return show.contains(key) ? show[key].get<std::string>() : std::string();
  };
  if (o.license)
    std::cout << field("license") << "\n";
  else if (o.modelfile)
    std::cout << field("modelfile") << "\n";
  else if (o.parameters)
    std::cout << field("parameters") << "\n";
  else if (o.system)
    std::cout << field("system");
  else if (o.templ)
    std::cout << field("template");
  else
    std::cout << RenderShowResponse(show, o.verbose);
  return Status::Ok();
}
}  // namespace

void RegisterShow(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("show", "Show information for a model");
  auto o = std::make_shared<ShowOpts>();
  cmd->add_option("MODEL", o->model, "Model name or path to a .gguf file")->required();
  cmd->add_flag("-v,--verbose", o->verbose, "Show detailed model information");
  cmd->add_flag("--license", o->license, "Show license of a model");
  cmd->add_flag("--modelfile", o->modelfile, "Show Modelfile of a model");
  cmd->add_flag("--parameters", o->parameters, "Show parameters of a model");
  cmd->add_flag("--system", o->system, "Show system message of a model");
  cmd->add_flag("--template", o->templ, "Show template of a model");
  cmd->callback([o, exit_code] { *exit_code = ReportStatus(Show(*o)); });
}

}  // namespace olla::cli
