#include "modelfile/create_request.h"

#include <algorithm>

#include "base/str_cat.h"

namespace olla::modelfile {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentChar(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

// A numeric semver component: digits, no leading zero unless it is "0".
bool ParseNumber(std::string_view& s) {
  size_t n = 0;
  while (n < s.size() && IsDigit(s[n])) ++n;
  if (n == 0 || (n > 1 && s[0] == '0')) return false;
  s.remove_prefix(n);
  return true;
}

// Dot-separated identifiers of [0-9A-Za-z-]; numeric ones (prerelease only) without leading 0.
bool ParseIdents(std::string_view& s, bool numeric_rule) {
  while (true) {
    size_t n = 0;
    bool all_digits = true;
    while (n < s.size() && IsIdentChar(s[n])) {
      all_digits = all_digits && IsDigit(s[n]);
      ++n;
    }
    if (n == 0) return false;
    if (numeric_rule && all_digits && n > 1 && s[0] == '0') return false;
    s.remove_prefix(n);
    if (s.empty() || s[0] != '.') return true;
    s.remove_prefix(1);
  }
}

Status MergeFiles(FileDigests& into, const FileDigests& from) {
  for (const auto& [k, v] : from) into[k] = v;
  return Status::Ok();
}

Result<ResolvedFiles> Resolve(const ResolveFilesFn& resolve, std::string_view arg) {
  if (!resolve) {
    return Status::NotFound(StrCat("stat ", arg, ": no such file or directory"));
  }
  return resolve(arg);
}

}  // namespace

bool IsValidSemver(std::string_view v) {
  if (v.empty() || v[0] != 'v') return false;
  v.remove_prefix(1);
  if (!ParseNumber(v)) return false;
  if (v.empty()) return true;  // "v1" is shorthand for v1.0.0
  if (v[0] != '.') return false;
  v.remove_prefix(1);
  if (!ParseNumber(v)) return false;
  if (v.empty()) return true;  // "v1.2"
  if (v[0] != '.') return false;
  v.remove_prefix(1);
  if (!ParseNumber(v)) return false;
  if (!v.empty() && v[0] == '-') {
    v.remove_prefix(1);
    if (!ParseIdents(v, /*numeric_rule=*/true)) return false;
  }
  if (!v.empty() && v[0] == '+') {
    v.remove_prefix(1);
    if (!ParseIdents(v, /*numeric_rule=*/false)) return false;
  }
  return v.empty();
}

Result<CreateRequest> BuildCreateRequest(const Modelfile& modelfile,
                                         const ResolveFilesFn& resolve) {
  CreateRequest req;
  std::vector<std::string> model_paths, draft_paths;
  for (const Command& c : modelfile.commands) {
    switch (c.instruction) {
      case Instruction::kFrom: {
        Result<ResolvedFiles> r = Resolve(resolve, c.args);
        if (!r.ok() && r.status().code() == StatusCode::kNotFound) {
          req.from = c.args;
          break;
        }
        if (!r.ok()) return r.status();
        if (std::find(draft_paths.begin(), draft_paths.end(), r->canonical_path) !=
            draft_paths.end()) {
          return Status::InvalidArgument(
              StrCat("DRAFT must not reference the same local path as FROM: ", r->canonical_path));
        }
        model_paths.push_back(r->canonical_path);
        OLLA_RETURN_IF_ERROR(MergeFiles(req.files, r->files));
        break;
      }
      case Instruction::kDraft: {
        OLLA_ASSIGN_OR_RETURN(ResolvedFiles r, Resolve(resolve, c.args));
        if (std::find(model_paths.begin(), model_paths.end(), r.canonical_path) !=
            model_paths.end()) {
          return Status::InvalidArgument(
              StrCat("DRAFT must not reference the same local path as FROM: ", r.canonical_path));
        }
        draft_paths.push_back(r.canonical_path);
        OLLA_RETURN_IF_ERROR(MergeFiles(req.draft_files, r.files));
        break;
      }
      case Instruction::kAdapter: {
        OLLA_ASSIGN_OR_RETURN(ResolvedFiles r, Resolve(resolve, c.args));
        req.adapters = std::move(r.files);
        break;
      }
      case Instruction::kTemplate:
        req.template_text = c.args;
        break;
      case Instruction::kSystem:
        req.system = c.args;
        break;
      case Instruction::kLicense:
        req.license.push_back(c.args);
        break;
      case Instruction::kRenderer:
        req.renderer = c.args;
        break;
      case Instruction::kParser:
        req.parser = c.args;
        break;
      case Instruction::kRequires: {
        std::string v = c.args;
        if (v.empty() || v[0] != 'v') v = "v" + v;
        if (!IsValidSemver(v)) {
          return Status::InvalidArgument("requires must be a valid semver (e.g. 0.14.0)");
        }
        req.requires_version = v.substr(1);
        break;
      }
      case Instruction::kMessage:
        req.messages.push_back(Message{c.name, c.args});
        break;
      case Instruction::kParameter: {
        if (IsDeprecatedParameter(c.name)) {
          req.warnings.push_back(StrCat("warning: parameter ", c.name, " is deprecated"));
          break;
        }
        OLLA_ASSIGN_OR_RETURN(ParamValue v, ParseParameterValue(c.name, c.args));
        auto it = req.parameters.find(c.name);
        auto* list = std::get_if<std::vector<std::string>>(&v);
        if (it != req.parameters.end() && list != nullptr) {
          if (auto* existing = std::get_if<std::vector<std::string>>(&it->second)) {
            existing->insert(existing->end(), list->begin(), list->end());
            break;
          }
        }
        req.parameters.insert_or_assign(c.name, std::move(v));
        break;
      }
    }
  }
  return req;
}

}  // namespace olla::modelfile
