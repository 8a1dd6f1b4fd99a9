#include "cli/model_files.h"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>

#include "base/sha256.h"
#include "base/str_cat.h"

namespace olla::cli {

namespace fs = std::filesystem;

namespace {

std::string HomeOf(const char* user) {
  if (!user) {
    if (const char* home = std::getenv("HOME"); home && *home) return home;
  }
  struct passwd* pw = user ? getpwnam(user) : getpwuid(getuid());
  return pw && pw->pw_dir ? pw->pw_dir : "";
}

// The first `n` bytes of a file ("" if unreadable).
std::string Head(const fs::path& p, size_t n) {
  std::string buf(n, '\0');
  FILE* f = std::fopen(p.c_str(), "rb");
  if (!f) return "";
  buf.resize(std::fread(buf.data(), 1, n, f));
  std::fclose(f);
  return buf;
}

// WHATWG MIME sniffing's "binary data byte" test over the first 512 bytes, as Go's
// http.DetectContentType decides between text/plain and application/octet-stream.
bool LooksBinary(const fs::path& p) {
  for (unsigned char c : Head(p, 512))
    if (c <= 0x08 || c == 0x0B || (c >= 0x0E && c <= 0x1A) || (c >= 0x1C && c <= 0x1F)) return true;
  return false;
}
bool LooksZip(const fs::path& p) { return Head(p, 4) == std::string("PK\x03\x04", 4); }

bool Matches(const std::string& name, std::string_view prefix, std::string_view suffix) {
  return name.size() >= prefix.size() + suffix.size() &&
         name.compare(0, prefix.size(), prefix) == 0 &&
         name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Regular files (symlinks followed) of `dir` matching prefix*suffix, and of its subdirectories
// when `nested`; sorted.
std::vector<fs::path> Glob(const fs::path& dir, std::string_view prefix, std::string_view suffix,
                           bool nested) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (nested) {
      if (!e.is_directory(ec)) continue;
      for (const auto& sub : fs::directory_iterator(e.path(), ec))
        if (sub.is_regular_file(ec) && Matches(sub.path().filename().string(), prefix, suffix))
          out.push_back(sub.path());
    } else if (e.is_regular_file(ec) && Matches(e.path().filename().string(), prefix, suffix)) {
      out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

template <typename Pred>
std::vector<fs::path> Filter(std::vector<fs::path> files, Pred keep) {
  std::erase_if(files, [&](const fs::path& p) { return !keep(p); });
  return files;
}

}  // namespace

Result<std::string> ExpandModelfilePath(std::string_view arg, const std::string& base_dir) {
  std::string path(arg);
  if (!path.empty() && path[0] == '~') {
    const size_t slash = path.find('/');
    const std::string user =
        path.substr(1, slash == std::string::npos ? std::string::npos : slash - 1);
    const std::string home = HomeOf(user.empty() ? nullptr : user.c_str());
    if (home.empty()) return Status::NotFound(StrCat("user: unknown user ", user));
    path = home + (slash == std::string::npos ? "" : path.substr(slash));
  } else if (path.empty() || path[0] != '/') {
    path = (fs::path(base_dir) / path).string();
  }
  std::string out = fs::path(path).lexically_normal().string();
  if (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

Result<std::vector<std::string>> DiscoverModelFiles(const std::string& dir) {
  const fs::path root(dir);
  std::vector<fs::path> weights = Glob(root, "model", ".safetensors", false);
  for (const fs::path& p : Glob(root, "model", ".safetensors", true)) weights.push_back(p);
  if (weights.empty()) weights = Glob(root, "consolidated", ".safetensors", false);
  if (weights.empty()) weights = Filter(Glob(root, "pytorch_model", ".bin", false), LooksZip);
  if (weights.empty()) weights = Filter(Glob(root, "consolidated", ".pth", false), LooksZip);
  const bool gguf = weights.empty();
  if (weights.empty()) weights = Filter(Glob(root, "", ".gguf", false), LooksBinary);
  if (weights.empty()) weights = Filter(Glob(root, "", ".bin", false), LooksBinary);
  if (weights.empty()) return Status::InvalidArgument("no Modelfile or safetensors files found");

  std::vector<fs::path> files = weights;
  if (!gguf) {  // configuration that safetensors/PyTorch conversion needs
    auto is_text = [](const fs::path& p) { return !LooksBinary(p); };
    for (bool nested : {false, true})
      for (const fs::path& p : Filter(Glob(root, "", ".json", nested), is_text)) files.push_back(p);
    for (const fs::path& p : Glob(root, "chat_template.jinja", "", false)) files.push_back(p);
    std::vector<fs::path> tok = Glob(root, "tokenizer.model", "", false);
    if (tok.empty()) tok = Glob(root, "tokenizer.model", "", true);
    files.insert(files.end(), tok.begin(), tok.end());
  }
  std::error_code ec;
  const fs::path canon_root = fs::canonical(root, ec);
  std::vector<std::string> out;
  for (const fs::path& p : files) {
    const fs::path resolved = fs::canonical(p, ec);
    const std::string rel = p.lexically_relative(root).generic_string();
    const std::string prefix = canon_root.string() + "/";
    if (resolved.string().compare(0, prefix.size(), prefix) != 0) {
      std::string msg = StrCat("insecure path: ", rel);
      if (resolved.string().find(".cache") != std::string::npos)
        msg += "\n\nUse --local-dir <dir> when downloading model to disable caching";
      return Status::InvalidArgument(msg);
    }
    out.push_back(fs::absolute(p).lexically_normal().string());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

modelfile::ResolveFilesFn MakeFileResolver(std::string base_dir) {
  return
      [base_dir = std::move(base_dir)](std::string_view arg) -> Result<modelfile::ResolvedFiles> {
        OLLA_ASSIGN_OR_RETURN(std::string path, ExpandModelfilePath(arg, base_dir));
        std::error_code ec;
        const fs::file_status st = fs::status(path, ec);
        if (ec || !fs::exists(st))
          return Status::NotFound(StrCat("stat ", path, ": no such file or directory"));
        modelfile::ResolvedFiles out;
        out.canonical_path = fs::weakly_canonical(path, ec).string();
        std::vector<std::string> files;
        if (fs::is_directory(st)) {
          OLLA_ASSIGN_OR_RETURN(files, DiscoverModelFiles(path));
        } else {
          files.push_back(fs::absolute(path).lexically_normal().string());
        }
        std::vector<std::future<Result<std::string>>> hashes;  // in parallel (§8.4)
        for (const std::string& f : files)
          hashes.push_back(std::async(std::launch::async, [f] { return Sha256File(f); }));
        for (size_t i = 0; i < files.size(); ++i) {
          Result<std::string> hex = hashes[i].get();
          if (!hex.ok()) return hex.status();
          out.files[files[i]] = "sha256:" + *hex;
        }
        return out;
      };
}

modelfile::FileDigests RelativeFileNames(const modelfile::FileDigests& by_path) {
  modelfile::FileDigests out;
  if (by_path.size() == 1) {
    out[fs::path(by_path.begin()->first).filename().string()] = by_path.begin()->second;
    return out;
  }
  std::vector<std::string> common;  // components of the common parent directory
  bool first = true;
  for (const auto& [path, digest] : by_path) {
    std::vector<std::string> parts;
    for (const auto& c : fs::path(path).parent_path()) parts.push_back(c.string());
    if (first) {
      common = parts;
      first = false;
      continue;
    }
    size_t n = 0;
    while (n < common.size() && n < parts.size() && common[n] == parts[n]) ++n;
    common.resize(n);
  }
  fs::path base;
  for (const std::string& c : common) base /= c;
  for (const auto& [path, digest] : by_path)
    out[fs::path(path).lexically_relative(base).generic_string()] = digest;
  return out;
}

}  // namespace olla::cli
