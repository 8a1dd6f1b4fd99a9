// `olla create`'s client side: path expansion, model directory discovery (spec §8.4), request file
// names (§1.5) and the progress display.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "base/sha256.h"
#include "cli/model_files.h"
#include "cli/progress.h"
#include "support/testdata.h"

namespace olla::cli {
namespace {

namespace fs = std::filesystem;

void Write(const std::string& path, const std::string& bytes) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}
const std::string kBinary("GGUF\x03\x00\x00\x00", 8);

TEST(ExpandModelfilePathTest, HomeRelativeAndAbsolute) {
  const std::string home = std::getenv("HOME") ? std::getenv("HOME") : "";
  EXPECT_EQ(ExpandModelfilePath("/abs/x.gguf", "/base").value(), "/abs/x.gguf");
  EXPECT_EQ(ExpandModelfilePath("x.gguf", "/base").value(), "/base/x.gguf");
  EXPECT_EQ(ExpandModelfilePath("./d/../x.gguf", "/base").value(), "/base/x.gguf");
  EXPECT_EQ(ExpandModelfilePath(".", "/base").value(), "/base");
  if (!home.empty()) {
    EXPECT_EQ(ExpandModelfilePath("~/m.gguf", "/base").value(),
              fs::path(home + "/m.gguf").lexically_normal().string());
    EXPECT_EQ(ExpandModelfilePath("~", "/base").value(),
              fs::path(home).lexically_normal().string());
  }
  EXPECT_EQ(ExpandModelfilePath("~root/m.gguf", "/base").value(), "/root/m.gguf");
  EXPECT_FALSE(ExpandModelfilePath("~no-such-user-olla/m", "/base").ok());
}

TEST(DiscoverModelFilesTest, GgufDirectoryGivesOnlyTheGgufFiles) {
  testing::TempDir dir;
  Write(dir.Join("b.gguf"), kBinary);
  Write(dir.Join("a.gguf"), kBinary);
  Write(dir.Join("config.json"), "{}");
  Write(dir.Join("notes.gguf"), "plain text, not a model");  // must sniff as binary
  auto files = DiscoverModelFiles(dir.path());
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  EXPECT_EQ(*files, (std::vector<std::string>{dir.Join("a.gguf"), dir.Join("b.gguf")}));
}

TEST(DiscoverModelFilesTest, SafetensorsComeWithTheirConfiguration) {
  testing::TempDir dir;
  Write(dir.Join("model-00001-of-00002.safetensors"), kBinary);
  Write(dir.Join("model-00002-of-00002.safetensors"), kBinary);
  Write(dir.Join("x.gguf"), kBinary);  // a lower rule: ignored
  Write(dir.Join("config.json"), "{}");
  Write(dir.Join("sub/tokenizer.model"), kBinary);
  Write(dir.Join("sub/extra.json"), "{}");
  Write(dir.Join("chat_template.jinja"), "{{ x }}");
  auto files = DiscoverModelFiles(dir.path());
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  EXPECT_EQ(*files, (std::vector<std::string>{
                        dir.Join("chat_template.jinja"), dir.Join("config.json"),
                        dir.Join("model-00001-of-00002.safetensors"),
                        dir.Join("model-00002-of-00002.safetensors"), dir.Join("sub/extra.json"),
                        dir.Join("sub/tokenizer.model")}));
}

TEST(DiscoverModelFilesTest, ErrorsForEmptyDirectoriesAndEscapingSymlinks) {
  testing::TempDir dir;
  auto none = DiscoverModelFiles(dir.path());
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().message(), "no Modelfile or safetensors files found");
  testing::TempDir outside;
  Write(outside.Join("real.gguf"), kBinary);
  fs::create_symlink(outside.Join("real.gguf"), dir.Join("link.gguf"));
  auto insecure = DiscoverModelFiles(dir.path());
  ASSERT_FALSE(insecure.ok());
  EXPECT_EQ(insecure.status().message(), "insecure path: link.gguf");
}

TEST(MakeFileResolverTest, HashesFilesAndReportsMissingPaths) {
  testing::TempDir dir;
  Write(dir.Join("m.gguf"), kBinary);
  auto resolve = MakeFileResolver(dir.path());
  auto r = resolve("m.gguf");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->files.size(), 1u);
  EXPECT_EQ(r->files.at(dir.Join("m.gguf")), "sha256:" + Sha256Hex(kBinary));
  auto d = resolve(".");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->files, r->files);
  auto missing = resolve("nope.gguf");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(),
            "stat " + dir.Join("nope.gguf") + ": no such file or directory");
}

TEST(RelativeFileNamesTest, CommonParentOrBaseName) {
  EXPECT_EQ(RelativeFileNames({{"/a/b/x.gguf", "d1"}}), (modelfile::FileDigests{{"x.gguf", "d1"}}));
  EXPECT_EQ(RelativeFileNames({{"/a/b/x.safetensors", "d1"}, {"/a/b/c/y.json", "d2"}}),
            (modelfile::FileDigests{{"x.safetensors", "d1"}, {"c/y.json", "d2"}}));
  EXPECT_EQ(RelativeFileNames({{"/a/b/x.gguf", "d1"}, {"/a/c/y.gguf", "d2"}}),
            (modelfile::FileDigests{{"b/x.gguf", "d1"}, {"c/y.gguf", "d2"}}));
}

}  // namespace
}  // namespace olla::cli
