// Blob downloads, the file side: locking, resume state, space reservation, verification and the
// final rename (download.h has the contract).

#include "registry/blob_download.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/file.h"
#include "base/log.h"
#include "base/sha256.h"
#include "base/str_cat.h"
#include "registry/download.h"

namespace olla::registry {

namespace {

std::string StatePath(const std::string& data_path, int64_t index) {
  return StrCat(data_path, "-", index);
}

Status Errno(std::string_view op, const store::Digest& digest, int err) {
  std::string msg = StrCat(op, " ", digest.BlobFileName(), ": ", std::strerror(err));
  if (err == ENOSPC || err == EDQUOT) {
    return Status::ResourceExhausted(StrCat("not enough free disk space: ", msg));
  }
  return Status::IoError(std::move(msg));
}

void FsyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

std::string PartialPath(const store::Store& store, const store::Digest& digest) {
  return StrCat(store.BlobPath(digest), "-partial");
}

bool BlobPresent(const store::Store& store, const store::Layer& layer) {
  struct stat st {};
  return !layer.digest.empty() && ::stat(store.BlobPath(layer.digest).c_str(), &st) == 0 &&
         S_ISREG(st.st_mode) && st.st_size == layer.size;
}

int64_t BytesToFetch(const store::Store& store, const store::Layer& layer) {
  if (BlobPresent(store, layer)) return 0;
  struct stat st {};
  if (::stat(PartialPath(store, layer.digest).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return layer.size;
  }
  int64_t allocated = static_cast<int64_t>(st.st_blocks) * 512;
  return std::max<int64_t>(0, layer.size - allocated);
}

Status Downloads::Fetch(store::Store& store, const Client& client, const store::Layer& layer,
                        const TransferOptions& options,
                        const std::function<void(int64_t)>& progress, std::stop_token stop) {
  std::shared_ptr<Entry> entry;
  {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      if (stop.stop_requested()) return Status::Cancelled("pull cancelled");
      auto it = active_.find(layer.digest);
      if (it == active_.end()) {
        if (BlobPresent(store, layer)) {
          lock.unlock();
          progress(layer.size);
          return Status::Ok();
        }
        entry = std::make_shared<Entry>();
        active_[layer.digest] = entry;
        break;
      }
      std::shared_ptr<Entry> other = it->second;  // attach: report the owner's progress
      cv_.wait_for(lock, options.progress_interval);
      int64_t done = other->completed.load();
      lock.unlock();
      progress(done);
      lock.lock();
    }
  }
  Status s =
      internal::BlobDownload(store, client, layer, options, entry->completed, progress, stop).Run();
  {
    std::lock_guard<std::mutex> lock(mu_);
    active_.erase(layer.digest);
  }
  cv_.notify_all();
  return s;
}

namespace internal {

BlobDownload::BlobDownload(store::Store& store, const Client& client, const store::Layer& layer,
                           const TransferOptions& options, std::atomic<int64_t>& completed_out,
                           const std::function<void(int64_t)>& progress, std::stop_token stop)
    : store_(store),
      client_(client),
      layer_(layer),
      options_(options),
      completed_out_(completed_out),
      progress_(progress),
      stop_(std::move(stop)),
      data_path_(PartialPath(store, layer.digest)) {}

BlobDownload::~BlobDownload() { CloseData(); }

void BlobDownload::CloseData() {
  if (fd_ >= 0) ::close(fd_);  // also releases the flock
  fd_ = -1;
}

int64_t BlobDownload::Completed() const {
  int64_t sum = 0;
  for (size_t i = 0; i < parts_.size(); ++i) sum += done_[i].load();
  return sum;
}

void BlobDownload::Report() {
  int64_t c = Completed();
  completed_out_.store(c);
  progress_(c);
}

Status BlobDownload::Run() {
  Status last;
  for (int round = 0; round < 2; ++round) {
    OLLA_RETURN_IF_ERROR(Prepare(/*fresh=*/round > 0));
    if (present_) {
      progress_(layer_.size);
      return Status::Ok();
    }
    Report();
    OLLA_RETURN_IF_ERROR(FetchParts());
    Report();
    OLLA_ASSIGN_OR_RETURN(std::string hex, HashData());
    if (hex == layer_.digest.hex()) return Commit();
    last = Status::Corrupt(StrCat("digest mismatch, file must be downloaded again: want ",
                                  layer_.digest.String(), ", got sha256:", hex));
    LogWarn(StrCat("pull: ", last.message()));
    const bool retry = resumed_;
    Discard();  // never leave the bytes behind, as a blob or a partial file
    if (!retry) break;
  }
  return last;
}

Status BlobDownload::Prepare(bool fresh) {
  CloseData();
  present_ = resumed_ = false;
  fd_ = ::open(data_path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) return Errno("create", layer_.digest, errno);
  OLLA_RETURN_IF_ERROR(LockDataFile());
  if (BlobPresent(store_, layer_)) {
    // Finished by another process while we waited. Remove the data file we may have created
    // after its rename, but never the blob itself (the same inode if we opened it before).
    struct stat ours {
    }, blob{};
    if (::fstat(fd_, &ours) == 0 && ::stat(store_.BlobPath(layer_.digest).c_str(), &blob) == 0 &&
        ours.st_ino != blob.st_ino) {
      ::unlink(data_path_.c_str());
    }
    CloseData();
    present_ = true;
    return Status::Ok();
  }
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return Errno("stat", layer_.digest, errno);
  if (!fresh && st.st_size == layer_.size && LoadStates()) {
    resumed_ = Completed() > 0;
    if (resumed_) {
      LogInfo(StrCat("resuming ", layer_.digest.hex().substr(0, 12), " at ", Completed(), " of ",
                     layer_.size, " bytes"));
    }
  } else {
    RemoveStates();
    parts_ = PlanParts(layer_.size, options_.parts);
    done_ = std::make_unique<std::atomic<int64_t>[]>(parts_.size());
    if (::ftruncate(fd_, 0) != 0) return Errno("truncate", layer_.digest, errno);
    LogInfo(StrCat("downloading ", layer_.digest.hex().substr(0, 12), " in ", parts_.size(), " ",
                   parts_.empty() ? 0 : parts_[0].size, " byte part(s)"));
  }
  OLLA_RETURN_IF_ERROR(Reserve());
  if (!resumed_) {
    for (size_t i = 0; i < parts_.size(); ++i) OLLA_RETURN_IF_ERROR(WriteState(i, true));
  }
  return Status::Ok();
}

Status BlobDownload::LockDataFile() {
  bool logged = false;
  while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) return Errno("lock", layer_.digest, errno);
    if (!logged) {
      LogInfo(StrCat("waiting for another process downloading ", layer_.digest.String()));
      logged = true;
    }
    if (!Client::SleepFor(std::chrono::milliseconds(100), stop_)) {
      return Status::Cancelled("pull cancelled");
    }
  }
  return Status::Ok();
}

bool BlobDownload::LoadStates() {
  std::vector<Part> loaded;
  for (int64_t i = 0; i < kMaxParts; ++i) {
    std::string path = StatePath(data_path_, i);
    if (!IsRegularFile(path)) break;
    Result<std::string> text = ReadFile(path);
    if (!text.ok()) return false;
    Result<Part> part = ParsePartState(*text);
    if (!part.ok()) {
      LogWarn(StrCat("discarding download state of ", layer_.digest.hex().substr(0, 12), ": ",
                     part.status().message()));
      return false;
    }
    loaded.push_back(*part);
  }
  if (loaded.empty() || !CheckTiling(loaded, layer_.size).ok()) return false;
  parts_ = std::move(loaded);
  done_ = std::make_unique<std::atomic<int64_t>[]>(parts_.size());
  for (size_t i = 0; i < parts_.size(); ++i) done_[i].store(parts_[i].completed);
  return true;
}

Status BlobDownload::Reserve() {
  if (layer_.size == 0) return Status::Ok();
  // Allocates every block now (holes of a resumed file too), so a full disk fails here, before
  // the download, rather than after gigabytes; the file system may not support it (then the
  // file is only extended, sparse).
  if (::fallocate(fd_, 0, 0, layer_.size) == 0) return Status::Ok();
  int err = errno;
  if (err == ENOSPC || err == EDQUOT || err == EFBIG) {
    return Status::ResourceExhausted(StrCat("not enough free disk space to download ",
                                            layer_.digest.String(), " (", layer_.size, " bytes)"));
  }
  if (::ftruncate(fd_, layer_.size) != 0) return Errno("extend", layer_.digest, errno);
  return Status::Ok();
}

Status BlobDownload::WriteState(size_t i, bool truncate) {
  Part p = parts_[i];
  p.completed = done_[i].load();
  std::string text = EncodePartState(p);
  // Completed only grows, so the text never gets shorter: rewriting in place (one small pwrite)
  // cannot leave a torn mix of old and new that parses.
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (truncate ? O_TRUNC : 0);
  int fd = ::open(StatePath(data_path_, p.index).c_str(), flags, 0644);
  if (fd < 0) return Errno("write state of", layer_.digest, errno);
  ssize_t n = ::pwrite(fd, text.data(), text.size(), 0);
  int err = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(text.size())) return Errno("write state of", layer_.digest, err);
  return Status::Ok();
}

