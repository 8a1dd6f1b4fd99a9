#include "store/store.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "base/file.h"
#include "support/testdata.h"

namespace olla::store {
namespace {

namespace fs = std::filesystem;

// Every path under `root`, relative, for before/after comparisons.
std::set<std::string> Tree(const std::string& root) {
  std::set<std::string> out;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator();
       ++it) {
    out.insert(fs::relative(it->path(), root).string());
  }
  return out;
}

ModelName Name(const std::string& s) {
  Result<ModelName> n = ModelName::Parse(s);
  EXPECT_TRUE(n.ok()) << s;
  return *n;
}

// A manifest whose layers are freshly written blobs with the given contents.
Manifest MakeModel(Store& store, const std::vector<std::string>& contents) {
  Manifest m;
  Result<BlobWriteResult> cfg = store.WriteBlob("{\"model_format\":\"gguf\"}\n");
  EXPECT_TRUE(cfg.ok());
  m.config = {std::string(kMediaTypeConfig), cfg->digest, cfg->size, "", ""};
  for (const std::string& c : contents) {
    Result<BlobWriteResult> b = store.WriteBlob(c);
    EXPECT_TRUE(b.ok());
    m.layers.push_back({std::string(kMediaTypeModel), b->digest, b->size, "", ""});
  }
  return m;
}

TEST(StoreTest, OpenCreatesLayoutAndFixesLegacyBlobNames) {
  testing::TempDir dir;
  std::string hex(64, 'c');
  fs::create_directories(dir.Join("blobs"));
  std::ofstream(dir.Join("blobs/sha256:" + hex)) << "x";
  std::ofstream(dir.Join("blobs/sha256:nothex")) << "y";
  Result<Store> store = Store::Open(dir.path());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_TRUE(fs::is_directory(dir.Join("manifests")));
  EXPECT_TRUE(fs::exists(dir.Join("blobs/sha256-" + hex)));
  EXPECT_FALSE(fs::exists(dir.Join("blobs/sha256:" + hex)));
  EXPECT_TRUE(fs::exists(dir.Join("blobs/sha256:nothex")));  // not a digest: left for pruning
  EXPECT_EQ(fs::status(dir.Join("blobs")).permissions() & fs::perms::all,
            fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                fs::perms::others_read | fs::perms::others_exec);
}

TEST(StoreTest, WritesBlobsAtomicallyAndVerifiesDigests) {
  testing::TempDir dir;
  Store store = *Store::Open(dir.path());
  Digest want = Digest::Of("hello");
  EXPECT_FALSE(store.HasBlob(want));

  Result<BlobWriteResult> w = store.WriteBlob("hello", want);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->digest, want);
  EXPECT_EQ(w->size, 5);
  EXPECT_FALSE(w->existed);
  EXPECT_TRUE(store.HasBlob(want));
  EXPECT_EQ(store.BlobPath(want), dir.Join("blobs/sha256-" + want.hex()));
  EXPECT_EQ(*store.ReadBlob(want), "hello");
  struct stat st {};
  ASSERT_EQ(::stat(store.BlobPath(want).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);

  // Same content again: kept, reported as existing.
  Result<BlobWriteResult> again = store.WriteBlob("hello");
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->existed);

  // A wrong expected digest stores nothing.
  std::set<std::string> before = Tree(dir.path());
  Result<BlobWriteResult> bad = store.WriteBlob("other", want);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "digest mismatch, expected \"" + want.String() + "\", got \"" +
                                        Digest::Of("other").String() + "\"");
  EXPECT_EQ(Tree(dir.path()), before);
  EXPECT_FALSE(store.HasBlob(Digest::Of("other")));
}

TEST(StoreTest, StreamsBlobsFromFilesAndReaders) {
  testing::TempDir dir;
  Store store = *Store::Open(dir.Join("models"));
  std::string big(3 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7 + 3);
  ASSERT_TRUE(WriteFileAtomic(dir.Join("big.bin"), big).ok());
  Result<BlobWriteResult> w = store.WriteBlobFromFile(dir.Join("big.bin"));
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->digest, Digest::Of(big));
  EXPECT_EQ(w->size, static_cast<int64_t>(big.size()));
  EXPECT_TRUE(fs::exists(dir.Join("big.bin")));  // copied, not moved

  EXPECT_EQ(store.WriteBlobFromFile(dir.Join("missing")).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store.WriteBlobFromFile(dir.path()).status().code(), StatusCode::kInvalidArgument);

  // A failing reader leaves nothing behind.
  std::set<std::string> before = Tree(dir.Join("models"));
  int calls = 0;
  Result<BlobWriteResult> failed =
      store.WriteBlobFromReader([&](char* buf, size_t) -> Result<size_t> {
        if (++calls > 2) return Status::IoError("connection reset");
        buf[0] = 'x';
        return size_t{1};
      });
  EXPECT_EQ(failed.status().message(), "connection reset");
  EXPECT_EQ(Tree(dir.Join("models")), before);
}

