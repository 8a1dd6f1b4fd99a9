#pragma once
// The file side of `olla create` (spec §1.5, §8.3, §8.4): FROM/ADAPTER/DRAFT path resolution,
// model directory discovery, hashing, and the file names sent to the server.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "modelfile/create_request.h"

namespace olla::cli {

// Expands a Modelfile path argument: absolute paths are kept; "~" and "~/x" use $HOME (else the
// password database), "~user/x" that user's home; anything else is relative to `base_dir`.
// kNotFound for an unknown "~user".
Result<std::string> ExpandModelfilePath(std::string_view arg, const std::string& base_dir);

// The model files of a directory (§8.4), absolute and sorted. Weights by the first rule that
// matches: model*.safetensors (also one level down), consolidated*.safetensors,
// pytorch_model*.bin (zip), consolidated*.pth (zip), *.gguf (binary), *.bin (binary); none →
// kInvalidArgument `no Modelfile or safetensors files found` (not kNotFound, which would make
// the FROM argument a model name). Safetensors and PyTorch weights come with
// *.json and */*.json (text), chat_template.jinja and tokenizer.model (top level, else one
// level down); GGUF files are self-contained and come alone. A symlink resolving outside the
// directory → kInvalidArgument `insecure path: <rel>`.
Result<std::vector<std::string>> DiscoverModelFiles(const std::string& dir);

// BuildCreateRequest's resolver: expands `arg` against `base_dir`; a missing path is kNotFound
// `stat <path>: no such file or directory`; a file maps to itself, a directory to its model files;
// each keyed by absolute path with its "sha256:<hex>" digest.
modelfile::ResolveFilesFn MakeFileResolver(std::string base_dir);

// Request file names for files keyed by absolute path: the path relative to the common parent
// directory of all of them, slash-separated; the base name when there is a single file.
modelfile::FileDigests RelativeFileNames(const modelfile::FileDigests& by_path);

}  // namespace olla::cli
