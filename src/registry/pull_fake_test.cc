// Pull against an in-process fake registry: auth, redirects, Range handling, resume, and hostile
// answers. All servers listen on 127.0.0.1 only.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "base/base64.h"
#include "base/file.h"
#include "base/sha256.h"
#include "base/str_cat.h"
#include "registry/auth.h"
#include "registry/credentials.h"
#include "registry/download.h"
#include "registry/key_auth.h"
#include "registry/pull.h"
#include "registry/testing/fake_registry.h"
#include "support/testdata.h"

namespace olla::registry {
namespace {

namespace fs = std::filesystem;
using testing::FakeRegistry;

std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(rng() & 0xff);
  return out;
}

class PullFakeTest : public ::testing::Test {
 protected:
  static constexpr int64_t kBlobSize = 3 * 1024 * 1024 + 123;

  void SetUp() override {
    store_ = std::make_unique<store::Store>(*store::Store::Open(dir_.Join("models")));
    blob_ = RandomBytes(kBlobSize, 7);
    config_ = R"({"model_format":"gguf","model_family":"llama"})";
    blob_digest_ = fake_.AddBlob(blob_);
    config_digest_ = fake_.AddBlob(config_);
    raw_manifest_ = FakeRegistry::BuildManifest(
        {"application/vnd.docker.container.image.v1+json", config_digest_,
         static_cast<int64_t>(config_.size())},
        {{"application/vnd.ollama.image.model", blob_digest_, kBlobSize}});
    fake_.SetManifest("ns/m", "latest", raw_manifest_);
    options_.client.insecure = true;
    options_.client.retry =
        RetryPolicy{3, std::chrono::milliseconds(1), std::chrono::milliseconds(5)};
    options_.client.stall_timeout = std::chrono::seconds(5);
    options_.transfer.parts = PartSizing{4, 1 << 20, 1 << 20};  // 4 parts of 1 MiB
    options_.transfer.max_parallel = 3;
  }

