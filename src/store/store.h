#pragma once
// Store: the on-disk model store rooted at $OLLAMA_MODELS (spec §6).
//
//   <root>/blobs/sha256-<hex>                    content-addressed blobs (mode 0644)
//   <root>/manifests/<host>/<ns>/<model>/<tag>   manifests (JSON, §6.3)
//
// Safety contract:
//  * Every path is built from a validated ModelName or Digest; no caller string reaches the
//    filesystem otherwise.
//  * Blobs are hashed while written to a temporary file and appear under their name only after
//    fsync + rename (+ fsync of the directory); a blob file name therefore always matches its
//    contents, and a crash leaves at worst a ".tmp-*" file that pruning removes.
//  * Manifests are replaced atomically the same way; readers see the old or the new bytes.
//  * Names are resolved case-insensitively against existing manifests before every lookup or
//    write (§5.5), so names differing only by case share one manifest file.
//  * Garbage collection deletes only blobs that no valid manifest references, and nothing at
//    all if any manifest cannot be parsed (user-needs §3: never lose models to a bad manifest).
//
// Thread-safety: methods may be called concurrently; concurrent writers of the same manifest
// race (last rename wins) but never produce a partial file. Not safe against a concurrent
// Delete/Prune removing a blob that a concurrent create is about to reference; the server
// serialises those operations.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "store/digest.h"
#include "store/manifest.h"
#include "store/model_name.h"

namespace olla::store {

// $OLLAMA_MODELS (trimmed of whitespace and surrounding quotes, §2) if set and non-empty, else
// $HOME/.ollama/models (home from the password database if HOME is unset).
Result<std::string> DefaultModelsDir();

struct StoreOptions {
  // Fault injection for crash-safety tests: called at "blob.partial", "blob.before_rename",
  // "blob.after_rename", "manifest.partial", "manifest.before_rename" and
  // "manifest.after_rename". Empty in production.
  std::function<void(std::string_view point)> fault_hook;
};

struct BlobWriteResult {
  Digest digest;
  int64_t size = 0;
  bool existed = false;  // the blob was already present ("using existing layer")
};

// Reads up to `cap` bytes into `buf`; returns the number read, 0 at end of stream.
using ReadFn = std::function<Result<size_t>(char* buf, size_t cap)>;

struct StoredManifest {
  ModelName name;  // with the casing of the stored path
  Manifest manifest;
  std::string raw;  // the bytes exactly as stored
  Digest digest;    // sha256 of `raw` (§6.2): the model's ID
  std::chrono::system_clock::time_point modified;
};

struct ModelEntry {
  ModelName name;
  Digest digest;     // sha256 of the manifest bytes
  int64_t size = 0;  // sum of layer sizes + config size
  std::chrono::system_clock::time_point modified;
};

struct PruneOptions {
  bool noprune = false;                                // OLLAMA_NOPRUNE: do nothing
  std::chrono::seconds grace = std::chrono::hours(1);  // only files older than this
  // Partial downloads are kept so pulls resume, unless abandoned: none of a blob's partial
  // files ("sha256-<hex>-partial*") was written for this long.
  std::chrono::seconds partial_max_age = std::chrono::hours(24 * 7);
};

struct PruneReport {
  bool skipped = false;                        // nothing deleted (noprune or corrupt manifests)
  std::vector<std::string> corrupt_manifests;  // paths relative to manifests/
  std::vector<std::string> warnings;           // human-readable, for the log
  int64_t total_blobs = 0;                     // startup prune: files seen in blobs/
  int64_t removed_blobs = 0;
  int64_t removed_partials = 0;  // startup prune: files of abandoned downloads
};

class Store {
 public:
  // Opens (creating blobs/ and manifests/ with mode 0755 if needed) the store at `root`, and
  // renames legacy blob files "sha256:<hex>" to "sha256-<hex>" (§6.1).
  static Result<Store> Open(std::string root, StoreOptions options = {});

  const std::string& root() const { return root_; }

  // ---- blobs ----
  std::string BlobPath(const Digest& digest) const;
  bool HasBlob(const Digest& digest) const;
  // Stores bytes as a blob. If `expected` is given and the content hashes differently, nothing
  // is stored and the result is kInvalidArgument
  // `digest mismatch, expected "<expected>", got "<actual>"`. An existing blob is kept (its mtime
  // is set to now) unless its size differs from the new content, in which case it is replaced.
  Result<BlobWriteResult> WriteBlob(std::string_view bytes,
                                    const std::optional<Digest>& expected = std::nullopt);
  // The same, streaming from a reader or from a file (copied, not moved).
  Result<BlobWriteResult> WriteBlobFromReader(const ReadFn& read,
                                              const std::optional<Digest>& expected = std::nullopt);
  Result<BlobWriteResult> WriteBlobFromFile(const std::string& path,
                                            const std::optional<Digest>& expected = std::nullopt);
  // Reads a whole blob, verifying that its content matches its digest (kCorrupt otherwise).
  Result<std::string> ReadBlob(const Digest& digest) const;

