#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "store/store.h"
#include "support/testdata.h"

namespace olla::store {
namespace {

namespace fs = std::filesystem;

ModelName Name(const std::string& s) { return *ModelName::Parse(s); }

Layer LayerOf(Store& store, const std::string& content, std::string_view media_type) {
  Result<BlobWriteResult> b = store.WriteBlob(content);
  EXPECT_TRUE(b.ok());
  return {std::string(media_type), b->digest, b->size, "", ""};
}

Manifest Model(Store& store, const std::string& config, const std::vector<std::string>& layers) {
  Manifest m;
  m.config = LayerOf(store, config, kMediaTypeConfig);
  for (const std::string& l : layers) m.layers.push_back(LayerOf(store, l, kMediaTypeModel));
  return m;
}

void MakeOld(const std::string& path) {
  struct timespec times[2] = {{1000, 0}, {1000, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0) << path;
}

// Sets the modification time to `age` ago.
void SetAge(const std::string& path, std::chrono::seconds age) {
  const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() - age);
  struct timespec times[2] = {{t, 0}, {t, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0) << path;
}

TEST(StoreGcTest, DeleteRemovesOnlyUnsharedBlobs) {
  testing::TempDir dir;
  Store store = *Store::Open(dir.path());
  Manifest a = Model(store, "cfg-a", {"shared-weights", "only-a"});
  Manifest b = Model(store, "cfg-b", {"shared-weights", "only-b"});
  ASSERT_TRUE(store.WriteManifest(Name("team/a"), a).ok());
  ASSERT_TRUE(store.WriteManifest(Name("b"), b).ok());

  Result<PruneReport> r = store.Delete(Name("team/a"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->skipped);
  EXPECT_EQ(r->removed_blobs, 2);  // cfg-a and only-a
  EXPECT_FALSE(store.HasBlob(Digest::Of("cfg-a")));
  EXPECT_FALSE(store.HasBlob(Digest::Of("only-a")));
  EXPECT_TRUE(store.HasBlob(Digest::Of("shared-weights")));
  EXPECT_TRUE(store.HasBlob(Digest::Of("only-b")));
  EXPECT_FALSE(fs::exists(dir.Join("manifests/registry.ollama.ai/team")));  // empty dirs pruned
  EXPECT_TRUE(fs::exists(dir.Join("manifests/registry.ollama.ai/library/b/latest")));

  Result<PruneReport> missing = store.Delete(Name("team/a"));
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("not found"), std::string::npos);
}

TEST(StoreGcTest, DeleteHonoursNoprune) {
  testing::TempDir dir;
  Store store = *Store::Open(dir.path());
  Manifest a = Model(store, "cfg", {"w"});
  ASSERT_TRUE(store.WriteManifest(Name("a"), a).ok());
  Result<PruneReport> r = store.Delete(Name("a"), /*noprune=*/true);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->skipped);
  EXPECT_TRUE(store.HasBlob(Digest::Of("w")));
  EXPECT_FALSE(store.ReadManifest(Name("a")).ok());
}

TEST(StoreGcTest, NothingIsPrunedWhileAnyManifestIsCorrupt) {
  testing::TempDir dir;
  Store store = *Store::Open(dir.path());
  Manifest a = Model(store, "cfg", {"weights-a"});
  ASSERT_TRUE(store.WriteManifest(Name("a"), a).ok());
  fs::create_directories(dir.Join("manifests/registry.ollama.ai/library/broken"));
  std::ofstream(dir.Join("manifests/registry.ollama.ai/library/broken/latest")) << "{\"layers\":";

  Result<PruneReport> r = store.Delete(Name("a"));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->skipped);
  EXPECT_EQ(r->corrupt_manifests,
            std::vector<std::string>{"registry.ollama.ai/library/broken/latest"});
  EXPECT_TRUE(store.HasBlob(Digest::Of("weights-a")));  // kept: we cannot know who uses it

  // Startup pruning is skipped too, with Ollama's warning.
  MakeOld(store.BlobPath(Digest::Of("weights-a")));
  Result<PruneReport> p = store.Prune();
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->skipped);
  ASSERT_FALSE(p->warnings.empty());
  EXPECT_EQ(p->warnings.back(),
            "corrupt manifests detected, skipping prune operation.  Re-pull or delete to clear");
  EXPECT_TRUE(store.HasBlob(Digest::Of("weights-a")));

  // The corrupt manifest itself can be deleted; its blobs are left for a later prune.
  Result<PruneReport> d = store.Delete(Name("broken"));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_FALSE(d->warnings.empty());
  EXPECT_FALSE(fs::exists(dir.Join("manifests/registry.ollama.ai/library/broken")));
}

