#include "registry/manifest_check.h"

#include <gtest/gtest.h>

#include "base/str_cat.h"

namespace olla::registry {
namespace {

const std::string kHex(64, 'a');
const std::string kDigest = "sha256:" + kHex;

std::string Manifest(const std::string& layer_digest,
                     const std::string& media = "application/vnd.ollama.image.model",
                     const std::string& extra = "") {
  return StrCat(
      R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",)",
      R"("config":{"mediaType":"application/vnd.docker.container.image.v1+json","digest":")",
      kDigest, R"(","size":10},"layers":[{"mediaType":")", media, R"(","digest":")", layer_digest,
      R"(","size":20)", extra, "}]}");
}

TEST(ManifestCheckTest, AcceptsAValidManifest) {
  auto m = CheckRemoteManifest(Manifest("sha256:" + std::string(64, 'b'),
                                        "application/vnd.ollama.image.model",
                                        R"(,"from":"library/llama3")"));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->layers.size(), 1u);
  EXPECT_EQ(m->layers[0].size, 20);
  EXPECT_EQ(m->layers[0].from, "library/llama3");
}

TEST(ManifestCheckTest, RefusesDigestsThatCouldNameOtherFiles) {
  for (std::string bad :
       {std::string("sha256:../../x"), "sha256-" + kHex, "sha256:" + std::string(64, 'A'),
        "sha256:" + kHex + "0", "sha256:" + kHex.substr(1), "sha512:" + kHex,
        "sha256:" + kHex.substr(0, 60) + "/../",
        std::string("sha256:") + std::string(63, 'a') + "\\", std::string("../../../../tmp/pwn"),
        std::string("")}) {
    auto m = CheckRemoteManifest(Manifest(bad));
    EXPECT_FALSE(m.ok()) << bad;
    if (!m.ok()) {
      EXPECT_EQ(m.status().code(), StatusCode::kCorrupt) << bad;
    }
  }
}

TEST(ManifestCheckTest, ValidatesMediaTypes) {
  EXPECT_TRUE(IsValidMediaType("application/vnd.ollama.image.model"));
  EXPECT_TRUE(IsValidMediaType("application/vnd.oci.image.layer.v1.tar+gzip"));
  for (const char* bad : {"", "application", "application/", "/x", "a/b/c", "application/x;q=1",
                          "appl ication/x", "application/../../x", "-a/b"}) {
    EXPECT_FALSE(IsValidMediaType(bad)) << bad;
    EXPECT_FALSE(CheckRemoteManifest(Manifest("sha256:" + kHex, bad)).ok()) << bad;
  }
}

TEST(ManifestCheckTest, CapsSizeLayersAndBlobSizes) {
  ManifestLimits limits;
  limits.max_bytes = 100;
  EXPECT_FALSE(CheckRemoteManifest(Manifest(kDigest), limits).ok());

  std::string layers;
  for (int i = 0; i < 5; ++i) {
    layers += StrCat(i ? "," : "", R"({"mediaType":"a/b","digest":")", kDigest, R"(","size":1})");
  }
  std::string many = StrCat(R"({"schemaVersion":2,"config":{"mediaType":"a/b","digest":")", kDigest,
                            R"(","size":1},"layers":[)", layers, "]}");
  ManifestLimits few;
  few.max_layers = 4;
  EXPECT_FALSE(CheckRemoteManifest(many, few).ok());
  EXPECT_TRUE(CheckRemoteManifest(many).ok());

  for (const char* size : {"-1", "1.5", "\"10\"", "18446744073709551615", "99999999999999999"}) {
    std::string m = StrCat(R"({"schemaVersion":2,"config":{"mediaType":"a/b","digest":")", kDigest,
                           R"(","size":)", size, R"(},"layers":[]})");
    EXPECT_FALSE(CheckRemoteManifest(m).ok()) << size;
  }
}

TEST(ManifestCheckTest, RefusesOtherShapes) {
  const std::string cfg =
      StrCat(R"("config":{"mediaType":"a/b","digest":")", kDigest, R"(","size":1})");
  for (std::string bad :
       {std::string("[]"), std::string("{"), std::string("{}"),
        StrCat(R"({"schemaVersion":1,)", cfg, R"(,"layers":[]})"),
        StrCat(R"({"schemaVersion":2,)", cfg, "}"),
        StrCat(R"({"schemaVersion":2,)", cfg, R"(,"layers":{}})"),
        StrCat(R"({"schemaVersion":2,)", cfg, R"(,"layers":[5]})"),
        StrCat(R"({"schemaVersion":2,"mediaType":"text/html",)", cfg, R"(,"layers":[]})"),
        Manifest(kDigest, "a/b", R"(,"from":"x\u0000y")")}) {
    EXPECT_FALSE(CheckRemoteManifest(bad).ok()) << bad;
  }
  auto index = CheckRemoteManifest(
      StrCat(R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json",)", cfg,
             R"(,"layers":[]})"));
  EXPECT_EQ(index.status().code(), StatusCode::kUnsupported);
}

}  // namespace
}  // namespace olla::registry