TEST(StoreTest, ReplacesAnExistingBlobOfTheWrongSize) {
  testing::TempDir dir;
  Store store = *Store::Open(dir.path());
  Digest d = Digest::Of("content");
  ASSERT_TRUE(WriteFileAtomic(store.BlobPath(d), "truncated").ok());
  EXPECT_EQ(store.ReadBlob(d).status().code(), StatusCode::kCorrupt);
  Result<BlobWriteResult> w = store.WriteBlob("content");
  ASSERT_TRUE(w.ok());
  EXPECT_FALSE(w->existed);
  EXPECT_EQ(*store.ReadBlob(d), "content");
}

TEST(StoreTest, WritesReadsAndListsManifests) {
  testing::TempDir dir;
  Store store = *Store::Open(dir.path());
  Manifest m = MakeModel(store, {"weights-1", "template"});
  Result<Digest> digest = store.WriteManifest(Name("llama3.2"), m);
  ASSERT_TRUE(digest.ok()) << digest.status().ToString();
  std::string path = dir.Join("manifests/registry.ollama.ai/library/llama3.2/latest");
  ASSERT_TRUE(fs::is_regular_file(path));
  EXPECT_EQ(*ReadFile(path), EncodeManifest(m));
  EXPECT_EQ(*digest, Digest::Of(EncodeManifest(m)));

  Result<StoredManifest> read = store.ReadManifest(Name("llama3.2:latest"));
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->manifest, m);
  EXPECT_EQ(read->digest, *digest);
  EXPECT_EQ(read->raw, EncodeManifest(m));

  // Pulled manifests are stored byte for byte.
  std::string pulled = "{ \"schemaVersion\": 2, \"config\": " + std::string("{\"digest\":\"") +
                       m.config.digest.String() +
                       "\",\"size\":1,\"mediaType\":\"c\"}, \"layers\": [] }";
  Result<Digest> pd = store.WriteManifestBytes(Name("host:5000/team/m:v1"), pulled);
  ASSERT_TRUE(pd.ok()) << pd.status().ToString();
  EXPECT_EQ(*ReadFile(dir.Join("manifests/host:5000/team/m/v1")), pulled);
  EXPECT_EQ(store.WriteManifestBytes(Name("x"), "{not json").status().code(), StatusCode::kCorrupt);
  EXPECT_FALSE(fs::exists(dir.Join("manifests/registry.ollama.ai/library/x")));

  std::vector<std::string> warnings;
  Result<std::vector<ModelEntry>> list = store.ListModels(&warnings);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_TRUE(warnings.empty());
  std::set<std::string> names;
  for (const ModelEntry& e : *list) {
    names.insert(e.name.DisplayShortest());
    if (e.name.model() == "llama3.2") {
      EXPECT_EQ(e.digest, *digest);
      EXPECT_EQ(e.size, m.TotalSize());
    } else {
      EXPECT_EQ(e.size, 1);
    }
  }
  EXPECT_EQ(names, (std::set<std::string>{"llama3.2:latest", "host:5000/team/m:v1"}));

  EXPECT_EQ(store.ReadManifest(Name("missing")).status().message(),
            "model \"missing:latest\" not found");
}

TEST(StoreTest, ListSkipsCorruptAndStrayFilesAndSortsByTime) {
  testing::TempDir dir;
  Store store = *Store::Open(dir.path());
  Manifest m = MakeModel(store, {"w"});
  ASSERT_TRUE(store.WriteManifest(Name("old"), m).ok());
  ASSERT_TRUE(store.WriteManifest(Name("new"), m).ok());
  std::string old_path = store.ManifestPath(Name("old"));
  struct timespec times[2] = {{1000, 0}, {1000, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, old_path.c_str(), times, 0), 0);
  fs::create_directories(dir.Join("manifests/h/n/bad"));
  std::ofstream(dir.Join("manifests/h/n/bad/latest")) << "garbage";
  std::ofstream(dir.Join("manifests/h/n/bad/.tmp-1-2-3")) << "partial";
  std::ofstream(dir.Join("manifests/stray-file")) << "x";
  fs::create_directories(dir.Join("manifests/h/n.x/m"));
  std::ofstream(dir.Join("manifests/h/n.x/m/t")) << EncodeManifest(m);

  std::vector<std::string> warnings;
  Result<std::vector<ModelEntry>> list = store.ListModels(&warnings);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name.model(), "new");
  EXPECT_EQ((*list)[1].name.model(), "old");
  EXPECT_EQ(warnings.size(), 2u);  // the corrupt manifest and the invalid name
}