TEST(StoreGcTest, StartupPruneRespectsReferencesAndTheGracePeriod) {
  testing::TempDir dir;
  Store store = *Store::Open(dir.path());
  Manifest a = Model(store, "cfg", {"used"});
  ASSERT_TRUE(store.WriteManifest(Name("a"), a).ok());
  Digest old_unused = store.WriteBlob("old-unused")->digest;
  Digest fresh_unused = store.WriteBlob("fresh-unused")->digest;
  std::string partial = dir.Join("blobs/sha256-" + std::string(64, 'e') + "-partial");
  std::string stray_tmp = dir.Join("blobs/.tmp-1-2-3");
  std::ofstream(partial) << "part";
  std::ofstream(stray_tmp) << "tmp";
  std::string fresh_partial = dir.Join("blobs/sha256-" + std::string(64, 'f') + "-partial");
  std::ofstream(fresh_partial) << "resuming";
  for (const Digest& d : a.ReferencedDigests()) MakeOld(store.BlobPath(d));
  MakeOld(store.BlobPath(old_unused));
  SetAge(partial, std::chrono::hours(2));  // past the grace period, not abandoned
  MakeOld(stray_tmp);
  fs::create_directories(dir.Join("manifests/h/n/m"));  // empty directories are removed
  fs::create_directories(dir.Join("manifests/registry.ollama.ai/library/a/.stale"));
  std::string stale_manifest_tmp = dir.Join("manifests/registry.ollama.ai/library/a/.tmp-9-9-9");
  std::ofstream(stale_manifest_tmp) << "{";
  MakeOld(stale_manifest_tmp);

  Result<PruneReport> r = store.Prune();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->skipped);
  EXPECT_EQ(r->total_blobs, 7);
  EXPECT_EQ(r->removed_blobs, 2);  // old-unused, the old temp file; partial downloads stay
  for (const Digest& d : a.ReferencedDigests()) EXPECT_TRUE(store.HasBlob(d));
  EXPECT_FALSE(store.HasBlob(old_unused));
  EXPECT_TRUE(store.HasBlob(fresh_unused));
  EXPECT_TRUE(fs::exists(partial));  // an interrupted pull resumes after a restart
  EXPECT_FALSE(fs::exists(stray_tmp));
  EXPECT_TRUE(fs::exists(fresh_partial));
  EXPECT_FALSE(fs::exists(dir.Join("manifests/h")));
  EXPECT_FALSE(fs::exists(stale_manifest_tmp));
  EXPECT_FALSE(fs::exists(dir.Join("manifests/registry.ollama.ai/library/a/.stale")));
  EXPECT_TRUE(store.ReadManifest(Name("a")).ok());
  EXPECT_EQ(r->warnings[r->warnings.size() - 2], "total blobs: 7");
  EXPECT_EQ(r->warnings.back(), "total unused blobs removed: 2");

  // OLLAMA_NOPRUNE.
  MakeOld(store.BlobPath(fresh_unused));
  Result<PruneReport> off = store.Prune({.noprune = true});
  ASSERT_TRUE(off.ok());
  EXPECT_TRUE(off->skipped);
  EXPECT_TRUE(store.HasBlob(fresh_unused));
  // A zero grace period prunes everything unreferenced, but never a resumable download.
  Result<PruneReport> now = store.Prune({.grace = std::chrono::seconds(0)});
  ASSERT_TRUE(now.ok());
  EXPECT_FALSE(store.HasBlob(fresh_unused));
  EXPECT_TRUE(fs::exists(fresh_partial));
}

// Temp files of a crashed writer (its pid no longer runs) go at startup however fresh they are;
// fresh ones of a live process (this one) stay for the grace period (issue #17).
TEST(StoreGcTest, FreshTempFilesOfDeadProcessesAreRemoved) {
  testing::TempDir dir;
  Store store = *Store::Open(dir.path());
  const pid_t child = ::fork();
  if (child == 0) std::_Exit(0);
  ASSERT_GT(child, 0);
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);
  const std::string dead = ".tmp-" + std::to_string(child) + "-0-7";
  const std::string live = ".tmp-" + std::to_string(::getpid()) + "-0-7";
  fs::create_directories(dir.Join("manifests/registry.ollama.ai/library/a"));
  for (const std::string& where :
       {std::string("blobs/"), std::string("manifests/registry.ollama.ai/library/a/")}) {
    std::ofstream(dir.Join(where + dead)) << "crashed";
    std::ofstream(dir.Join(where + live)) << "writing";
  }
  Result<PruneReport> r = store.Prune();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(fs::exists(dir.Join("blobs/" + dead)));
  EXPECT_FALSE(fs::exists(dir.Join("manifests/registry.ollama.ai/library/a/" + dead)));
  EXPECT_TRUE(fs::exists(dir.Join("blobs/" + live)));
  EXPECT_TRUE(fs::exists(dir.Join("manifests/registry.ollama.ai/library/a/" + live)));
}

