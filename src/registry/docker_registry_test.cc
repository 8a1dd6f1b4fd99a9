// Push and pull against Debian's docker-registry (Docker distribution 2.8, the `registry:2`
// of §7.5) on 127.0.0.1, over plain HTTP (--insecure), started and stopped by each test.
// Skipped when /usr/bin/docker-registry is not installed (scripts/setup.sh installs it).

#include "registry/testing/docker_registry.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "base/file.h"
#include "base/str_cat.h"
#include "registry/download.h"
#include "registry/pull.h"
#include "registry/push.h"
#include "registry/testing/tcp_proxy.h"
#include "support/server_fixture.h"
#include "support/testdata.h"

namespace olla::registry {
namespace {

namespace fs = std::filesystem;
using testing::DockerRegistry;
using testing::TcpProxy;

std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(rng() & 0xff);
  return out;
}

class DockerRegistryTest : public ::testing::Test {
 protected:
  static constexpr int64_t kBigSize = 8 << 20;

  void SetUp() override {
    if (!DockerRegistry::Available()) GTEST_SKIP() << DockerRegistry::kBinary << " not installed";
    registry_ = std::make_unique<DockerRegistry>();
    ASSERT_TRUE(registry_->ok()) << "docker-registry did not start:\n" << registry_->Log();
    src_ = std::make_unique<store::Store>(*store::Store::Open(dir_.Join("src")));
    dst_ = std::make_unique<store::Store>(*store::Store::Open(dir_.Join("dst")));
    for (ClientOptions* c : {&pull_.client, &push_.client}) {
      c->insecure = true;
      c->retry = RetryPolicy{4, std::chrono::milliseconds(5), std::chrono::milliseconds(50)};
      c->stall_timeout = std::chrono::seconds(10);
    }
    pull_.transfer.parts = PartSizing{4, 1 << 20, 4 << 20};  // 8 MiB → 4 parts of 2 MiB
    pull_.transfer.max_parallel = 2;
    push_.transfer.parts = PartSizing{4, 1 << 20, 4 << 20};
  }

  store::ModelName Name(const std::string& repo, int port = 0) const {
    return *store::ModelName::Parse(
        StrCat("127.0.0.1:", port ? port : registry_->port(), "/", repo, ":latest"));
  }
  // A model with one big random layer and a config, in `store`.
  store::Manifest MakeBigModel(store::Store& store, const store::ModelName& name,
                               const std::string& from = "") {
    store::Manifest m;
    auto layer = store.WriteBlob(RandomBytes(kBigSize, 42));
    auto config = store.WriteBlob(R"({"model_format":"gguf","model_family":"llama"})");
    m.layers.push_back({std::string(store::kMediaTypeModel), layer->digest, layer->size, from, ""});
    m.config = {std::string(store::kMediaTypeConfig), config->digest, config->size, "", ""};
    EXPECT_TRUE(store.WriteManifest(name, m).ok());
    return m;
  }
  Status DoPull(store::Store& store, const store::ModelName& name, std::stop_token stop = {}) {
    events_.clear();
    return Pull(
        store, downloads_, name, pull_, [&](const Progress& p) { events_.push_back(p); }, stop);
  }
  Status DoPush(const store::ModelName& name) {
    events_.clear();
    return Push(*src_, name, push_, [&](const Progress& p) { events_.push_back(p); });
  }
  std::vector<std::string> Statuses() const {
    std::vector<std::string> out;
    for (const auto& e : events_) {
      if (out.empty() || out.back() != e.status) out.push_back(e.status);
    }
    return out;
  }
  // Σ Completed over the part-state files of `digest` in `store`.
  int64_t PartialBytes(const store::Store& store, const store::Digest& digest) const {
    int64_t sum = 0;
    for (int i = 0;; ++i) {
      Result<std::string> text = ReadFile(StrCat(PartialPath(store, digest), "-", i));
      if (!text.ok()) break;
      sum += ParsePartState(*text)->completed;
    }
    return sum;
  }

