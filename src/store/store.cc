#include "store/store.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "base/file.h"
#include "base/sha256.h"
#include "base/str_cat.h"
#include "store/fs.h"

namespace olla::store {

using internal::EntryType;
using internal::ErrnoStatus;
using internal::Fd;

namespace {

constexpr size_t kChunk = 1 << 20;

// §2: trim whitespace, then every leading and trailing quote (as Ollama's envconfig does).
std::string CleanEnvValue(std::string_view v) {
  auto trim = [](std::string_view s) {
    while (!s.empty() &&
           (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) {
      s.remove_prefix(1);
    }
    while (!s.empty() &&
           (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
      s.remove_suffix(1);
    }
    return s;
  };
  v = trim(v);
  while (!v.empty() && (v.front() == '"' || v.front() == '\'')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == '"' || v.back() == '\'')) v.remove_suffix(1);
  return std::string(v);
}

std::string NotFoundMessage(const ModelName& name) {
  return StrCat("model \"", name.DisplayShortest(), "\" not found");
}

std::chrono::system_clock::time_point MtimeOf(const struct stat& st) {
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::seconds(st.st_mtim.tv_sec) + std::chrono::nanoseconds(st.st_mtim.tv_nsec)));
}

// Renames blobs/**/sha256:<hex> to sha256-<hex> in the same directory (legacy fix-up, §6.1).
void FixLegacyBlobNames(const std::string& dir, int depth) {
  if (depth > 8) return;
  auto entries = internal::ListDir(dir);
  if (!entries.ok()) return;
  for (const auto& e : *entries) {
    std::string path = StrCat(dir, "/", e.name);
    if (e.type == EntryType::kDir) {
      FixLegacyBlobNames(path, depth + 1);
    } else if (e.type == EntryType::kFile && e.name.size() > 7 &&
               e.name.compare(0, 7, "sha256:") == 0) {
      std::string fixed = e.name;
      fixed[6] = '-';
      if (Digest::FromBlobFileName(fixed).ok())
        ::rename(path.c_str(), StrCat(dir, "/", fixed).c_str());
    }
  }
}

}  // namespace

Result<std::string> DefaultModelsDir() {
  if (const char* env = std::getenv("OLLAMA_MODELS"); env != nullptr) {
    std::string v = CleanEnvValue(env);
    if (!v.empty()) return v;
  }
  std::string home;
  if (const char* h = std::getenv("HOME"); h != nullptr && *h != '\0') {
    home = h;
  } else if (const struct passwd* pw = ::getpwuid(::getuid()); pw != nullptr && pw->pw_dir) {
    home = pw->pw_dir;
  }
  if (home.empty())
    return Status::NotFound("cannot determine the home directory for the model store");
  return StrCat(home, "/.ollama/models");
}

Result<Store> Store::Open(std::string root, StoreOptions options) {
  if (root.empty()) return Status::InvalidArgument("model store: empty root directory");
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  Store store(std::move(root), std::move(options));
  OLLA_RETURN_IF_ERROR(internal::MkdirAll(store.blobs_dir()));
  OLLA_RETURN_IF_ERROR(internal::MkdirAll(store.manifests_dir()));
  FixLegacyBlobNames(store.blobs_dir(), 0);
  return store;
}

// ---------------------------------------------------------------------------------- blobs

std::string Store::BlobPath(const Digest& digest) const {
  return StrCat(blobs_dir(), "/", digest.BlobFileName());
}

bool Store::HasBlob(const Digest& digest) const {
  return !digest.empty() && IsRegularFile(BlobPath(digest));
}

Result<BlobWriteResult> Store::WriteBlob(std::string_view bytes,
                                         const std::optional<Digest>& expected) {
  size_t pos = 0;
  return WriteBlobFromReader(
      [&](char* buf, size_t cap) -> Result<size_t> {
        // Deliver at most half the data first, so the "blob.partial" fault point falls mid-file.
        size_t limit = pos == 0 && bytes.size() > 1 ? bytes.size() / 2 : bytes.size() - pos;
        size_t n = std::min(cap, limit);
        std::copy_n(bytes.data() + pos, n, buf);
        pos += n;
        return n;
      },
      expected);
}