TEST(StoreGcTest, AbandonedPartialDownloadsAreRemovedTogether) {
  testing::TempDir dir;
  Store store = *Store::Open(dir.path());
  const std::string old_blob = dir.Join("blobs/sha256-" + std::string(64, 'a') + "-partial");
  const std::string mixed_blob = dir.Join("blobs/sha256-" + std::string(64, 'b') + "-partial");
  for (const std::string& f :
       {old_blob, old_blob + "-0", old_blob + "-1", mixed_blob, mixed_blob + "-0"}) {
    std::ofstream(f) << "x";
  }
  for (const std::string& f : {old_blob, old_blob + "-0", old_blob + "-1", mixed_blob}) {
    SetAge(f, std::chrono::hours(24 * 8));
  }
  SetAge(mixed_blob + "-0", std::chrono::hours(24));  // written yesterday: still resumable

  Result<PruneReport> r = store.Prune();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->removed_partials, 3);
  EXPECT_EQ(r->removed_blobs, 0);
  EXPECT_EQ(r->warnings.back(), "abandoned partial download files removed: 3");
  EXPECT_FALSE(fs::exists(old_blob));
  EXPECT_FALSE(fs::exists(old_blob + "-0"));
  EXPECT_FALSE(fs::exists(old_blob + "-1"));
  EXPECT_TRUE(fs::exists(mixed_blob));
  EXPECT_TRUE(fs::exists(mixed_blob + "-0"));

  // A shorter limit abandons the other one too.
  r = store.Prune({.partial_max_age = std::chrono::hours(12)});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->removed_partials, 2);
  EXPECT_FALSE(fs::exists(mixed_blob));
}

TEST(StoreGcTest, ReplacingAManifestPrunesItsOldLayers) {
  testing::TempDir dir;
  Store store = *Store::Open(dir.path());
  Manifest v1 = Model(store, "cfg", {"weights", "template-v1"});
  ASSERT_TRUE(store.WriteManifest(Name("m"), v1).ok());
  Manifest v2 = Model(store, "cfg", {"weights", "template-v2"});
  Manifest old = store.ReadManifest(Name("m"))->manifest;
  ASSERT_TRUE(store.WriteManifest(Name("m"), v2).ok());
  Result<PruneReport> r = store.RemoveUnreferencedBlobs(old.ReferencedDigests());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->removed_blobs, 1);
  EXPECT_FALSE(store.HasBlob(Digest::Of("template-v1")));
  EXPECT_TRUE(store.HasBlob(Digest::Of("weights")));
  EXPECT_TRUE(store.HasBlob(Digest::Of("template-v2")));
  // Missing blobs are ignored; noprune keeps everything.
  EXPECT_EQ(store.RemoveUnreferencedBlobs(old.ReferencedDigests())->removed_blobs, 0);
  EXPECT_TRUE(store.RemoveUnreferencedBlobs(v2.ReferencedDigests(), true)->skipped);
}

TEST(StoreGcTest, OversizedManifestCountsAsCorrupt) {
  testing::TempDir dir;
  Store store = *Store::Open(dir.path());
  Manifest a = Model(store, "cfg", {"w"});
  ASSERT_TRUE(store.WriteManifest(Name("a"), a).ok());
  fs::create_directories(dir.Join("manifests/h/n/huge"));
  std::string huge_path = dir.Join("manifests/h/n/huge/latest");
  std::ofstream(huge_path) << "{";
  fs::resize_file(huge_path, kMaxManifestBytes + 1);
  EXPECT_EQ(store.ReadManifest(Name("h/n/huge")).status().code(), StatusCode::kCorrupt);
  EXPECT_EQ(store.ListModels()->size(), 1u);
  Result<PruneReport> r = store.Delete(Name("a"));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->skipped);
  EXPECT_EQ(r->corrupt_manifests, std::vector<std::string>{"h/n/huge/latest"});
  EXPECT_EQ(
      store.WriteManifestBytes(Name("x"), std::string(kMaxManifestBytes + 1, ' ')).status().code(),
      StatusCode::kCorrupt);
}

}  // namespace
}  // namespace olla::store