  olla::testing::TempDir dir_;
  std::unique_ptr<DockerRegistry> registry_;
  std::unique_ptr<store::Store> src_, dst_;
  Downloads downloads_;
  PullOptions pull_;
  PushOptions push_;
  std::vector<Progress> events_;
};

TEST_F(DockerRegistryTest, PushThenPullBackGivesIdenticalBlobs) {
  store::ModelName name = Name("ns/stories");
  olla::testing::InstallModel(dir_.Join("src"), name.String(),
                              olla::testing::TestdataPath("models/stories260K.gguf"),
                              "{{ .Prompt }}", R"({"temperature":0.5})");
  auto original = src_->ReadManifest(name);
  ASSERT_TRUE(original.ok());

  Status s = DoPush(name);
  ASSERT_TRUE(s.ok()) << s.ToString() << "\n" << registry_->Log();
  std::vector<std::string> want = {"retrieving manifest"};
  for (const auto& l : original->manifest.layers)
    want.push_back("pushing " + l.digest.hex().substr(0, 12));
  want.push_back("pushing " + original->manifest.config.digest.hex().substr(0, 12));
  want.push_back("pushing manifest");
  want.push_back("success");
  EXPECT_EQ(Statuses(), want);

  // A second push finds every blob present (HEAD) and only re-PUTs the manifest.
  ASSERT_TRUE(DoPush(name).ok());
  for (const auto& e : events_) {
    if (!e.digest.empty()) {
      EXPECT_EQ(e.completed, e.total);
    }
  }

  // Delete locally, pull back: the same blobs, verified.
  ASSERT_TRUE(src_->Delete(name).ok());
  ASSERT_FALSE(src_->HasBlob(original->manifest.layers[0].digest));
  s = DoPull(*src_, name);
  ASSERT_TRUE(s.ok()) << s.ToString();
  auto pulled = src_->ReadManifest(name);
  ASSERT_TRUE(pulled.ok()) << pulled.status().ToString();
  EXPECT_EQ(pulled->manifest.config, original->manifest.config);
  EXPECT_EQ(pulled->manifest.layers, original->manifest.layers);
  for (const store::Digest& d : pulled->manifest.ReferencedDigests()) {
    EXPECT_TRUE(src_->ReadBlob(d).ok()) << d.String();
  }
  // The stored manifest is the registry's bytes: Ollama's compact form without a newline.
  EXPECT_EQ(pulled->raw + "\n", store::EncodeManifest(original->manifest));
  EXPECT_EQ(Statuses().front(), "pulling manifest");
  EXPECT_EQ(Statuses().back(), "success");

  // And into an empty store.
  ASSERT_TRUE(DoPull(*dst_, name).ok());
  EXPECT_EQ(dst_->ReadManifest(name)->raw, pulled->raw);
}

TEST_F(DockerRegistryTest, MissingModelIsOllamasError) {
  EXPECT_EQ(DoPull(*dst_, Name("ns/nothing")).message(),
            "pull model manifest: file does not exist");
}

TEST_F(DockerRegistryTest, InterruptedPullResumesWithTheRemainder) {
  store::Manifest m = MakeBigModel(*src_, Name("ns/big"));
  ASSERT_TRUE(DoPush(Name("ns/big")).ok());

  TcpProxy proxy(registry_->port());
  store::ModelName via_proxy = Name("ns/big", proxy.port());
  const store::Digest digest = m.layers[0].digest;
  pull_.client.retry.max_attempts = 1;  // the first cut ends the pull
  proxy.CutAfter(3 << 20);
  Status s = DoPull(*dst_, via_proxy);
  ASSERT_FALSE(s.ok());
  EXPECT_FALSE(dst_->HasBlob(digest));
  const int64_t have = PartialBytes(*dst_, digest);
  EXPECT_GT(have, 1 << 20) << s.ToString();
  EXPECT_LT(have, kBigSize);

  // A restart's prune keeps the partial download.
  ASSERT_TRUE(dst_->Prune({.grace = std::chrono::seconds(0)}).ok());
  EXPECT_EQ(PartialBytes(*dst_, digest), have);

  proxy.Heal();
  proxy.ResetCount();
  pull_.client.retry.max_attempts = 4;
  s = DoPull(*dst_, via_proxy);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(dst_->ReadBlob(digest).ok());
  const int64_t remainder = kBigSize - have;
  EXPECT_GE(proxy.downstream_bytes(), remainder);
  EXPECT_LT(proxy.downstream_bytes(), remainder + (64 << 10)) << "only the remainder is fetched";
  EXPECT_EQ(PartialBytes(*dst_, digest), 0);  // state files are gone
}

TEST_F(DockerRegistryTest, DroppedConnectionsResumeWithinOnePull) {
  store::Manifest m = MakeBigModel(*src_, Name("ns/big"));
  ASSERT_TRUE(DoPush(Name("ns/big")).ok());
  TcpProxy proxy(registry_->port());
  proxy.SetPerConnectionLimit(700 << 10);  // every connection dies after 700 KB
  pull_.client.retry.max_attempts = 6;
  Status s = DoPull(*dst_, Name("ns/big", proxy.port()));
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(dst_->ReadBlob(m.layers[0].digest).ok());
  EXPECT_LT(proxy.downstream_bytes(), kBigSize + (256 << 10)) << "no byte range fetched twice";
}

TEST_F(DockerRegistryTest, CancelledPullResumesLater) {
  store::Manifest m = MakeBigModel(*src_, Name("ns/big"));
  ASSERT_TRUE(DoPush(Name("ns/big")).ok());
  TcpProxy proxy(registry_->port());
  proxy.SetRate(4 << 20);  // 4 MB/s per connection: the pull takes about a second
  std::stop_source stop;
  events_.clear();
  Status s = Pull(
      *dst_, downloads_, Name("ns/big", proxy.port()), pull_,
      [&](const Progress& p) {
        if (p.digest == m.layers[0].digest.String() && p.completed >= (2 << 20)) {
          stop.request_stop();
        }
      },
      stop.get_token());
  EXPECT_EQ(s.code(), StatusCode::kCancelled) << s.ToString();
  const int64_t have = PartialBytes(*dst_, m.layers[0].digest);
  EXPECT_GE(have, 2 << 20);
  proxy.SetRate(0);
  proxy.ResetCount();
  ASSERT_TRUE(DoPull(*dst_, Name("ns/big", proxy.port())).ok());
  EXPECT_LT(proxy.downstream_bytes(), kBigSize - have + (64 << 10));
  EXPECT_TRUE(dst_->ReadBlob(m.layers[0].digest).ok());
}

TEST_F(DockerRegistryTest, CorruptBlobOnTheRegistryIsNotInstalled) {
  store::Manifest m = MakeBigModel(*src_, Name("ns/big"));
  ASSERT_TRUE(DoPush(Name("ns/big")).ok());
  const store::Digest digest = m.layers[0].digest;
  std::string data_path = registry_->BlobDataPath(digest.hex());
  ASSERT_TRUE(fs::exists(data_path));
  std::ofstream(data_path, std::ios::binary | std::ios::trunc) << RandomBytes(kBigSize, 43);

  Status s = DoPull(*dst_, Name("ns/big"));
  EXPECT_EQ(s.message().rfind(
                "digest mismatch, file must be downloaded again: want " + digest.String(), 0),
            0u)
      << s.ToString();
  EXPECT_FALSE(dst_->HasBlob(digest));
  EXPECT_FALSE(dst_->ReadManifest(Name("ns/big")).ok());
  for (const auto& e : fs::directory_iterator(dir_.Join("dst/blobs"))) {
    EXPECT_EQ(e.path().filename().string().find(digest.hex()), std::string::npos) << e.path();
  }
}

TEST_F(DockerRegistryTest, PushMountsBlobsFromAnotherRepository) {
  store::Manifest a = MakeBigModel(*src_, Name("ns/a"));
  ASSERT_TRUE(DoPush(Name("ns/a")).ok());
  // Model b shares a's weights, and says where they came from.
  TcpProxy proxy(registry_->port());
  store::ModelName b = Name("ns/b", proxy.port());
  MakeBigModel(*src_, b, Name("ns/a", proxy.port()).String());
  Status s = DoPush(b);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_LT(proxy.upstream_bytes(), 64 << 10) << "the weights were mounted, not uploaded";
  ASSERT_TRUE(DoPull(*dst_, Name("ns/b")).ok());
  EXPECT_TRUE(dst_->ReadBlob(a.layers[0].digest).ok());
}

}  // namespace
}  // namespace olla::registry
