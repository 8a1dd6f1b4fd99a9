// `olla pull MODEL [--insecure]`, `olla push MODEL [--insecure]` (spec §1.6, §1.7).

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "base/str_cat.h"
#include "cli/client_util.h"
#include "cli/commands.h"
#include "cli/parse_util.h"
#include "cli/progress.h"
#include "cli/transfer.h"
#include "store/model_name.h"

namespace olla::cli {

using nlohmann::json;

namespace {

std::string Str(const json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}
int64_t Num(const json& j, const char* key) {
  return j.contains(key) && j[key].is_number() ? j[key].get<int64_t>() : int64_t{0};
}

json TransferRequest(const std::string& model, bool insecure) {
  json body = {{"model", model}};
  if (insecure) body["insecure"] = true;
  return body;
}

bool HasSuffix(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool IsOllamaHost(const std::string& host) {
  std::string h = host;
  std::transform(h.begin(), h.end(), h.begin(), [](unsigned char c) { return std::tolower(c); });
  return HasSuffix(h, ".ollama.ai") || HasSuffix(h, ".ollama.com");
}

}  // namespace

Status PullModel(api::Client& client, const std::string& model, bool insecure) {
  ProgressDisplay progress;
  std::string status;
  return client.Stream("/api/pull", TransferRequest(model, insecure), [&](const json& j) {
    const std::string digest = Str(j, "digest");
    if (!digest.empty()) {
      const int64_t completed = Num(j, "completed");
      // The first event of a layer announces its size before bytes flow: no 0% bar.
      if (completed == 0) return true;
      std::string name = digest;
      if (name.rfind("sha256:", 0) == 0) name = name.substr(7, 12);
      progress.Bar(digest, StrCat("pulling ", name, ":"), completed, Num(j, "total"));
    } else if (const std::string s = Str(j, "status"); s != status) {
      status = s;
      progress.Spinner(s);
    }
    return true;
  });
}

std::string PushDestination(const std::string& model) {
  Result<store::ModelName> n = store::ModelName::Parse(model);
  if (!n.ok()) return model;
  if (IsOllamaHost(n->host())) {
    std::string short_name = n->DisplayShortest();
    if (HasSuffix(short_name, ":latest")) short_name.resize(short_name.size() - 7);
    return "https://ollama.com/" + short_name;
  }
  return n->String();
}

Status PushModel(api::Client& client, const std::string& model, bool insecure) {
  Status s;
  {
    ProgressDisplay progress;
    std::string status;
    s = client.Stream("/api/push", TransferRequest(model, insecure), [&](const json& j) {
      const std::string digest = Str(j, "digest");
      if (!digest.empty()) {
        std::string label = Str(j, "status");
        if (label.empty()) label = StrCat("pushing ", digest.substr(7, 12), "...");
        progress.Bar(digest, label, Num(j, "completed"), Num(j, "total"));
      } else if (const std::string st = Str(j, "status"); st != status) {
        status = st;
        progress.Spinner(st);
      }
      return true;
    });
  }
  if (!s.ok()) {
    std::string lower = s.message();
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    if (lower.find("access denied") != std::string::npos ||
        lower.find("unauthorized") != std::string::npos) {
      return Status::Internal(
          "you are not authorized to push to this namespace, create the model under a namespace "
          "you own");
    }
    return s;
  }
  std::printf("\nYou can find your model at:\n\n\t%s\n", PushDestination(model).c_str());
  std::fflush(stdout);
  return Status::Ok();
}

void RegisterTransfer(CLI::App& app, int* exit_code) {
  struct Opts {
    std::string model;
    bool insecure = false;
  };
  for (const char* verb : {"pull", "push"}) {
    const bool pull = std::string(verb) == "pull";
    auto* cmd = app.add_subcommand(
        verb, pull ? "Pull a model from a registry" : "Push a model to a registry");
    auto o = std::make_shared<Opts>();
    cmd->add_option("MODEL", o->model, "Name of the model")->required();
    cmd->add_flag("--insecure", o->insecure, "Use an insecure registry");
    cmd->callback([o, exit_code, pull] {
      Result<api::Client> c = ConnectToServer();
      if (!c.ok()) {
        *exit_code = ReportStatus(c.status());
        return;
      }
      *exit_code = ReportStatus(pull ? PullModel(*c, o->model, o->insecure)
                                     : PushModel(*c, o->model, o->insecure));
    });
  }
}

}  // namespace olla::cli
