#pragma once
// BlobDownload: one download of one blob by its owner (download.h has the contract). Private to
// registry/: Downloads::Fetch is the interface. blob_download.cc holds the file handling
// (locking, resume state, verification, commit), blob_fetch.cc the HTTP side (parts, retries,
// the single-stream fallback).

#include <atomic>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <vector>

#include "base/status.h"
#include "registry/client.h"
#include "registry/parts.h"
#include "registry/transfer.h"
#include "store/store.h"

namespace olla::registry::internal {

class BlobDownload {
 public:
  BlobDownload(store::Store& store, const Client& client, const store::Layer& layer,
               const TransferOptions& options, std::atomic<int64_t>& completed_out,
               const std::function<void(int64_t)>& progress, std::stop_token stop);
  ~BlobDownload();
  BlobDownload(const BlobDownload&) = delete;
  BlobDownload& operator=(const BlobDownload&) = delete;

  Status Run();

 private:
  // --- blob_download.cc: files ---
  // Opens and locks the data file, loads the part states (unless `fresh`) or plans new parts,
  // and reserves the space. Sets present_ if the blob appeared meanwhile.
  Status Prepare(bool fresh);
  Status LockDataFile();
  bool LoadStates();
  Status Reserve();
  Status WriteState(size_t part, bool truncate);
  void RemoveStates();
  Status WriteAt(const char* data, size_t n, int64_t offset);
  Result<std::string> HashData();
  Status Commit();
  void Discard();
  void CloseData();
  int64_t Completed() const;
  void Report();

  // --- blob_fetch.cc: network ---
  // Runs `work` on `n_workers` threads while this thread reports progress; returns when all
  // are done. `work` gets the phase's stop source (linked to stop_) to stop the others.
  void RunWorkers(size_t n_workers, const std::function<void(std::stop_source&)>& work);
  Status FetchParts();
  Status RunPart(size_t part, std::stop_token stop);
  Status AttemptPart(size_t part, std::stop_token stop);
  Status StreamWhole();
  Status AttemptWhole(std::stop_token stop);
  // Retry loop shared by parts and the whole stream: calls attempt() until it succeeds, fails
  // for good, or runs out of retries; progress() says how far it got.
  Status WithRetries(const std::function<Status()>& attempt,
                     const std::function<int64_t()>& progress, std::string_view what,
                     std::stop_token stop);

  store::Store& store_;
  Client client_;
  store::Layer layer_;
  TransferOptions options_;
  std::atomic<int64_t>& completed_out_;
  const std::function<void(int64_t)>& progress_;
  std::stop_token stop_;

  std::string data_path_;
  int fd_ = -1;
  bool present_ = false;  // the blob is in the store (someone else finished it)
  bool resumed_ = false;  // bytes were taken from an earlier attempt's files
  std::vector<Part> parts_;
  std::unique_ptr<std::atomic<int64_t>[]> done_;  // completed bytes per part
};

}  // namespace olla::registry::internal