Result<BlobWriteResult> Store::WriteBlobFromReader(const ReadFn& read,
                                                   const std::optional<Digest>& expected) {
  std::string tmp = StrCat(blobs_dir(), "/", internal::TempFileName());
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (fd.get() < 0) return ErrnoStatus("create temporary blob in", "blobs/", errno);
  auto fail = [&](Status s) -> Result<BlobWriteResult> {
    ::unlink(tmp.c_str());
    return s;
  };
  Sha256 hash;
  std::string buf(kChunk, '\0');
  int64_t size = 0;
  bool fired_partial = false;
  while (true) {
    Result<size_t> n = read(buf.data(), buf.size());
    if (!n.ok()) return fail(n.status());
    if (*n == 0) break;
    if (*n > buf.size()) return fail(Status::Internal("blob reader returned too many bytes"));
    hash.Update(buf.data(), *n);
    if (Status s = internal::WriteAll(fd.get(), buf.data(), *n, "blob"); !s.ok()) {
      return fail(std::move(s));
    }
    size += static_cast<int64_t>(*n);
    if (!fired_partial && options_.fault_hook) {
      fired_partial = true;
      options_.fault_hook("blob.partial");
    }
  }
  if (::fchmod(fd.get(), 0644) != 0) return fail(ErrnoStatus("chmod", "blob", errno));
  if (::fsync(fd.get()) != 0) return fail(ErrnoStatus("fsync", "blob", errno));
  if (Status s = fd.Close("blob"); !s.ok()) return fail(std::move(s));
  return FinishBlob(tmp, hash.FinalHex(), size, expected);
}

Result<BlobWriteResult> Store::FinishBlob(const std::string& tmp, const std::string& digest_hex,
                                          int64_t size, const std::optional<Digest>& expected) {
  Result<Digest> actual = Digest::FromHex(digest_hex);
  if (!actual.ok() || (expected && *expected != *actual)) {
    ::unlink(tmp.c_str());
    if (!actual.ok()) return actual.status();
    return Status::InvalidArgument(StrCat("digest mismatch, expected \"", expected->String(),
                                          "\", got \"", actual->String(), "\""));
  }
  BlobWriteResult result{*actual, size, false};
  std::string final_path = BlobPath(*actual);
  struct stat st {};
  if (::stat(final_path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == size) {
    // Already present: keep it, discard the copy, and touch it so pruning sees it as fresh.
    ::unlink(tmp.c_str());
    ::utimensat(AT_FDCWD, final_path.c_str(), nullptr, 0);
    result.existed = true;
    return result;
  }
  if (options_.fault_hook) options_.fault_hook("blob.before_rename");
  if (::rename(tmp.c_str(), final_path.c_str()) != 0) {
    Status s = ErrnoStatus("rename blob into place", actual->BlobFileName(), errno);
    ::unlink(tmp.c_str());
    return s;
  }
  internal::FsyncDir(blobs_dir());
  if (options_.fault_hook) options_.fault_hook("blob.after_rename");
  return result;
}

Result<BlobWriteResult> Store::WriteBlobFromFile(const std::string& path,
                                                 const std::optional<Digest>& expected) {
  Fd in(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.get() < 0) return ErrnoStatus("open", path, errno);
  struct stat st {};
  if (::fstat(in.get(), &st) != 0) return ErrnoStatus("stat", path, errno);
  if (!S_ISREG(st.st_mode)) return Status::InvalidArgument(StrCat("not a regular file: ", path));
  return WriteBlobFromReader(
      [&](char* buf, size_t cap) -> Result<size_t> {
        while (true) {
          ssize_t n = ::read(in.get(), buf, cap);
          if (n >= 0) return static_cast<size_t>(n);
          if (errno != EINTR) return ErrnoStatus("read", path, errno);
        }
      },
      expected);
}

Result<std::string> Store::ReadBlob(const Digest& digest) const {
  if (digest.empty()) return Status::InvalidArgument("invalid digest format: empty digest");
  Result<std::string> data = ReadFile(BlobPath(digest));
  if (!data.ok()) {
    if (data.status().code() == StatusCode::kNotFound) {
      return Status::NotFound(StrCat("blob \"", digest.String(), "\" not found"));
    }
    return data.status();
  }
  if (Digest::Of(*data) != digest) {
    return Status::Corrupt(StrCat("blob ", digest.String(), " does not match its digest"));
  }
  return data;
}

// ------------------------------------------------------------------------------ manifests

ModelName Store::ResolveCase(const ModelName& name) const {
  const std::string* parts[4] = {&name.host(), &name.ns(), &name.model(), &name.tag()};
  std::string resolved[4] = {name.host(), name.ns(), name.model(), name.tag()};
  std::string dir = manifests_dir();
  for (int i = 0; i < 4; ++i) {
    auto entries = internal::ListDir(dir);
    if (!entries.ok()) break;
    EntryType want = i < 3 ? EntryType::kDir : EntryType::kFile;
    const std::string* match = nullptr;
    for (const auto& e : *entries) {
      if (e.type != want || CompareFoldAscii(e.name, *parts[i]) != 0) continue;
      if (e.name == *parts[i]) {
        match = &e.name;
        break;
      }
      if (match == nullptr) match = &e.name;  // entries are sorted: first in byte order
    }
    if (match == nullptr) break;
    resolved[i] = *match;
    dir = StrCat(dir, "/", *match);
  }
  Result<ModelName> out = ModelName::FromParts(resolved[0], resolved[1], resolved[2], resolved[3]);
  return out.ok() ? *out : name;  // a case-fold match of a valid part is always valid
}

std::string Store::ManifestPath(const ModelName& name) const {
  return StrCat(manifests_dir(), "/", name.Filepath());
}

Result<StoredManifest> Store::ReadManifest(const ModelName& requested) const {
  ModelName name = ResolveCase(requested);
  std::string path = ManifestPath(name);
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return Status::NotFound(NotFoundMessage(requested));
  }
  if (static_cast<uint64_t>(st.st_size) > kMaxManifestBytes) {
    return Status::Corrupt(StrCat("model \"", name.DisplayShortest(), "\": manifest too large"));
  }
  Result<std::string> raw = ReadFile(path);
  if (!raw.ok()) {
    if (raw.status().code() == StatusCode::kNotFound)
      return Status::NotFound(NotFoundMessage(requested));
    return raw.status();
  }
  Result<Manifest> manifest = ParseManifest(*raw);
  if (!manifest.ok()) {
    return Status::Corrupt(
        StrCat("model \"", name.DisplayShortest(), "\": ", manifest.status().message()));
  }
  Digest digest = Digest::Of(*raw);
  return StoredManifest{name, std::move(manifest).value(), std::move(raw).value(), digest,
                        MtimeOf(st)};
}

