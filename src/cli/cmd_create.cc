// `olla create MODEL [-f Modelfile] [-q TYPE]` (spec §1.5, §8.3-8.4): reads the Modelfile, hashes
// and uploads the files it names, and streams POST /api/create with a progress display.

#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "base/file.h"
#include "base/str_cat.h"
#include "cli/client_util.h"
#include "cli/commands.h"
#include "cli/model_files.h"
#include "cli/parse_util.h"
#include "cli/progress.h"
#include "modelfile/create_request.h"
#include "modelfile/modelfile.h"
#include "modelfile/params.h"
#include "store/model_name.h"

namespace olla::cli {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct CreateOpts {
  std::string model;
  std::string file = "Modelfile";
  std::string quantize;
  std::string draft_quantize;
};

// A typed PARAMETER value as JSON: floats keep their float32 shortest form ("0.6", not
// 0.6000000238...), so the server stores the value the user wrote.
json ParamJson(const modelfile::ParamValue& v) {
  if (const auto* list = std::get_if<std::vector<std::string>>(&v)) return *list;
  if (const auto* f = std::get_if<float>(&v)) return json::parse(modelfile::FormatGoV(*f));
  if (const auto* b = std::get_if<bool>(&v)) return *b;
  return std::get<int64_t>(v);
}

bool LooksLikeFile(const std::string& arg) {
  for (std::string_view ext : {".gguf", ".bin", ".safetensors"})
    if (arg.size() > ext.size() && arg.compare(arg.size() - ext.size(), ext.size(), ext) == 0)
      return true;
  return false;
}

// A FROM that is neither an existing path nor a usable model name is a missing file: report the
// file error rather than the server's "invalid model name" (or "model not found" for x.gguf).
Status CheckMissingFrom(const modelfile::Modelfile& mf, const std::string& base_dir) {
  for (const auto& c : mf.commands) {
    if (c.instruction != modelfile::Instruction::kFrom) continue;
    OLLA_ASSIGN_OR_RETURN(std::string path, ExpandModelfilePath(c.args, base_dir));
    std::error_code ec;
    if (fs::exists(path, ec)) continue;
    if (!store::ModelName::Parse(c.args).ok() || LooksLikeFile(c.args))
      return Status::NotFound(StrCat("stat ", path, ": no such file or directory"));
  }
  return Status::Ok();
}

json RequestJson(const CreateOpts& o, const modelfile::CreateRequest& r) {
  json body = {{"model", o.model}};
  auto put = [&](const char* key, const std::string& v) {
    if (!v.empty()) body[key] = v;
  };
  put("from", r.from);
  if (!r.files.empty()) body["files"] = RelativeFileNames(r.files);
  if (!r.adapters.empty()) body["adapters"] = RelativeFileNames(r.adapters);
  put("template", r.template_text);
  put("system", r.system);
  if (!r.license.empty()) body["license"] = r.license;
  if (!r.parameters.empty()) {
    json params = json::object();
    for (const auto& [k, v] : r.parameters) params[k] = ParamJson(v);
    body["parameters"] = params;
  }
  if (!r.messages.empty()) {
    json messages = json::array();
    for (const auto& m : r.messages) messages.push_back({{"role", m.role}, {"content", m.content}});
    body["messages"] = messages;
  }
  put("requires", r.requires_version);
  put("renderer", r.renderer);
  put("parser", r.parser);
  put("quantize", o.quantize);
  return body;
}

// Uploads each file the server does not have yet (HEAD first), with a "copying file" spinner.
Status UploadFiles(api::Client& c, const modelfile::CreateRequest& r, ProgressDisplay& progress) {
  std::set<std::string> done;
  for (const modelfile::FileDigests* files : {&r.files, &r.adapters}) {
    for (const auto& [path, digest] : *files) {
      if (!done.insert(digest).second) continue;
      const std::string url = StrCat("/api/blobs/", digest);
      OLLA_ASSIGN_OR_RETURN(int head, c.Head(url));
      if (head == 200) continue;
      auto last = std::chrono::steady_clock::now();
      const std::string key = StrCat("copying file ", digest);
      progress.Spinner(key + " 0%", key);
      OLLA_RETURN_IF_ERROR(c.PostFile(url, path, [&](uint64_t sent, uint64_t total) {
        const auto now = std::chrono::steady_clock::now();
        if (sent < total && now - last < std::chrono::milliseconds(60)) return;
        last = now;
        progress.Spinner(StrCat(key, " ", total ? sent * 100 / total : 100, "%"), key);
      }));
    }
  }
  return Status::Ok();
}

Status Create(const CreateOpts& o) {
  OLLA_ASSIGN_OR_RETURN(api::Client c, ConnectToServer());
  if (!store::ModelName::Parse(o.model).ok())
    return Status::InvalidArgument(StrCat("invalid model name: ", o.model));
  // A missing Modelfile (given or default) silently means "FROM ." (upstream quirk, kept).
  const fs::path modelfile_path = fs::absolute(o.file);
  std::string text = "FROM .\n";
  if (IsRegularFile(modelfile_path.string())) {
    OLLA_ASSIGN_OR_RETURN(text, ReadFile(modelfile_path.string()));
  }
  OLLA_ASSIGN_OR_RETURN(modelfile::Modelfile mf, modelfile::Parse(text));

  ProgressDisplay progress;
  progress.Spinner("gathering model components");
  const std::string base_dir = modelfile_path.parent_path().string();
  OLLA_RETURN_IF_ERROR(CheckMissingFrom(mf, base_dir));
  OLLA_ASSIGN_OR_RETURN(modelfile::CreateRequest req,
                        modelfile::BuildCreateRequest(mf, MakeFileResolver(base_dir)));
  for (const std::string& w : req.warnings) std::cerr << w << "\n";
  if (!o.draft_quantize.empty() && req.draft_files.empty())
    return Status::InvalidArgument("--draft-quantize requires a DRAFT model");
  // TODO(#7): speculative-decoding drafts (an optional feature, spec §3.10) are not supported.
  if (!req.draft_files.empty()) return Status::Unsupported("DRAFT models are not supported");
  OLLA_RETURN_IF_ERROR(UploadFiles(c, req, progress));

  return c.Stream("/api/create", RequestJson(o, req), [&](const json& j) {
    auto str = [&](const char* k) {
      return j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : std::string();
    };
    auto num = [&](const char* k) {
      return j.contains(k) && j[k].is_number() ? j[k].get<int64_t>() : int64_t{0};
    };
    progress.Update(str("status"), str("digest"), num("total"), num("completed"));
    return true;
  });
}

}  // namespace

void RegisterCreate(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("create", "Create a model from a Modelfile");
  auto o = std::make_shared<CreateOpts>();
  cmd->add_option("MODEL", o->model, "Name of the model to create")->required();
  cmd->add_option("-f,--file", o->file, "Name of the Modelfile (default \"Modelfile\")");
  cmd->add_option("-q,--quantize", o->quantize, "Quantize model to this level (e.g. q4_K_M)");
  cmd->add_option("--draft-quantize", o->draft_quantize, "Quantize the draft model to this level");
  cmd->callback([o, exit_code] { *exit_code = ReportStatus(Create(*o)); });
}

}  // namespace olla::cli