  // ---- manifests ----
  // Replaces each part of `name` with the casing of an existing manifest path whose parts match
  // case-insensitively, level by level (host, then namespace, model, tag); an exact match wins,
  // else the first in byte order. Parts with no match keep the given casing.
  ModelName ResolveCase(const ModelName& name) const;
  // Absolute path of the manifest file for `name` (not case-resolved).
  std::string ManifestPath(const ModelName& name) const;
  // kNotFound `model "<short name>" not found`; kCorrupt if the file does not parse.
  Result<StoredManifest> ReadManifest(const ModelName& name) const;
  // Writes EncodeManifest(manifest) atomically; returns the manifest digest.
  Result<Digest> WriteManifest(const ModelName& name, const Manifest& manifest);
  // Stores manifest bytes verbatim (pull keeps the registry's bytes, §6.3) after checking that
  // they parse; returns their digest.
  Result<Digest> WriteManifestBytes(const ModelName& name, std::string_view raw);
  // All valid manifests, most recently modified first (ties by name). Corrupt manifests and
  // files whose path is not a valid name are skipped and described in `warnings` if non-null.
  Result<std::vector<ModelEntry>> ListModels(std::vector<std::string>* warnings = nullptr) const;

  // Copies the source manifest byte-for-byte to `dst` (§6.7). Same path → no-op.
  Status Copy(const ModelName& src, const ModelName& dst);
  // Removes the manifest (a corrupt one too), prunes empty parent directories, then deletes the
  // blobs it referenced that no remaining manifest references, unless `noprune` or some
  // remaining manifest is corrupt (then nothing is deleted and the report says why).
  Result<PruneReport> Delete(const ModelName& name, bool noprune = false);
  // Deletes those of `candidates` that no manifest references (after a manifest was replaced,
  // §6.5). Skipped entirely if any manifest is corrupt.
  Result<PruneReport> RemoveUnreferencedBlobs(const std::vector<Digest>& candidates,
                                              bool noprune = false);
  // Startup garbage collection (§6.5): for files in blobs/ older than `grace`, deletes those
  // whose name is not a blob name (temp files) and unreferenced blobs, but keeps partial
  // downloads ("sha256-<hex>-partial[-N]", registry/download.h) so pulls resume, unless they
  // were abandoned (`partial_max_age`: all of a blob's partial files are removed together); then
  // removes stale temp files and empty directories under manifests/. Skipped entirely if any
  // manifest is corrupt, with the warning Ollama logs.
  Result<PruneReport> Prune(const PruneOptions& options = {});

 private:
  Store(std::string root, StoreOptions options)
      : root_(std::move(root)), options_(std::move(options)) {}

  struct ScannedManifest {
    std::string rel_path;           // relative to manifests/
    std::optional<ModelName> name;  // nullopt: the path is not a valid name (file ignored)
    Result<Manifest> manifest = Status::NotFound("not read");
    Digest digest;  // sha256 of the bytes, when read
    std::chrono::system_clock::time_point modified;
  };
  // Every regular file exactly four levels below manifests/ (valid names or not).
  Result<std::vector<ScannedManifest>> ScanManifests() const;
  Result<BlobWriteResult> FinishBlob(const std::string& tmp, const std::string& digest_hex,
                                     int64_t size, const std::optional<Digest>& expected);
  Result<Digest> WriteManifestRaw(const ModelName& resolved, std::string_view raw);
  // rmdir of manifests/<rel_dir> and its parents below manifests/ while they are empty.
  void RemoveEmptyManifestDirs(const std::string& rel_dir);
  // Post-order walk of manifests/: removes ".tmp-*" files older than `cutoff` and empty dirs.
  void CleanManifestTree(const std::string& dir, std::chrono::system_clock::time_point cutoff,
                         bool is_root, int depth);

  std::string blobs_dir() const { return root_ + "/blobs"; }
  std::string manifests_dir() const { return root_ + "/manifests"; }

  std::string root_;
  StoreOptions options_;
};

}  // namespace olla::store
