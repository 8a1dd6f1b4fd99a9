#pragma once
// ModelName: [<scheme>://][<host>/][<namespace>/]<model>[:<tag>] (spec §5).
//
// This is the one strict parser that guards every filesystem use of a name: a ModelName object
// is always fully valid (§5.2), so its parts are safe path components. No part can be empty,
// ".", "..", contain '/', '\\', NUL or any byte outside [A-Za-z0-9_.:-], and none starts with
// '.', '-' or ':'. Names are case-preserving; EqualFold/CompareFold compare them ignoring ASCII
// case (§5.5).

#include <string>
#include <string_view>

#include "base/status.h"

namespace olla::store {

class ModelName {
 public:
  static constexpr std::string_view kDefaultHost = "registry.ollama.ai";
  static constexpr std::string_view kDefaultNamespace = "library";
  static constexpr std::string_view kDefaultTag = "latest";
  static constexpr std::string_view kDefaultScheme = "https";
  static constexpr size_t kMaxHostLen = 350;
  static constexpr size_t kMaxPartLen = 80;

  // Parses a user-supplied name (trimmed of ASCII whitespace), merges the defaults for missing
  // parts and validates the result. Invalid → kInvalidArgument, message
  // `invalid model name "<name>": <reason>`.
  static Result<ModelName> Parse(std::string_view text);
  // Builds a name from explicit parts (no defaults): every part must be valid as given.
  static Result<ModelName> FromParts(std::string_view host, std::string_view ns,
                                     std::string_view model, std::string_view tag);
  // The inverse of Filepath(): exactly "host/namespace/model/tag", each part valid as stored.
  static Result<ModelName> FromFilepath(std::string_view rel_path);

  const std::string& scheme() const { return scheme_; }  // "https" unless given ("http")
  const std::string& host() const { return host_; }
  const std::string& ns() const { return ns_; }  // the namespace
  const std::string& model() const { return model_; }
  const std::string& tag() const { return tag_; }

  // "host/namespace/model:tag" (§5.4; the scheme is not included).
  std::string String() const;
  // Shortest display form: drops the default host, then the default namespace (compared
  // case-insensitively); the tag is always kept. E.g. "llama3:latest", "ns/m:t", "h/ns/m:t".
  std::string DisplayShortest() const;
  // Relative manifest path "host/namespace/model/tag" (§6.1).
  std::string Filepath() const;
  // Registry repository path "namespace/model".
  std::string RepositoryPath() const;

  // Case-insensitive (ASCII) comparison of host, namespace, model and tag; the scheme is ignored.
  int CompareFold(const ModelName& other) const;
  bool EqualFold(const ModelName& other) const { return CompareFold(other) == 0; }

  // Exact (case-sensitive) equality of all parts including the scheme.
  friend bool operator==(const ModelName&, const ModelName&) = default;

 private:
  ModelName() = default;
  std::string scheme_, host_, ns_, model_, tag_;
};

// Compares two strings ignoring ASCII case; <0, 0, >0.
int CompareFoldAscii(std::string_view a, std::string_view b);

}  // namespace olla::store
