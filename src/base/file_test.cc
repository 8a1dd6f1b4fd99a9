#include "base/file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "support/testdata.h"

namespace olla {
namespace {

TEST(FileTest, AtomicWriteThenReadAndMap) {
  testing::TempDir dir;
  std::string path = dir.Join("a.bin");
  ASSERT_TRUE(WriteFileAtomic(path, "hello").ok());
  ASSERT_TRUE(WriteFileAtomic(path, "world!").ok());  // replaces
  EXPECT_EQ(*ReadFile(path), "world!");
  auto m = MappedFile::Open(path);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(m->data()), m->size()), "world!");
  // No temporary files are left behind.
  size_t n = 0;
  for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator(dir.path())) ++n;
  EXPECT_EQ(n, 1u);
}

TEST(FileTest, MissingFileIsNotFound) {
  auto r = ReadFile("/nonexistent/x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("/nonexistent/x"), std::string::npos);
  EXPECT_EQ(MappedFile::Open("/nonexistent/x").status().code(), StatusCode::kNotFound);
}

TEST(FileTest, EmptyFileMapsToEmptySpan) {
  testing::TempDir dir;
  ASSERT_TRUE(WriteFileAtomic(dir.Join("e"), "").ok());
  auto m = MappedFile::Open(dir.Join("e"));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->size(), 0u);
}

TEST(FileTest, DirectoryIsRejected) {
  testing::TempDir dir;
  EXPECT_EQ(ReadFile(dir.path()).status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(IsRegularFile(dir.path()));
}

TEST(FileTest, WriteIntoMissingDirectoryFails) {
  testing::TempDir dir;
  Status s = WriteFileAtomic(dir.Join("no/such/file"), "x");
  EXPECT_FALSE(s.ok());
}

}  // namespace
}  // namespace olla