  store::ModelName Name(const std::string& repo = "ns/m") const {
    return *store::ModelName::Parse(StrCat(fake_.host(), "/", repo, ":latest"));
  }
  Status DoPull(const store::ModelName& name) {
    events_.clear();
    return Pull(*store_, downloads_, name, options_,
                [&](const Progress& p) { events_.push_back(p); });
  }
  Status DoPull() { return DoPull(Name()); }
  store::Digest BlobDigest() const { return *store::Digest::Parse(blob_digest_); }
  std::vector<std::string> BlobFiles() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_.Join("models/blobs"))) {
      out.push_back(e.path().filename().string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  // Ranges requested for the model blob, in order.
  std::vector<std::string> BlobRanges() const {
    std::vector<std::string> out;
    for (const auto& r : fake_.requests()) {
      if (r.path.find(blob_digest_) != std::string::npos && r.method == "GET")
        out.push_back(r.range);
    }
    return out;
  }
  void ExpectPulled() {
    EXPECT_EQ(*store_->ReadBlob(BlobDigest()), blob_);
    auto m = store_->ReadManifest(Name());
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    EXPECT_EQ(m->raw, raw_manifest_);  // byte-for-byte as served
    for (const std::string& f : BlobFiles()) EXPECT_EQ(f.find("partial"), std::string::npos) << f;
  }

  olla::testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  FakeRegistry fake_;
  Downloads downloads_;
  PullOptions options_;
  std::vector<Progress> events_;
  std::string blob_, config_, blob_digest_, config_digest_, raw_manifest_;
};

TEST_F(PullFakeTest, PullsFromARegistryThatServesBlobsDirectly) {
  ASSERT_TRUE(DoPull().ok());
  ExpectPulled();
  ASSERT_GE(events_.size(), 6u);
  EXPECT_EQ(events_.front().status, "pulling manifest");
  EXPECT_EQ(events_.back().status, "success");
  std::vector<std::string> statuses;
  for (const auto& e : events_) {
    if (e.digest.empty()) statuses.push_back(e.status);
  }
  EXPECT_EQ(statuses, (std::vector<std::string>{"pulling manifest", "verifying sha256 digest",
                                                "writing manifest", "success"}));
  const Progress* last_blob_event = nullptr;
  for (const auto& e : events_) {
    if (e.digest == blob_digest_) {
      EXPECT_EQ(e.status, "pulling " + blob_digest_.substr(7, 12));
      EXPECT_EQ(e.total, kBlobSize);
      if (last_blob_event) {
        EXPECT_GE(e.completed, last_blob_event->completed);  // monotonic
      }
      last_blob_event = &e;
    }
  }
  ASSERT_NE(last_blob_event, nullptr);
  EXPECT_EQ(last_blob_event->completed, kBlobSize);
  EXPECT_EQ(BlobRanges().size(), 4u);  // one request per part

  // Up to date: one full event per layer, nothing fetched again.
  size_t before = fake_.requests().size();
  ASSERT_TRUE(DoPull().ok());
  EXPECT_EQ(fake_.requests().size(), before + 1);  // the manifest only
  for (const auto& e : events_) {
    if (!e.digest.empty()) {
      EXPECT_EQ(e.completed, e.total);
    }
  }
}

TEST_F(PullFakeTest, MissingModelIsOllamasError) {
  Status s = DoPull(Name("ns/absent"));
  EXPECT_EQ(s.message(), "pull model manifest: file does not exist");
  ASSERT_EQ(events_.size(), 1u);
  EXPECT_EQ(events_[0].status, "pulling manifest");
}

TEST_F(PullFakeTest, HttpNamesNeedInsecure) {
  options_.client.insecure = false;
  auto name = store::ModelName::Parse(StrCat("http://", fake_.host(), "/ns/m"));
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(DoPull(*name).message(), "insecure protocol http");
  options_.client.insecure = true;
  EXPECT_TRUE(DoPull(*name).ok());
}

TEST_F(PullFakeTest, BearerTokenFlow) {
  fake_.behavior().require_token = "t0k";
  ASSERT_TRUE(DoPull().ok());
  ExpectPulled();
  auto queries = fake_.token_queries();
  ASSERT_EQ(queries.size(), 1u);  // one token for the whole pull
  EXPECT_NE(queries[0].find("scope=repository:ns/m:pull"), std::string::npos) << queries[0];
  EXPECT_NE(queries[0].find("service=fake"), std::string::npos) << queries[0];
  int with_token = 0;
  for (const auto& r : fake_.requests()) with_token += r.authorization == "Bearer t0k";
  EXPECT_GE(with_token, 6);  // manifest, 4 parts, config
}

TEST_F(PullFakeTest, WrongTokenIsUnauthorized) {
  fake_.behavior().require_token = "t0k";
  fake_.behavior().issue_token = "nope";
  EXPECT_EQ(DoPull().message(), "pull model manifest: unauthorized: access denied");
}

TEST_F(PullFakeTest, BasicCredentialsFromADockerConfig) {
  fake_.behavior().require_basic = BasicAuthorization("alice", "s3cret");
  EXPECT_EQ(DoPull().message(), "pull model manifest: unauthorized: access denied");
  std::string config = dir_.Join("config.json");
  std::ofstream(config) << R"({"auths":{")" << fake_.host() << R"(":{"auth":")"
                        << Base64Encode("alice:s3cret") << R"("}}})";
  options_.client.credentials = CredentialsFromFile(config);
  Status s = DoPull();
  ASSERT_TRUE(s.ok()) << s.ToString();
  ExpectPulled();
}

TEST_F(PullFakeTest, TokenServerGetsCredentialsOfItsOwnHostOnly) {
  fake_.behavior().require_token = "t0k";
  fake_.behavior().require_basic = BasicAuthorization("alice", "s3cret");
  options_.client.credentials = [](std::string_view) {
    return std::optional<Credentials>(Credentials{"alice", "s3cret"});
  };
  ASSERT_TRUE(DoPull().ok());
  ExpectPulled();

  // A token realm elsewhere, even trusted, never receives them.
  FakeRegistry other;
  other.behavior().require_token = "t0k";
  fake_.behavior().require_basic.clear();
  fake_.behavior().realm = other.url() + "/token";
  options_.client.trust_foreign_realm = true;
  ASSERT_TRUE(store_->Delete(Name()).ok());
  ASSERT_TRUE(DoPull().ok());
  for (const auto& r : other.requests()) EXPECT_EQ(r.authorization, "") << r.path;
  EXPECT_EQ(other.token_queries().size(), 1u);
}