Result<Digest> Store::WriteManifestRaw(const ModelName& resolved, std::string_view raw) {
  std::string dir =
      StrCat(manifests_dir(), "/", resolved.host(), "/", resolved.ns(), "/", resolved.model());
  OLLA_RETURN_IF_ERROR(internal::MkdirAll(dir));
  OLLA_RETURN_IF_ERROR(internal::ReplaceFile(dir, resolved.tag(), raw, options_.fault_hook,
                                             "manifest", StrCat("manifest ", resolved.String())));
  return Digest::Of(raw);
}

Result<Digest> Store::WriteManifest(const ModelName& name, const Manifest& manifest) {
  for (const Digest& d : manifest.ReferencedDigests()) {
    if (d.empty()) return Status::InvalidArgument("manifest: layer without digest");
  }
  if (manifest.config.digest.empty()) return Status::InvalidArgument("manifest: no config digest");
  return WriteManifestRaw(ResolveCase(name), EncodeManifest(manifest));
}

Result<Digest> Store::WriteManifestBytes(const ModelName& name, std::string_view raw) {
  Result<Manifest> parsed = ParseManifest(raw);
  if (!parsed.ok()) return parsed.status();
  return WriteManifestRaw(ResolveCase(name), raw);
}

Status Store::Copy(const ModelName& src, const ModelName& dst) {
  OLLA_ASSIGN_OR_RETURN(StoredManifest from, ReadManifest(src));
  ModelName to = ResolveCase(dst);
  if (to.Filepath() == from.name.Filepath()) return Status::Ok();
  return WriteManifestRaw(to, from.raw).status();
}

}  // namespace olla::store