TEST(StoreTest, ResolvesNamesCaseInsensitively) {
  testing::TempDir dir;
  Store store = *Store::Open(dir.path());
  Manifest m = MakeModel(store, {"w"});
  ASSERT_TRUE(store.WriteManifest(Name("MyModel:Q4"), m).ok());
  // Re-creating, reading, copying and deleting with other casings all hit the one manifest.
  ASSERT_TRUE(store.WriteManifest(Name("mymodel:q4"), m).ok());
  ASSERT_TRUE(store.WriteManifest(Name("REGISTRY.OLLAMA.AI/LIBRARY/MYMODEL:Q4"), m).ok());
  ASSERT_TRUE(store.Copy(Name("MYMODEL:q4"), Name("mYmOdEl:Q4")).ok());
  EXPECT_EQ(store.ListModels()->size(), 1u);
  EXPECT_TRUE(fs::exists(dir.Join("manifests/registry.ollama.ai/library/MyModel/Q4")));
  Result<StoredManifest> read = store.ReadManifest(Name("mymodel:Q4"));
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->name.String(), "registry.ollama.ai/library/MyModel:Q4");
  EXPECT_EQ(store.ResolveCase(Name("mymodel:other")).String(),
            "registry.ollama.ai/library/MyModel:other");
  EXPECT_EQ(store.ResolveCase(Name("ns2/m")).String(), "registry.ollama.ai/ns2/m:latest");
  ASSERT_TRUE(store.Delete(Name("MYMODEL:q4")).ok());
  EXPECT_TRUE(store.ListModels()->empty());
}

TEST(StoreTest, CopiesManifestsByteForByte) {
  testing::TempDir dir;
  Store store = *Store::Open(dir.path());
  Manifest m = MakeModel(store, {"w"});
  ASSERT_TRUE(store.WriteManifest(Name("src"), m).ok());
  ASSERT_TRUE(store.Copy(Name("src"), Name("team/dst:v2")).ok());
  EXPECT_EQ(store.ReadManifest(Name("team/dst:v2"))->digest,
            store.ReadManifest(Name("src"))->digest);
  ASSERT_TRUE(store.Copy(Name("src"), Name("src:latest")).ok());  // onto itself: no-op
  Result<StoredManifest> again = store.ReadManifest(Name("src"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(store.ListModels()->size(), 2u);
  Status missing = store.Copy(Name("nope"), Name("x"));
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.message(), "model \"nope:latest\" not found");
}

TEST(StoreTest, HostileNamesNeverReachTheDisk) {
  testing::TempDir dir;
  Store store = *Store::Open(dir.Join("models"));
  std::set<std::string> before = Tree(dir.path());
  for (const std::string& bad :
       {std::string("../x"), std::string("a/../../b"), std::string("/etc/passwd"),
        std::string("..\\..\\x"), std::string("m\0x", 3), std::string("ns/.."), std::string("m:.."),
        std::string("../../../../tmp/pwn:latest"), std::string("h/n/m/../../t")}) {
    EXPECT_FALSE(ModelName::Parse(bad).ok()) << bad;
  }
  for (const std::string& bad :
       {std::string("sha256:../../../tmp/pwn"), "sha256:" + std::string(63, 'a'),
        "sha256:" + std::string(64, 'A'), "sha256:" + std::string(65, 'a')}) {
    EXPECT_FALSE(Digest::Parse(bad).ok()) << bad;
  }
  // A manifest naming a traversal digest is rejected before anything is written.
  std::string evil =
      R"({"schemaVersion":2,"config":{"digest":"sha256:../../../tmp/pwn","size":1},"layers":[]})";
  EXPECT_EQ(store.WriteManifestBytes(Name("evil"), evil).status().code(), StatusCode::kCorrupt);
  EXPECT_EQ(Tree(dir.path()), before);
}

TEST(StoreTest, DefaultModelsDirHonoursTheEnvironment) {
  const char* saved_models = std::getenv("OLLAMA_MODELS");
  std::string saved = saved_models ? saved_models : "";
  ::setenv("OLLAMA_MODELS", "  \"/data/models\"  ", 1);
  EXPECT_EQ(*DefaultModelsDir(), "/data/models");
  ::setenv("OLLAMA_MODELS", "", 1);
  ::setenv("HOME", std::getenv("HOME") ? std::getenv("HOME") : "/root", 1);
  EXPECT_EQ(*DefaultModelsDir(), std::string(std::getenv("HOME")) + "/.ollama/models");
  if (saved_models) {
    ::setenv("OLLAMA_MODELS", saved.c_str(), 1);
  } else {
    ::unsetenv("OLLAMA_MODELS");
  }
}

}  // namespace
}  // namespace olla::store