TEST_F(PullFakeTest, TokenRealmOnAnotherHostIsRefused) {
  FakeRegistry other;
  fake_.behavior().require_token = "t0k";
  fake_.behavior().realm = other.url() + "/token";
  EXPECT_EQ(DoPull().message(), StrCat("pull model manifest: realm host \"", other.host(),
                                       "\" does not match original host \"", fake_.host(), "\""));
  EXPECT_TRUE(other.token_queries().empty());  // nothing was sent there
}

// Ollama's key-signature scheme (spec §7.3) against a token endpoint that checks the signature
// with OpenSSL: the key is made as `olla serve` makes it, the client signs with it.
TEST_F(PullFakeTest, TokenRequestSignedWithTheUsersKey) {
  const std::string key_path = dir_.Join("home/.ollama/id_ed25519");
  auto made = EnsureKeyPair(key_path);
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  fake_.behavior().require_token = "t0k";
  fake_.behavior().require_signature = made->public_line.substr(12);  // the base64 field

  // Unsigned, the token endpoint refuses.
  EXPECT_EQ(DoPull().message(), "pull model manifest: 401: {\"error\":\"no signature\"}");
  ASSERT_TRUE(fake_.token_queries().empty());

  options_.client.sign = SignWithKeyFile(key_path);
  Status s = DoPull();
  ASSERT_TRUE(s.ok()) << s.ToString();
  ExpectPulled();
  auto queries = fake_.token_queries();
  ASSERT_EQ(queries.size(), 1u);
  EXPECT_NE(queries[0].find("scope=repository:ns/m:pull"), std::string::npos) << queries[0];
  EXPECT_NE(queries[0].find("service=fake"), std::string::npos) << queries[0];
  auto signed_strings = fake_.signed_strings();
  ASSERT_EQ(signed_strings.size(), 1u);
  // "GET,<token URL with sorted parameters>,<base64 of the empty body's hex sha256>".
  const std::string prefix = StrCat("GET,", fake_.url(), "/token?nonce=");
  EXPECT_EQ(signed_strings[0].rfind(prefix, 0), 0u) << signed_strings[0];
  EXPECT_NE(signed_strings[0].find("&scope=repository%3Ans%2Fm%3Apull&service=fake&ts="),
            std::string::npos)
      << signed_strings[0];
  EXPECT_EQ(signed_strings[0].substr(signed_strings[0].rfind(',') + 1),
            Base64Encode(Sha256Hex("")));
  int with_token = 0;
  for (const auto& r : fake_.requests()) with_token += r.authorization == "Bearer t0k";
  EXPECT_GE(with_token, 6);  // manifest, 4 parts, config

  // Another key is refused; a missing key file fails the pull and names the file.
  olla::testing::TempDir other;
  ASSERT_TRUE(EnsureKeyPair(other.Join("id_ed25519")).ok());
  options_.client.sign = SignWithKeyFile(other.Join("id_ed25519"));
  ASSERT_TRUE(store_->Delete(Name()).ok());
  EXPECT_EQ(DoPull().message(), "pull model manifest: 401: {\"error\":\"unknown key\"}");
  options_.client.sign = SignWithKeyFile(dir_.Join("nowhere/id_ed25519"));
  s = DoPull();
  EXPECT_NE(s.message().find(dir_.Join("nowhere/id_ed25519")), std::string::npos) << s.message();
}

TEST_F(PullFakeTest, KeySignatureIsNotSentToAnotherHost) {
  const std::string key_path = dir_.Join("id_ed25519");
  ASSERT_TRUE(EnsureKeyPair(key_path).ok());
  options_.client.sign = SignWithKeyFile(key_path);
  FakeRegistry other;
  other.behavior().require_token = "t0k";
  fake_.behavior().require_token = "t0k";
  fake_.behavior().realm = other.url() + "/token";
  options_.client.trust_foreign_realm = true;
  ASSERT_TRUE(DoPull().ok());
  ASSERT_EQ(other.token_queries().size(), 1u);
  for (const auto& r : other.requests()) EXPECT_EQ(r.authorization, "") << r.path;
  EXPECT_EQ(other.token_queries()[0].find("nonce"), std::string::npos) << other.token_queries()[0];
}

