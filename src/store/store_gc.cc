// Store: listing, deletion and garbage collection (spec §6.5, §6.7).

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <set>

#include "base/file.h"
#include "base/str_cat.h"
#include "store/fs.h"
#include "store/store.h"

namespace olla::store {

using internal::DirEntry;
using internal::EntryType;

namespace {

constexpr std::string_view kCorruptWarning =
    "corrupt manifests detected, skipping prune operation.  Re-pull or delete to clear";

bool IsTempName(std::string_view name) { return name.substr(0, 5) == ".tmp-"; }

// A temp file (".tmp-<pid>-...", fs.h TempFileName) whose writer is no longer running on this
// machine: a crashed create or upload. Removed at once rather than after the grace period (issue
// #17: 200 MB of them stayed for an hour). Our own process's files are never dead.
bool IsTempOfDeadProcess(std::string_view name) {
  if (!IsTempName(name)) return false;
  long pid = 0;
  size_t i = 5;
  for (; i < name.size() && name[i] >= '0' && name[i] <= '9' && pid < (1L << 30); ++i)
    pid = pid * 10 + (name[i] - '0');
  if (i == 5 || i >= name.size() || name[i] != '-' || pid <= 0 || pid == ::getpid()) return false;
  return ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

// A resumable download's files (registry/download.h): "sha256-<hex>-partial" (data) and
// "sha256-<hex>-partial-<N>" (part state). Prune keeps them, so that an interrupted pull
// resumes after a restart instead of starting over (user-needs §3).
bool IsPartialDownloadName(std::string_view name) {
  constexpr size_t kBlobName = 7 + 64;  // "sha256-" + hex
  constexpr std::string_view kSuffix = "-partial";
  if (name.size() < kBlobName + kSuffix.size() ||
      !Digest::FromBlobFileName(name.substr(0, kBlobName)).ok() ||
      name.substr(kBlobName, kSuffix.size()) != kSuffix) {
    return false;
  }
  std::string_view rest = name.substr(kBlobName + kSuffix.size());
  if (rest.empty()) return true;
  if (rest.size() < 2 || rest.size() > 6 || rest[0] != '-') return false;
  return rest.substr(1).find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace

Result<std::vector<Store::ScannedManifest>> Store::ScanManifests() const {
  std::vector<ScannedManifest> out;
  // Depth-first over exactly four levels: host/namespace/model/tag. Symlinks are not followed.
  struct Frame {
    std::string rel;
    int depth;
  };
  std::vector<Frame> stack = {{"", 0}};
  while (!stack.empty()) {
    Frame f = std::move(stack.back());
    stack.pop_back();
    std::string dir = f.rel.empty() ? manifests_dir() : StrCat(manifests_dir(), "/", f.rel);
    auto entries = internal::ListDir(dir);
    if (!entries.ok()) {
      if (f.depth == 0) return entries.status();
      continue;  // removed while we walked
    }
    // Push in reverse so the walk visits names in byte order.
    for (auto it = entries->rbegin(); it != entries->rend(); ++it) {
      const DirEntry& e = *it;
      std::string rel = f.rel.empty() ? e.name : StrCat(f.rel, "/", e.name);
      if (f.depth < 3) {
        if (e.type == EntryType::kDir) stack.push_back({rel, f.depth + 1});
        continue;
      }
      if (e.type != EntryType::kFile || IsTempName(e.name)) continue;
      ScannedManifest m;
      m.rel_path = rel;
      if (Result<ModelName> name = ModelName::FromFilepath(rel); name.ok()) m.name = *name;
      m.modified = e.mtime;
      if (static_cast<uint64_t>(e.size) > kMaxManifestBytes) {
        m.manifest = Status::Corrupt("manifest too large");  // not read; counts as corrupt
      }
      out.push_back(std::move(m));
    }
  }
  std::sort(out.begin(), out.end(), [](const ScannedManifest& a, const ScannedManifest& b) {
    return a.rel_path < b.rel_path;
  });
  for (ScannedManifest& m : out) {
    if (!m.name || m.manifest.status().code() == StatusCode::kCorrupt) continue;
    Result<std::string> raw = ReadFile(StrCat(manifests_dir(), "/", m.rel_path));
    if (!raw.ok()) {
      m.manifest = raw.status();
      continue;
    }
    m.digest = Digest::Of(*raw);
    m.manifest = ParseManifest(*raw);
  }
  return out;
}

Result<std::vector<ModelEntry>> Store::ListModels(std::vector<std::string>* warnings) const {
  OLLA_ASSIGN_OR_RETURN(std::vector<ScannedManifest> scanned, ScanManifests());
  std::vector<ModelEntry> out;
  for (const ScannedManifest& m : scanned) {
    if (!m.name) {
      if (warnings)
        warnings->push_back(StrCat("ignoring manifests/", m.rel_path, ": not a valid model name"));
      continue;
    }
    if (!m.manifest.ok()) {
      if (warnings) {
        warnings->push_back(
            StrCat("skipping corrupt manifest ", m.rel_path, ": ", m.manifest.status().message()));
      }
      continue;
    }
    out.push_back(ModelEntry{*m.name, m.digest, m.manifest->TotalSize(), m.modified});
  }
  std::stable_sort(out.begin(), out.end(), [](const ModelEntry& a, const ModelEntry& b) {
    return a.modified > b.modified;
  });
  return out;
}

Result<PruneReport> Store::Delete(const ModelName& requested, bool noprune) {
  ModelName name = ResolveCase(requested);
  std::string path = ManifestPath(name);
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return Status::NotFound(StrCat("model \"", requested.DisplayShortest(), "\" not found"));
  }
  std::vector<Digest> candidates;
  PruneReport report;
  if (Result<StoredManifest> m = ReadManifest(name); m.ok()) {
    candidates = m->manifest.ReferencedDigests();
  } else {
    report.warnings.push_back(StrCat("deleting unreadable manifest ", name.Filepath(), ": ",
                                     m.status().message(), "; its blobs are left for pruning"));
  }
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return internal::ErrnoStatus("delete manifest", name.Filepath(), errno);
  }
  RemoveEmptyManifestDirs(StrCat(name.host(), "/", name.ns(), "/", name.model()));
  OLLA_ASSIGN_OR_RETURN(PruneReport pruned, RemoveUnreferencedBlobs(candidates, noprune));
  pruned.warnings.insert(pruned.warnings.begin(), report.warnings.begin(), report.warnings.end());
  return pruned;
}

Result<PruneReport> Store::RemoveUnreferencedBlobs(const std::vector<Digest>& candidates,
                                                   bool noprune) {
  PruneReport report;
  if (noprune) {
    report.skipped = true;
    return report;
  }
  OLLA_ASSIGN_OR_RETURN(std::vector<ScannedManifest> scanned, ScanManifests());
  std::set<Digest> referenced;
  for (const ScannedManifest& m : scanned) {
    if (!m.name) continue;
    if (!m.manifest.ok()) {
      report.corrupt_manifests.push_back(m.rel_path);
      continue;
    }
    for (const Digest& d : m.manifest->ReferencedDigests()) referenced.insert(d);
  }
  if (!report.corrupt_manifests.empty()) {
    report.skipped = true;
    report.warnings.emplace_back(kCorruptWarning);
    return report;
  }
  std::set<Digest> seen;
  for (const Digest& d : candidates) {
    if (d.empty() || !seen.insert(d).second || referenced.count(d) != 0) continue;
    if (::unlink(BlobPath(d).c_str()) == 0) {
      ++report.removed_blobs;
    } else if (errno != ENOENT) {
      report.warnings.push_back(
          StrCat("cannot remove blob ", d.String(), ": ", std::strerror(errno)));
    }
  }
  if (report.removed_blobs > 0) internal::FsyncDir(blobs_dir());
  return report;
}

Result<PruneReport> Store::Prune(const PruneOptions& options) {
  PruneReport report;
  if (options.noprune) {
    report.skipped = true;
    return report;
  }
  OLLA_ASSIGN_OR_RETURN(std::vector<ScannedManifest> scanned, ScanManifests());
  std::set<Digest> referenced;
  for (const ScannedManifest& m : scanned) {
    if (!m.name) {
      report.warnings.push_back(
          StrCat("ignoring manifests/", m.rel_path, ": not a valid model name"));
      continue;
    }
    if (!m.manifest.ok()) {
      report.corrupt_manifests.push_back(m.rel_path);
      continue;
    }
    for (const Digest& d : m.manifest->ReferencedDigests()) referenced.insert(d);
  }
  if (!report.corrupt_manifests.empty()) {
    report.skipped = true;
    report.warnings.emplace_back(kCorruptWarning);
    return report;
  }
  const auto now = std::chrono::system_clock::now();
  auto cutoff = now - options.grace;
  OLLA_ASSIGN_OR_RETURN(std::vector<DirEntry> blobs, internal::ListDir(blobs_dir()));
  // The last write to any partial file of each blob: a download is abandoned as a whole.
  constexpr size_t kBlobName = 7 + 64;
  std::map<std::string, std::chrono::system_clock::time_point> partial_written;
  for (const DirEntry& e : blobs) {
    if (e.type != EntryType::kFile || !IsPartialDownloadName(e.name)) continue;
    auto& t = partial_written[e.name.substr(0, kBlobName)];
    t = std::max(t, e.mtime);
  }
  const auto partial_cutoff =
      now - std::max<std::chrono::seconds>(options.partial_max_age, options.grace);
  for (const DirEntry& e : blobs) {
    if (e.type != EntryType::kFile) continue;
    ++report.total_blobs;
    // In use by a running upload/download, or just written (unless its writer is gone).
    if (e.mtime > cutoff && !IsTempOfDeadProcess(e.name)) continue;
    if (IsPartialDownloadName(e.name)) {
      if (partial_written[e.name.substr(0, kBlobName)] > partial_cutoff) continue;  // resumable
      if (::unlink(StrCat(blobs_dir(), "/", e.name).c_str()) == 0) {
        ++report.removed_partials;
      } else if (errno != ENOENT) {
        report.warnings.push_back(
            StrCat("cannot remove blobs/", e.name, ": ", std::strerror(errno)));
      }
      continue;
    }
    Result<Digest> d = Digest::FromBlobFileName(e.name);
    if (d.ok() && referenced.count(*d) != 0) continue;
    if (::unlink(StrCat(blobs_dir(), "/", e.name).c_str()) == 0) {
      ++report.removed_blobs;
    } else if (errno != ENOENT) {
      report.warnings.push_back(StrCat("cannot remove blobs/", e.name, ": ", std::strerror(errno)));
    }
  }
  internal::FsyncDir(blobs_dir());
  CleanManifestTree(manifests_dir(), cutoff, /*is_root=*/true, 0);
  report.warnings.push_back(StrCat("total blobs: ", report.total_blobs));
  report.warnings.push_back(StrCat("total unused blobs removed: ", report.removed_blobs));
  if (report.removed_partials > 0) {
    report.warnings.push_back(
        StrCat("abandoned partial download files removed: ", report.removed_partials));
  }
  return report;
}

void Store::RemoveEmptyManifestDirs(const std::string& rel_dir) {
  std::string rel = rel_dir;
  while (!rel.empty()) {
    if (::rmdir(StrCat(manifests_dir(), "/", rel).c_str()) != 0) break;  // not empty
    size_t slash = rel.find_last_of('/');
    rel = slash == std::string::npos ? "" : rel.substr(0, slash);
  }
  internal::FsyncDir(manifests_dir());
}

void Store::CleanManifestTree(const std::string& dir, std::chrono::system_clock::time_point cutoff,
                              bool is_root, int depth) {
  if (depth > 8) return;
  auto entries = internal::ListDir(dir);
  if (!entries.ok()) return;
  for (const DirEntry& e : *entries) {
    std::string path = StrCat(dir, "/", e.name);
    if (e.type == EntryType::kDir) {
      CleanManifestTree(path, cutoff, /*is_root=*/false, depth + 1);
    } else if (e.type == EntryType::kFile && IsTempName(e.name) &&
               (e.mtime <= cutoff || IsTempOfDeadProcess(e.name))) {
      ::unlink(path.c_str());
    }
  }
  if (!is_root) ::rmdir(dir.c_str());  // fails harmlessly unless empty
}

}  // namespace olla::store
