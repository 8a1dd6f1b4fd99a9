#include "store/fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <random>

#include "base/str_cat.h"

namespace olla::store::internal {

Fd::~Fd() {
  if (fd_ >= 0) ::close(fd_);
}

Status Fd::Close(const std::string& what) {
  int fd = fd_;
  fd_ = -1;
  if (fd >= 0 && ::close(fd) != 0) return ErrnoStatus("close", what, errno);
  return Status::Ok();
}

Status ErrnoStatus(std::string_view op, std::string_view what, int err) {
  std::string msg = StrCat(op, " ", what, ": ", std::strerror(err));
  if (err == ENOENT) return Status::NotFound(std::move(msg));
  if (err == ENOSPC || err == EDQUOT) return Status::ResourceExhausted(std::move(msg));
  return Status::IoError(std::move(msg));
}

Result<std::vector<DirEntry>> ListDir(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return ErrnoStatus("open directory", dir, errno);
  std::vector<DirEntry> out;
  while (true) {
    errno = 0;
    struct dirent* e = ::readdir(d);
    if (e == nullptr) {
      int err = errno;
      ::closedir(d);
      if (err != 0) return ErrnoStatus("read directory", dir, err);
      break;
    }
    std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    struct stat st {};
    if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;  // raced
    DirEntry entry;
    entry.name = std::string(name);
    entry.type = S_ISREG(st.st_mode)   ? EntryType::kFile
                 : S_ISDIR(st.st_mode) ? EntryType::kDir
                 : S_ISLNK(st.st_mode) ? EntryType::kSymlink
                                       : EntryType::kOther;
    entry.mtime = std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::seconds(st.st_mtim.tv_sec) +
            std::chrono::nanoseconds(st.st_mtim.tv_nsec)));
    entry.size = static_cast<int64_t>(st.st_size);
    out.push_back(std::move(entry));
  }
  std::sort(out.begin(), out.end(),
            [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  return out;
}

Status MkdirAll(const std::string& path) {
  if (path.empty()) return Status::InvalidArgument("mkdir: empty path");
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return Status::Ok();
    return Status::IoError(StrCat("mkdir ", path, ": exists and is not a directory"));
  }
  size_t slash = path.find_last_of('/');
  if (slash != std::string::npos && slash > 0) {
    OLLA_RETURN_IF_ERROR(MkdirAll(path.substr(0, slash)));
  }
  if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
    return ErrnoStatus("mkdir", path, errno);
  }
  return Status::Ok();
}

void FsyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

std::string TempFileName() {
  static std::atomic<uint64_t> counter{0};
  std::random_device rd;
  return StrCat(".tmp-", ::getpid(), "-", counter.fetch_add(1), "-", rd());
}

Status WriteAll(int fd, const char* data, size_t n, std::string_view what) {
  size_t done = 0;
  while (done < n) {
    ssize_t w = ::write(fd, data + done, n - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("write", what, errno);
    }
    done += static_cast<size_t>(w);
  }
  return Status::Ok();
}

Status ReplaceFile(const std::string& dir, const std::string& name, std::string_view data,
                   const FaultHook& hook, std::string_view prefix, std::string_view what) {
  auto fire = [&](std::string_view point) {
    if (hook) hook(StrCat(prefix, point));
  };
  std::string tmp = StrCat(dir, "/", TempFileName());
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (fd.get() < 0) return ErrnoStatus("create temporary file for", what, errno);
  auto fail = [&](Status s) {
    ::unlink(tmp.c_str());
    return s;
  };
  size_t half = data.size() / 2;
  if (Status s = WriteAll(fd.get(), data.data(), half, what); !s.ok()) return fail(std::move(s));
  fire(".partial");
  if (Status s = WriteAll(fd.get(), data.data() + half, data.size() - half, what); !s.ok()) {
    return fail(std::move(s));
  }
  if (::fchmod(fd.get(), 0644) != 0) return fail(ErrnoStatus("chmod", what, errno));
  if (::fsync(fd.get()) != 0) return fail(ErrnoStatus("fsync", what, errno));
  if (Status s = fd.Close(std::string(what)); !s.ok()) return fail(std::move(s));
  fire(".before_rename");
  std::string final_path = StrCat(dir, "/", name);
  if (::rename(tmp.c_str(), final_path.c_str()) != 0) {
    return fail(ErrnoStatus("rename into place", what, errno));
  }
  FsyncDir(dir);
  fire(".after_rename");
  return Status::Ok();
}

}  // namespace olla::store::internal