TEST_F(PullFakeTest, RedirectToAnotherHostCarriesNoCredentials) {
  FakeRegistry cdn;
  cdn.AddBlob(blob_);
  cdn.AddBlob(config_);
  fake_.behavior().require_token = "t0k";
  fake_.behavior().redirect_blobs_to = cdn.url();
  ASSERT_TRUE(DoPull().ok());
  ExpectPulled();
  auto served = cdn.requests();
  ASSERT_GE(served.size(), 5u);
  for (const auto& r : served) EXPECT_EQ(r.authorization, "") << r.path;
}

TEST_F(PullFakeTest, RegistryIgnoringRangeIsFetchedAsOneStream) {
  fake_.behavior().honor_ranges = false;
  ASSERT_TRUE(DoPull().ok());
  ExpectPulled();
}

TEST_F(PullFakeTest, TransientErrorsAreRetried) {
  fake_.behavior().fail_blob_gets = 2;
  Status s = DoPull();
  ASSERT_TRUE(s.ok()) << s.ToString();
  ExpectPulled();
}

TEST_F(PullFakeTest, BlobLargerThanItsManifestSizeIsRejected) {
  for (bool ranges : {true, false}) {
    fake_.behavior().honor_ranges = ranges;
    fake_.behavior().extra_bytes = 10;
    Status s = DoPull();
    EXPECT_FALSE(s.ok()) << ranges;
    EXPECT_NE(s.message().find("bytes"), std::string::npos) << s.message();
    EXPECT_FALSE(store_->HasBlob(BlobDigest()));
    EXPECT_FALSE(store_->ReadManifest(Name()).ok());
  }
}

TEST_F(PullFakeTest, CorruptBlobNeverBecomesVisible) {
  fake_.AddBlobAs(blob_digest_, RandomBytes(kBlobSize, 8));  // same size, other bytes
  Status s = DoPull();
  EXPECT_EQ(s.code(), StatusCode::kCorrupt);
  EXPECT_EQ(
      s.message().rfind("digest mismatch, file must be downloaded again: want " + blob_digest_, 0),
      0u)
      << s.message();
  EXPECT_FALSE(store_->HasBlob(BlobDigest()));
  EXPECT_FALSE(store_->ReadManifest(Name()).ok());
  for (const std::string& f : BlobFiles())
    EXPECT_EQ(f.find(BlobDigest().hex()), std::string::npos) << f;
}

TEST_F(PullFakeTest, HostileManifestsAreRefusedBeforeAnyFileIsNamed) {
  const std::string cfg =
      StrCat(R"({"mediaType":"application/vnd.docker.container.image.v1+json","digest":")",
             config_digest_, R"(","size":)", config_.size(), "}");
  const std::string cases[] = {
      StrCat(
          R"({"schemaVersion":2,"config":)", cfg,
          R"(,"layers":[{"mediaType":"application/vnd.ollama.image.model","digest":"sha256:../../x","size":1}]})"),
      StrCat(R"({"schemaVersion":2,"config":)", cfg,
             R"(,"layers":[{"mediaType":"../../etc","digest":")", blob_digest_, R"(","size":1}]})"),
      std::string(5 << 20, ' '),  // larger than the manifest cap
  };
  for (const std::string& raw : cases) {
    fake_.SetManifest("ns/evil", "latest", raw);
    Status s = DoPull(Name("ns/evil"));
    EXPECT_FALSE(s.ok());
    EXPECT_EQ(s.message().rfind("pull model manifest: ", 0), 0u) << s.message();
  }
  EXPECT_TRUE(BlobFiles().empty());
  std::vector<std::string> top;
  for (const auto& e : fs::directory_iterator(dir_.path())) top.push_back(e.path().filename());
  EXPECT_EQ(top, std::vector<std::string>{"models"});  // nothing written outside the store
}

TEST_F(PullFakeTest, RedirectsAreBounded) {
  fake_.behavior().redirect_raw = "file:///etc/passwd";
  EXPECT_NE(DoPull().message().find("redirect refused"), std::string::npos);
  fake_.behavior().redirect_raw = fake_.url() + "/v2/ns/m/blobs/" + blob_digest_;  // a loop
  EXPECT_NE(DoPull().message().find("redirects"), std::string::npos);
}

TEST_F(PullFakeTest, OversizedHeadersAreRefused) {
  fake_.behavior().pad_headers = 80;  // 80 KB of headers
  EXPECT_NE(DoPull().message().find("headers"), std::string::npos);
}

