#pragma once
// Checked file I/O: whole-file reads, atomic writes, and read-only memory maps.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/status.h"

namespace olla {

// Reads the whole file. Fails with kNotFound / kIoError naming the path.
Result<std::string> ReadFile(const std::string& path);

// Writes `data` to `path` atomically: a temporary file in the same directory, fsync, rename,
// then fsync of the directory. A crash at any point leaves either the old file or the new one.
Status WriteFileAtomic(const std::string& path, std::string_view data);

// True if `path` names an existing regular file.
bool IsRegularFile(const std::string& path);

// A read-only, private memory map of a whole file. Move-only; unmaps on destruction.
// An empty file maps to an empty span (no mmap is made).
class MappedFile {
 public:
  static Result<MappedFile> Open(const std::string& path);

  MappedFile() = default;
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  std::span<const uint8_t> bytes() const { return {data_, size_}; }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  std::string path_;
};

}  // namespace olla
