#pragma once
// POSIX helpers private to the store: errno → Status, directory listing without following
// symlinks, mkdir -p, fsync of directories, durable atomic replacement of a file.

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace olla::store::internal {

// Owns a file descriptor; closes it on destruction.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd();
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  // Closes now and reports the error (close can fail on NFS after a deferred write error).
  Status Close(const std::string& what);

 private:
  int fd_;
};

// Builds a Status from errno for an operation on `what` (a path relative to the store, or a
// description: never an absolute path in user-facing text is the caller's choice).
Status ErrnoStatus(std::string_view op, std::string_view what, int err);

enum class EntryType { kFile, kDir, kSymlink, kOther };
struct DirEntry {
  std::string name;
  EntryType type;
  std::chrono::system_clock::time_point mtime;
  int64_t size = 0;
};

// Lists `dir` (no "." or ".."), sorted by name, using lstat (symlinks are reported as such).
// A missing directory → kNotFound.
Result<std::vector<DirEntry>> ListDir(const std::string& dir);

// mkdir -p with mode 0755 for every created directory.
Status MkdirAll(const std::string& path);

// fsync(2) of a directory, making renames/unlinks in it durable. Best effort on failure to open.
void FsyncDir(const std::string& dir);

// A fresh temporary file name for `dir`: ".tmp-<pid>-<counter>-<random>". The leading '.' makes
// it invalid both as a blob name and as a manifest tag, so a crash never leaves a file that
// looks like a blob or a manifest.
std::string TempFileName();

// Writes all of `data` to `fd`, retrying on EINTR.
Status WriteAll(int fd, const char* data, size_t n, std::string_view what);

// Called at named fault-injection points; may not return (tests SIGKILL themselves there).
using FaultHook = std::function<void(std::string_view point)>;

// Atomically replaces `dir/name` with `data`: temp file in `dir` (mode 0644), write, fsync, rename,
// fsync(dir). Calls hook(prefix + ".partial") after half the bytes, hook(prefix +
// ".before_rename") and hook(prefix + ".after_rename"). `what` names the file in errors.
Status ReplaceFile(const std::string& dir, const std::string& name, std::string_view data,
                   const FaultHook& hook, std::string_view prefix, std::string_view what);

}  // namespace olla::store::internal