// Writes the partial files of an interrupted download: each part's first `have` bytes.
void WriteInterrupted(const store::Store& store, const store::Digest& digest,
                      const std::string& data, int64_t have, const std::string& corrupt_with = "") {
  std::string path = PartialPath(store, digest);
  std::string content(data.size(), '\0');
  std::vector<Part> parts =
      PlanParts(static_cast<int64_t>(data.size()), PartSizing{4, 1 << 20, 1 << 20});
  for (Part& p : parts) {
    p.completed = std::min(have, p.size);
    const std::string& src = corrupt_with.empty() ? data : corrupt_with;
    std::copy_n(src.data() + p.offset, p.completed, content.data() + p.offset);
    std::ofstream(StrCat(path, "-", p.index)) << EncodePartState(p);
  }
  std::ofstream(path, std::ios::binary) << content;
}

TEST_F(PullFakeTest, ResumesFromPartStateAndPrunePreservesIt) {
  WriteInterrupted(*store_, BlobDigest(), blob_, 300'000);
  // Startup pruning keeps them (two days old: past any grace period, not yet abandoned).
  const time_t two_days_ago = ::time(nullptr) - 2 * 24 * 3600;
  for (const std::string& f : BlobFiles()) {
    struct timeval old[2] = {{two_days_ago, 0}, {two_days_ago, 0}};
    ::utimes(dir_.Join("models/blobs/" + f).c_str(), old);
  }
  ASSERT_TRUE(store_->Prune({.grace = std::chrono::seconds(0)}).ok());
  EXPECT_EQ(BlobFiles().size(), 5u);

  ASSERT_TRUE(DoPull().ok());
  ExpectPulled();
  std::vector<std::string> ranges = BlobRanges();
  std::sort(ranges.begin(), ranges.end());
  const int64_t mib = 1 << 20;
  EXPECT_EQ(ranges, (std::vector<std::string>{StrCat("bytes=", mib + 300'000, "-", 2 * mib - 1),
                                              StrCat("bytes=", 2 * mib + 300'000, "-", 3 * mib - 1),
                                              StrCat("bytes=", 300'000, "-", mib - 1)}))
      << "only the missing bytes are requested (the 123-byte last part is complete)";
}

TEST_F(PullFakeTest, ResumedBytesThatDoNotVerifyAreFetchedAgain) {
  WriteInterrupted(*store_, BlobDigest(), blob_, 500'000, RandomBytes(kBlobSize, 9));
  ASSERT_TRUE(DoPull().ok());
  ExpectPulled();
  EXPECT_EQ(BlobRanges().size(), 7u);  // 3 resumed parts (the last was complete), then all 4
}

TEST_F(PullFakeTest, UnusableStateStartsOver) {
  WriteInterrupted(*store_, BlobDigest(), blob_, 500'000);
  std::ofstream(PartialPath(*store_, BlobDigest()) + "-2") << "{garbage";
  ASSERT_TRUE(DoPull().ok());
  ExpectPulled();
  for (const std::string& r : BlobRanges()) EXPECT_EQ(r.find("500000"), std::string::npos) << r;
}

TEST_F(PullFakeTest, ConcurrentPullsShareOneDownload) {
  Status a, b;
  std::thread t1([&] { a = Pull(*store_, downloads_, Name(), options_, nullptr); });
  std::thread t2([&] { b = Pull(*store_, downloads_, Name(), options_, nullptr); });
  t1.join();
  t2.join();
  EXPECT_TRUE(a.ok()) << a.ToString();
  EXPECT_TRUE(b.ok()) << b.ToString();
  ExpectPulled();
  EXPECT_EQ(BlobRanges().size(), 4u);  // each range fetched once
}

TEST_F(PullFakeTest, NotEnoughSpaceIsAClearError) {
  store::Layer huge{"application/vnd.ollama.image.model", BlobDigest(), int64_t{1} << 60, "", ""};
  Status s = CheckFreeSpace(*store_, Name(), {huge});
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(
      s.message().rfind(
          StrCat("not enough free disk space to pull ", fake_.host(), "/ns/m:latest: need "), 0),
      0u)
      << s.message();
  EXPECT_TRUE(CheckFreeSpace(*store_, Name(), {}).ok());
}

}  // namespace
}  // namespace olla::registry
