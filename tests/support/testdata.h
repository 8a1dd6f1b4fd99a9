#pragma once
// Helpers shared by tests: where the shared test data lives, and scratch directories.

#include <string>
#include <vector>

namespace olla::testing {

// The shared test-data directory: $OLLA_TESTDATA if set, else the path CMake configured
// (../shared/testdata beside the source tree).
std::string TestdataDir();
// TestdataDir() + "/" + relative.
std::string TestdataPath(const std::string& relative);
// Reads a whole file; fails the calling test (ADD_FAILURE) and returns "" if unreadable.
std::string ReadFileOrFail(const std::string& path);
// Reads a raw little-endian float32 file.
std::vector<float> ReadF32File(const std::string& path);
// A fresh empty directory under $TMPDIR, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Join(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};
// Path of the built `olla` binary (for CLI tests), from $OLLA_BINARY.
std::string OllaBinary();

}  // namespace olla::testing
