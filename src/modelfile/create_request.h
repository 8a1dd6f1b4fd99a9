#pragma once
// Modelfile instructions → create request (spec §8.3), as a pure function. File-system access
// (FROM/ADAPTER/DRAFT path resolution and hashing, §8.4) is injected, so the mapping itself is
// testable without I/O and the CLI supplies the real resolver.

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "modelfile/modelfile.h"
#include "modelfile/params.h"

namespace olla::modelfile {

// File name (as the request names it) → "sha256:<hex>".
using FileDigests = std::map<std::string, std::string>;

struct ResolvedFiles {
  std::string canonical_path;  // absolute, symlink-resolved; used to detect DRAFT == FROM
  FileDigests files;
};

// Resolves a FROM/ADAPTER/DRAFT argument (home/relative expansion, directory discovery, hashing).
// kNotFound means "no such path": a FROM argument is then a model name; for ADAPTER/DRAFT it is
// the error. Any other error is returned as is.
using ResolveFilesFn = std::function<Result<ResolvedFiles>(std::string_view arg)>;

struct Message {
  std::string role;
  std::string content;
  friend bool operator==(const Message&, const Message&) = default;
};

// The fields of POST /api/create that a Modelfile sets (§3.10); empty strings mean "unset".
struct CreateRequest {
  std::string from;
  FileDigests files;
  FileDigests adapters;
  FileDigests draft_files;
  std::string template_text;  // JSON "template"
  std::string system;
  std::vector<std::string> license;
  std::map<std::string, ParamValue> parameters;
  std::vector<Message> messages;
  std::string requires_version;  // JSON "requires", without a leading 'v'
  std::string renderer;
  std::string parser;
  // "warning: parameter <name> is deprecated" lines the CLI prints.
  std::vector<std::string> warnings;
};

// Applies the instructions in order (§8.3): FROM paths merge into `files` (a non-path sets
// `from`, last wins); ADAPTER replaces `adapters`; DRAFT merges into `draft_files` and must not
// name the same path as a FROM (`DRAFT must not reference the same local path as FROM: <path>`);
// TEMPLATE/SYSTEM/RENDERER/PARSER: last wins; LICENSE and MESSAGE append; REQUIRES must be semver
// (`requires must be a valid semver (e.g. 0.14.0)`); PARAMETER is typed by ParseParameterValue,
// `stop` accumulates, others last-wins, deprecated ones are skipped with a warning.
// A null `resolve` treats every path as absent.
Result<CreateRequest> BuildCreateRequest(const Modelfile& modelfile,
                                         const ResolveFilesFn& resolve = nullptr);

// golang.org/x/mod/semver.IsValid: "v" MAJOR[.MINOR[.PATCH[-PRERELEASE][+BUILD]]].
bool IsValidSemver(std::string_view v);

}  // namespace olla::modelfile
