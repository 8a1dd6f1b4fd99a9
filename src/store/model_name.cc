#include "store/model_name.h"

#include "base/ascii.h"
#include "base/str_cat.h"
#include "store/digest.h"

namespace olla::store {
namespace {

enum class Part { kHost, kNamespace, kModel, kTag };

std::string_view PartName(Part p) {
  switch (p) {
    case Part::kHost:
      return "host";
    case Part::kNamespace:
      return "namespace";
    case Part::kModel:
      return "model";
    case Part::kTag:
      return "tag";
  }
  return "part";
}

bool IsAlnumOrUnderscore(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// §5.2: first character [A-Za-z0-9_]; others also '-', '.' (not in the namespace) and ':' (host
// only). Returns an empty string if valid, else the reason.
std::string CheckPart(Part kind, std::string_view s) {
  size_t max_len = kind == Part::kHost ? ModelName::kMaxHostLen : ModelName::kMaxPartLen;
  if (s.empty()) return StrCat(PartName(kind), " is empty");
  if (s.size() > max_len) {
    return StrCat(PartName(kind), " is ", s.size(), " bytes long (at most ", max_len, ")");
  }
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = IsAlnumOrUnderscore(c);
    if (!ok && i > 0) {
      ok = c == '-' || (c == '.' && kind != Part::kNamespace) || (c == ':' && kind == Part::kHost);
    }
    if (!ok) {
      std::string what = i == 0 ? "must start with a letter, digit or '_'"
                                : StrCat("contains the invalid character '",
                                         EscapeForMessage(s.substr(i, 1)), "'");
      return StrCat(PartName(kind), " \"", EscapeForMessage(s), "\" ", what);
    }
  }
  return "";
}

Status Invalid(std::string_view text, std::string_view reason) {
  return Status::InvalidArgument(
      StrCat("invalid model name \"", EscapeForMessage(text), "\": ", reason));
}

std::string_view TrimAsciiSpace(std::string_view s) {
  auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
  };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

int CompareFoldAscii(std::string_view a, std::string_view b) {
  size_t n = a.size() < b.size() ? a.size() : b.size();
  for (size_t i = 0; i < n; ++i) {
    auto ca = static_cast<unsigned char>(AsciiToLower(a[i]));
    auto cb = static_cast<unsigned char>(AsciiToLower(b[i]));
    if (ca != cb) return ca < cb ? -1 : 1;
  }
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

Result<ModelName> ModelName::Parse(std::string_view text) {
  std::string_view s = TrimAsciiSpace(text);
  if (s.empty()) return Invalid(text, "the name is empty");

  // §5.1 ParseNameBare. Each split is at the last separator; an empty piece on either side of a
  // present separator makes the name invalid (Go marks it "!MISSING!").
  std::string_view host, ns, model, tag;
  size_t colon = s.rfind(':');
  size_t slash = s.rfind('/');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    tag = s.substr(colon + 1);
    s = s.substr(0, colon);
    if (tag.empty()) return Invalid(text, "the tag after ':' is empty");
    if (s.empty()) return Invalid(text, "the model before ':' is empty");
  }
  slash = s.rfind('/');
  if (slash == std::string_view::npos) {
    model = s;
  } else {
    model = s.substr(slash + 1);
    s = s.substr(0, slash);
    if (model.empty()) return Invalid(text, "the model after '/' is empty");
    if (s.empty()) return Invalid(text, "the part before '/' is empty");
    slash = s.rfind('/');
    if (slash == std::string_view::npos) {
      ns = s;
    } else {
      ns = s.substr(slash + 1);
      host = s.substr(0, slash);
      if (ns.empty()) return Invalid(text, "the namespace is empty");
      if (host.empty()) return Invalid(text, "the host is empty");
    }
  }

  ModelName n;
  if (size_t sep = host.find("://"); sep != std::string_view::npos) {
    std::string scheme(host.substr(0, sep));
    for (char& c : scheme) c = AsciiToLower(c);
    if (scheme != "http" && scheme != "https") {
      return Invalid(text, StrCat("unsupported scheme \"", EscapeForMessage(host.substr(0, sep)),
                                  "\" (only http and https)"));
    }
    n.scheme_ = scheme;
    host = host.substr(sep + 3);
    if (host.empty()) return Invalid(text, "the host after the scheme is empty");
  } else {
    n.scheme_ = std::string(kDefaultScheme);
  }
  n.host_ = host.empty() ? std::string(kDefaultHost) : std::string(host);
  n.ns_ = ns.empty() ? std::string(kDefaultNamespace) : std::string(ns);
  n.model_ = std::string(model);
  n.tag_ = tag.empty() ? std::string(kDefaultTag) : std::string(tag);

  const std::pair<Part, const std::string*> parts[] = {{Part::kHost, &n.host_},
                                                       {Part::kNamespace, &n.ns_},
                                                       {Part::kModel, &n.model_},
                                                       {Part::kTag, &n.tag_}};
  for (const auto& [kind, value] : parts) {
    if (std::string why = CheckPart(kind, *value); !why.empty()) return Invalid(text, why);
  }
  return n;
}

Result<ModelName> ModelName::FromParts(std::string_view host, std::string_view ns,
                                       std::string_view model, std::string_view tag) {
  std::string display = StrCat(host, "/", ns, "/", model, ":", tag);
  const std::pair<Part, std::string_view> parts[] = {
      {Part::kHost, host}, {Part::kNamespace, ns}, {Part::kModel, model}, {Part::kTag, tag}};
  for (const auto& [kind, value] : parts) {
    if (std::string why = CheckPart(kind, value); !why.empty()) return Invalid(display, why);
  }
  ModelName n;
  n.scheme_ = std::string(kDefaultScheme);
  n.host_ = std::string(host);
  n.ns_ = std::string(ns);
  n.model_ = std::string(model);
  n.tag_ = std::string(tag);
  return n;
}

Result<ModelName> ModelName::FromFilepath(std::string_view rel_path) {
  std::string_view pieces[4];
  std::string_view rest = rel_path;
  for (int i = 0; i < 4; ++i) {
    size_t slash = rest.find('/');
    if (i < 3) {
      if (slash == std::string_view::npos) {
        return Invalid(rel_path, "a manifest path has four parts host/namespace/model/tag");
      }
      pieces[i] = rest.substr(0, slash);
      rest = rest.substr(slash + 1);
    } else {
      if (slash != std::string_view::npos) {
        return Invalid(rel_path, "a manifest path has four parts host/namespace/model/tag");
      }
      pieces[i] = rest;
    }
  }
  return FromParts(pieces[0], pieces[1], pieces[2], pieces[3]);
}

std::string ModelName::String() const { return StrCat(host_, "/", ns_, "/", model_, ":", tag_); }

std::string ModelName::DisplayShortest() const {
  if (CompareFoldAscii(host_, kDefaultHost) != 0) return String();
  if (CompareFoldAscii(ns_, kDefaultNamespace) != 0) return StrCat(ns_, "/", model_, ":", tag_);
  return StrCat(model_, ":", tag_);
}

std::string ModelName::Filepath() const { return StrCat(host_, "/", ns_, "/", model_, "/", tag_); }

std::string ModelName::RepositoryPath() const { return StrCat(ns_, "/", model_); }

int ModelName::CompareFold(const ModelName& other) const {
  if (int c = CompareFoldAscii(host_, other.host_); c != 0) return c;
  if (int c = CompareFoldAscii(ns_, other.ns_); c != 0) return c;
  if (int c = CompareFoldAscii(model_, other.model_); c != 0) return c;
  return CompareFoldAscii(tag_, other.tag_);
}

}  // namespace olla::store