void BlobDownload::RemoveStates() {
  for (int64_t i = 0; i < kMaxParts; ++i) {
    if (::unlink(StatePath(data_path_, i).c_str()) != 0 && errno == ENOENT &&
        i >= static_cast<int64_t>(parts_.size())) {
      break;
    }
  }
}

Status BlobDownload::WriteAt(const char* data, size_t n, int64_t offset) {
  while (n > 0) {
    ssize_t w = ::pwrite(fd_, data, n, offset);
    if (w < 0) {
      if (errno == EINTR) continue;
      return Errno("write", layer_.digest, errno);
    }
    data += w;
    n -= static_cast<size_t>(w);
    offset += w;
  }
  return Status::Ok();
}

Result<std::string> BlobDownload::HashData() {
  if (::fdatasync(fd_) != 0) return Errno("sync", layer_.digest, errno);
  Sha256 hash;
  std::string buf(1 << 20, '\0');
  for (int64_t offset = 0; offset < layer_.size;) {
    if (stop_.stop_requested()) return Status::Cancelled("pull cancelled");
    size_t want = static_cast<size_t>(std::min<int64_t>(buf.size(), layer_.size - offset));
    ssize_t n = ::pread(fd_, buf.data(), want, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Errno("read", layer_.digest, n == 0 ? EIO : errno);
    hash.Update(buf.data(), static_cast<size_t>(n));
    offset += n;
  }
  return hash.FinalHex();
}

Status BlobDownload::Commit() {
  if (::fchmod(fd_, 0644) != 0) return Errno("chmod", layer_.digest, errno);
  std::string blob = store_.BlobPath(layer_.digest);
  if (::rename(data_path_.c_str(), blob.c_str()) != 0) return Errno("rename", layer_.digest, errno);
  FsyncDir(store_.root() + "/blobs");
  RemoveStates();
  CloseData();
  return Status::Ok();
}

void BlobDownload::Discard() {
  ::unlink(data_path_.c_str());
  RemoveStates();
  CloseData();
}

}  // namespace internal
}  // namespace olla::registry
