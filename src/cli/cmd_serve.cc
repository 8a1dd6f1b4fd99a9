// `olla serve` (alias `start`): runs the REST API server in the foreground until SIGINT/SIGTERM.

#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>
#include <thread>

#include "base/log.h"
#include "base/str_cat.h"
#include "cli/commands.h"
#include "cli/parse_util.h"
#include "registry/key_auth.h"
#include "server/server.h"
#include "store/store.h"

namespace olla::cli {
namespace {

// Ollama's key check before listening (spec §1.3): ~/.ollama/id_ed25519 is created when missing.
Status EnsureKey() {
  OLLA_ASSIGN_OR_RETURN(std::string path, registry::DefaultKeyPath());
  OLLA_ASSIGN_OR_RETURN(registry::EnsuredKey key, registry::EnsureKeyPair(path));
  if (key.created) {
    std::cout << "Couldn't find '" << path << "'. Generating new private key.\n"
              << "Your new public key is: \n\n"
              << key.public_line << "\n\n"
              << std::flush;
  }
  return Status::Ok();
}

Status Serve() {
  OLLA_RETURN_IF_ERROR(EnsureKey());
  // Signals are taken synchronously by one dedicated thread, which stops the server cleanly.
  // They are blocked first, so that every thread created afterwards inherits the mask.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  OLLA_ASSIGN_OR_RETURN(server::ServerConfig config, server::ServerConfigFromEnv());
  config.version = OLLA_VERSION;
  OLLA_ASSIGN_OR_RETURN(std::string dir, store::DefaultModelsDir());
  OLLA_ASSIGN_OR_RETURN(store::Store st, store::Store::Open(dir));
  store::PruneOptions prune;
  prune.noprune = config.noprune;
  auto report = st.Prune(prune);
  if (report.ok()) {
    for (const auto& w : report->warnings) LogWarn(w);
  } else {
    LogWarn(StrCat("prune: ", report.status().message()));
  }
  server::Server srv(config, std::move(st));
  OLLA_RETURN_IF_ERROR(srv.Bind());
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&set, &sig);
    LogInfo(StrCat("received signal ", sig, ", shutting down"));
    srv.Stop();
  });
  Status s = srv.Serve();
  pthread_kill(waiter.native_handle(), SIGTERM);  // wake the waiter if the server stopped by itself
  waiter.join();
  return s;
}

}  // namespace

void RegisterServe(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("serve", "Start ollama");
  cmd->alias("start");
  cmd->callback([exit_code] { *exit_code = ReportStatus(Serve()); });
}

}  // namespace olla::cli
