// `olla list`, `olla ps`, `olla stop`, `olla cp`, `olla rm` (spec §1.8-1.12): clients of the
// server's API with Ollama's output formats.

#include <CLI/CLI.hpp>
#include <cmath>
#include <iostream>
#include <nlohmann/json.hpp>

#include "base/str_cat.h"
#include "cli/client_util.h"
#include "cli/commands.h"
#include "cli/human.h"
#include "cli/parse_util.h"
#include "cli/table.h"

namespace olla::cli {

using nlohmann::json;

namespace {

bool HasPrefixFold(const std::string& s, const std::string& prefix) {
  if (prefix.size() > s.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i])))
      return false;
  return true;
}

}  // namespace

Status PrintModelList(api::Client& c, const std::string& prefix) {
  OLLA_ASSIGN_OR_RETURN(json tags, c.Call("GET", "/api/tags", nullptr));
  std::vector<std::vector<std::string>> rows = {{"NAME", "ID", "SIZE", "MODIFIED"}};
  for (const auto& m : tags["models"]) {
    std::string name = m.value("name", "");
    if (!prefix.empty() && !HasPrefixFold(name, prefix)) continue;
    std::string size = m.contains("remote_host") ? "-" : HumanBytes(m.value("size", int64_t{0}));
    rows.push_back({name, m.value("digest", "").substr(0, 12), size,
                    HumanTime(ParseRfc3339(m.value("modified_at", "")), "Never")});
  }
  std::cout << RenderTable(rows);
  return Status::Ok();
}

namespace {

Status List(const std::string& prefix) {
  OLLA_ASSIGN_OR_RETURN(api::Client c, ConnectToServer());
  return PrintModelList(c, prefix);
}

std::string Processor(int64_t size, int64_t vram) {
  if (size == 0 || vram > size) return "Unknown";
  if (vram == 0) return "100% CPU";
  if (vram == size) return "100% GPU";
  int cpu = static_cast<int>(std::lround(static_cast<double>(size - vram) / size * 100));
  return StrCat(cpu, "%/", 100 - cpu, "% CPU/GPU");
}

Status Ps(const std::string& prefix) {
  OLLA_ASSIGN_OR_RETURN(api::Client c, ConnectToServer());
  OLLA_ASSIGN_OR_RETURN(json ps, c.Call("GET", "/api/ps", nullptr));
  std::vector<std::vector<std::string>> rows = {
      {"NAME", "ID", "SIZE", "PROCESSOR", "CONTEXT", "UNTIL"}};
  const auto now = std::chrono::system_clock::now();
  for (const auto& m : ps["models"]) {
    std::string name = m.value("name", "");
    if (!prefix.empty() && name.rfind(prefix, 0) != 0) continue;
    auto expires = ParseRfc3339(m.value("expires_at", ""));
    std::string until = expires < now ? "Stopping..." : HumanTime(expires, "Never", now);
    rows.push_back({name, m.value("digest", "").substr(0, 12),
                    HumanBytes(m.value("size", int64_t{0})),
                    Processor(m.value("size", int64_t{0}), m.value("size_vram", int64_t{0})),
                    StrCat(m.value("context_length", int64_t{0})), until});
  }
  std::cout << RenderTable(rows);
  return Status::Ok();
}

// Unloads `model` (spec §1.10): show (404 → "couldn't find model"), then generate keep_alive 0.
Status StopModel(api::Client& c, const std::string& model) {
  json show = {{"model", model}};
  auto s = c.Call("POST", "/api/show", &show);
  if (!s.ok()) {
    if (s.status().code() == StatusCode::kNotFound)
      return Status::NotFound(StrCat("couldn't find model \"", model, "\" to stop"));
    return s.status();
  }
  json unload = {{"model", model}, {"keep_alive", 0}};
  return c.Call("POST", "/api/generate", &unload).status();
}

Status Stop(const std::string& model) {
  OLLA_ASSIGN_OR_RETURN(api::Client c, ConnectToServer());
  return StopModel(c, model);
}

Status Copy(const std::string& src, const std::string& dst) {
  OLLA_ASSIGN_OR_RETURN(api::Client c, ConnectToServer());
  json body = {{"source", src}, {"destination", dst}};
  OLLA_RETURN_IF_ERROR(c.Call("POST", "/api/copy", &body).status());
  std::cout << "copied '" << src << "' to '" << dst << "'\n";
  return Status::Ok();
}

Status Remove(const std::vector<std::string>& models) {
  OLLA_ASSIGN_OR_RETURN(api::Client c, ConnectToServer());
  for (const auto& m : models) {
    Status stop = StopModel(c, m);
    if (!stop.ok() && stop.code() != StatusCode::kNotFound)
      std::cerr << "Warning: unable to stop model '" << m << "'\n";
    json body = {{"name", m}};
    OLLA_RETURN_IF_ERROR(c.Call("DELETE", "/api/delete", &body).status());
    std::cout << "deleted '" << m << "'\n";
  }
  return Status::Ok();
}

}  // namespace

void RegisterModelCommands(CLI::App& app, int* exit_code) {
  auto prefix = std::make_shared<std::string>();
  auto* list = app.add_subcommand("list", "List models");
  list->alias("ls");
  list->add_option("PREFIX", *prefix, "Only models whose name starts with this");
  list->callback([prefix, exit_code] { *exit_code = ReportStatus(List(*prefix)); });

  auto ps_prefix = std::make_shared<std::string>();
  auto* ps = app.add_subcommand("ps", "List running models");
  ps->add_option("PREFIX", *ps_prefix, "Only models whose name starts with this");
  ps->callback([ps_prefix, exit_code] { *exit_code = ReportStatus(Ps(*ps_prefix)); });

  auto stop_model = std::make_shared<std::string>();
  auto* stop = app.add_subcommand("stop", "Stop a running model");
  stop->add_option("MODEL", *stop_model, "Model to unload")->required();
  stop->callback([stop_model, exit_code] { *exit_code = ReportStatus(Stop(*stop_model)); });

  auto cp_args = std::make_shared<std::vector<std::string>>();
  auto* cp = app.add_subcommand("cp", "Copy a model");
  cp->add_option("SOURCE DESTINATION", *cp_args, "Source and destination")->expected(2)->required();
  cp->callback(
      [cp_args, exit_code] { *exit_code = ReportStatus(Copy((*cp_args)[0], (*cp_args)[1])); });

  auto rm_args = std::make_shared<std::vector<std::string>>();
  auto* rm = app.add_subcommand("rm", "Remove a model");
  rm->add_option("MODEL", *rm_args, "Models to remove")->required();
  rm->callback([rm_args, exit_code] { *exit_code = ReportStatus(Remove(*rm_args)); });
}

}  // namespace olla::cli
