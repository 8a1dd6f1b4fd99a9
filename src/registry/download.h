#pragma once
// Blob downloads (spec §7.2 step 3): parallel ranged parts, resumable across restarts, verified
// before the blob becomes visible.
//
// Files, beside the blob in blobs/ (§6.1; the store's Prune keeps them, see store_gc.cc):
//   sha256-<hex>-partial      the data, pre-allocated to the blob size (free space is reserved
//                             up front: ENOSPC fails before any byte is fetched)
//   sha256-<hex>-partial-<N>  {"N":…,"Offset":…,"Size":…,"Completed":…} of part N
// A part-state file is rewritten at most every second and after each attempt, always after the
// data it counts was written, so a killed process resumes from at most a second behind. State
// that does not tile the manifest's blob size exactly, or a data file of another size, is
// discarded and the download starts over.
//
// Each part is requested with `Range: bytes=<offset+completed>-<offset+size-1>` and the answer
// checked: a 206 must carry a matching Content-Range for the manifest's size; bytes past the
// requested end are refused, so a blob larger than its manifest size is cut off and rejected. A
// registry that ignores Range (200 with the whole body) is detected before any byte is written
// to a part; the blob is then fetched as one stream. Transient failures (connection errors,
// stalls, 408/429/5xx, short bodies) are retried with exponential backoff; an attempt that made
// progress resets the count.
//
// When every part is complete the file is hashed; only a file whose sha256 equals the digest is
// renamed to sha256-<hex>. On a mismatch the data and states are deleted (never left as a blob)
// and, if the download had resumed bytes from disk, fetched once more from scratch; otherwise
// the error `digest mismatch, file must be downloaded again: want <d>, got <d>` is returned.
//
// Concurrency: within a process one Downloads object (one per server) makes concurrent fetches
// of one digest share a single download; across processes an flock on the data file does.

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>

#include "base/status.h"
#include "registry/client.h"
#include "registry/transfer.h"
#include "store/store.h"

namespace olla::registry {

class Downloads {
 public:
  Downloads() = default;
  Downloads(const Downloads&) = delete;
  Downloads& operator=(const Downloads&) = delete;

  // Makes `layer` present in `store`, fetching it from `client`'s repository, unless a blob of the
  // layer's size is already there. If another Fetch of the same digest is running, waits for it
  // (reporting its progress) and takes over if it fails or is cancelled. `progress(completed)` is
  // called about every options.progress_interval from the calling thread. A requested `stop`
  // returns kCancelled promptly and leaves the partial files for a later resume.
  Status Fetch(store::Store& store, const Client& client, const store::Layer& layer,
               const TransferOptions& options, const std::function<void(int64_t)>& progress,
               std::stop_token stop);

 private:
  struct Entry {
    std::atomic<int64_t> completed{0};
  };
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<store::Digest, std::shared_ptr<Entry>> active_;
};

// blobs/sha256-<hex>-partial.
std::string PartialPath(const store::Store& store, const store::Digest& digest);
// True if the blob exists as a regular file of exactly `layer.size` bytes.
bool BlobPresent(const store::Store& store, const store::Layer& layer);
// Bytes of `layer` not yet on disk: 0 if present, else its size less the space its partial file
// already occupies. Used for the free-space check before a pull.
int64_t BytesToFetch(const store::Store& store, const store::Layer& layer);

}  // namespace olla::registry
