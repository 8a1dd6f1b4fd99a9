// Crash safety: a forked child writes to the store and is SIGKILLed at a chosen point (through
// StoreOptions::fault_hook) or at a random moment; the parent then checks that the store holds
// the old or the new state and that no partial file is visible as a blob or a manifest.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <random>
#include <thread>

#include "base/file.h"
#include "base/str_cat.h"
#include "store/store.h"
#include "support/testdata.h"

namespace olla::store {
namespace {

namespace fs = std::filesystem;

ModelName Name(const std::string& s) { return *ModelName::Parse(s); }

// Forks; the child opens the store with a hook that SIGKILLs it at `kill_point` and runs `body`.
// Returns how the child ended: "killed", or "exit <code>".
std::string RunChild(const std::string& root, const std::string& kill_point,
                     const std::function<void(Store&)>& body) {
  pid_t pid = ::fork();
  if (pid == 0) {
    StoreOptions options;
    options.fault_hook = [kill_point](std::string_view point) {
      if (point == kill_point) ::kill(::getpid(), SIGKILL);
    };
    Result<Store> store = Store::Open(root, std::move(options));
    if (!store.ok()) ::_exit(2);
    body(*store);
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (WIFSIGNALED(status)) return WTERMSIG(status) == SIGKILL ? "killed" : "signal";
  return StrCat("exit ", WEXITSTATUS(status));
}

// Checks the store invariants; returns a description of the first violation, or "".
std::string CheckConsistent(const std::string& root) {
  // Every file with a blob name holds exactly the content its name promises.
  for (const auto& e : fs::directory_iterator(root + "/blobs")) {
    std::string name = e.path().filename().string();
    Result<Digest> d = Digest::FromBlobFileName(name);
    if (!d.ok()) {
      if (name.rfind(".tmp-", 0) != 0) return "unexpected file in blobs/: " + name;
      continue;
    }
    Result<std::string> data = ReadFile(e.path().string());
    if (!data.ok() || Digest::Of(*data) != *d) return "blob does not match its name: " + name;
  }
  // Every file that looks like a manifest parses and references only present blobs.
  for (auto it = fs::recursive_directory_iterator(root + "/manifests");
       it != fs::recursive_directory_iterator(); ++it) {
    if (!it->is_regular_file()) continue;
    std::string rel = fs::relative(it->path(), root + "/manifests").string();
    if (!ModelName::FromFilepath(rel).ok()) {
      if (it->path().filename().string().rfind(".tmp-", 0) != 0)
        return "stray manifest file " + rel;
      continue;
    }
    Result<std::string> raw = ReadFile(it->path().string());
    if (!raw.ok()) return "unreadable manifest " + rel;
    Result<Manifest> m = ParseManifest(*raw);
    if (!m.ok()) return "partial manifest visible: " + rel;
    for (const Digest& d : m->ReferencedDigests()) {
      if (!fs::exists(root + "/blobs/" + d.BlobFileName())) return "dangling layer in " + rel;
    }
  }
  return "";
}

struct Versions {
  std::string v1_raw, v2_raw;
  Manifest v2;
  Digest new_blob;
};

// Stores model "m" at version 1 and prepares (without writing) version 2, whose new layer is
// `new_content`.
Versions StoreV1(const std::string& root, const std::string& new_content) {
  Store store = *Store::Open(root);
  Manifest v1;
  Result<BlobWriteResult> cfg = store.WriteBlob("{\"model_format\":\"gguf\"}\n");
  Result<BlobWriteResult> w1 = store.WriteBlob("weights version 1");
  v1.config = {std::string(kMediaTypeConfig), cfg->digest, cfg->size, "", ""};
  v1.layers = {{std::string(kMediaTypeModel), w1->digest, w1->size, "", ""}};
  EXPECT_TRUE(store.WriteManifest(Name("m"), v1).ok());
  Versions v;
  v.v1_raw = EncodeManifest(v1);
  v.new_blob = Digest::Of(new_content);
  v.v2 = v1;
  v.v2.layers[0].digest = v.new_blob;
  v.v2.layers[0].size = static_cast<int64_t>(new_content.size());
  v.v2_raw = EncodeManifest(v.v2);
  return v;
}

TEST(CrashTest, KillAtEachWriteStepLeavesOldOrNewState) {
  const struct {
    std::string point;
    bool want_new_manifest;
    bool want_new_blob;
  } cases[] = {
      {"blob.partial", false, false},          {"blob.before_rename", false, false},
      {"blob.after_rename", false, true},      {"manifest.partial", false, true},
      {"manifest.before_rename", false, true}, {"manifest.after_rename", true, true},
  };
  const std::string new_content(3 << 20, 'n');  // several write chunks
  for (const auto& c : cases) {
    testing::TempDir dir;
    Versions v = StoreV1(dir.path(), new_content);
    std::string how = RunChild(dir.path(), c.point, [&](Store& store) {
      if (!store.WriteBlob(new_content).ok()) ::_exit(3);
      if (!store.WriteManifest(Name("m"), v.v2).ok()) ::_exit(4);
    });
    ASSERT_EQ(how, "killed") << c.point;

    EXPECT_EQ(CheckConsistent(dir.path()), "") << c.point;
    Store store = *Store::Open(dir.path());
    Result<StoredManifest> m = store.ReadManifest(Name("m"));
    ASSERT_TRUE(m.ok()) << c.point << ": " << m.status().ToString();
    EXPECT_EQ(m->raw, c.want_new_manifest ? v.v2_raw : v.v1_raw) << c.point;
    EXPECT_EQ(store.HasBlob(v.new_blob), c.want_new_blob) << c.point;
    EXPECT_EQ(store.ListModels()->size(), 1u) << c.point;

    // Pruning clears whatever the crash left behind and keeps the model intact.
    ASSERT_TRUE(store.Prune({.grace = std::chrono::seconds(0)}).ok());
    for (const auto& e : fs::recursive_directory_iterator(dir.path())) {
      EXPECT_NE(e.path().filename().string().rfind(".tmp-", 0), 0u) << e.path();
    }
    EXPECT_TRUE(store.ReadManifest(Name("m")).ok()) << c.point;
    EXPECT_EQ(CheckConsistent(dir.path()), "") << c.point;
  }
}

TEST(CrashTest, KillDuringCopyLeavesSourceIntactAndDestinationAbsentOrWhole) {
  for (const std::string point : {"manifest.partial", "manifest.before_rename"}) {
    testing::TempDir dir;
    Versions v = StoreV1(dir.path(), "unused");
    ASSERT_EQ(RunChild(dir.path(), point,
                       [](Store& store) { (void)store.Copy(Name("m"), Name("copy")); }),
              "killed");
    Store store = *Store::Open(dir.path());
    EXPECT_EQ(store.ReadManifest(Name("m"))->raw, v.v1_raw);
    EXPECT_EQ(store.ReadManifest(Name("copy")).status().code(), StatusCode::kNotFound) << point;
    EXPECT_EQ(CheckConsistent(dir.path()), "");
  }
}

TEST(CrashTest, RandomKillsDuringRepeatedWritesNeverCorruptTheStore) {
  std::mt19937 rng(7);
  for (int round = 0; round < 12; ++round) {
    testing::TempDir dir;
    StoreV1(dir.path(), "unused");
    pid_t pid = ::fork();
    if (pid == 0) {
      Result<Store> store = Store::Open(dir.path());
      if (!store.ok()) ::_exit(2);
      for (int i = 0;; ++i) {
        std::string content = StrCat("weights ", i, std::string(4096 * (i % 7), 'x'));
        Result<BlobWriteResult> b = store->WriteBlob(content);
        Result<StoredManifest> cur = store->ReadManifest(Name("m"));
        if (!b.ok() || !cur.ok()) ::_exit(3);
        Manifest next = cur->manifest;
        next.layers[0] = {std::string(kMediaTypeModel), b->digest, b->size, "", ""};
        if (!store->WriteManifest(Name(i % 2 ? "m" : "other"), next).ok()) ::_exit(4);
      }
    }
    std::this_thread::sleep_for(std::chrono::microseconds(500 + rng() % 20000));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited early with " << WEXITSTATUS(status);
    EXPECT_EQ(CheckConsistent(dir.path()), "") << "round " << round;
    Store store = *Store::Open(dir.path());
    EXPECT_TRUE(store.ReadManifest(Name("m")).ok()) << "round " << round;
  }
}

}  // namespace
}  // namespace olla::store
