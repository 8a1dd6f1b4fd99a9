#include "store/manifest.h"

#include <gtest/gtest.h>

#include <string>

namespace olla::store {
namespace {

Digest D(char c) { return *Digest::Parse("sha256:" + std::string(64, c)); }

// Derived by hand from spec §6.3: compact, fields in order, `from`/`name` only when set, Go
// escaping of '<', '&', '>', one trailing newline.
const std::string kGolden =
    "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\","
    "\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"digest\":"
    "\"sha256:1111111111111111111111111111111111111111111111111111111111111111\",\"size\":485},"
    "\"layers\":[{\"mediaType\":\"application/vnd.ollama.image.model\",\"digest\":"
    "\"sha256:2222222222222222222222222222222222222222222222222222222222222222\",\"size\":"
    "2019377376,\"from\":\"llama3.2:latest\"},{\"mediaType\":\"application/vnd.ollama.image."
    "template\",\"digest\":\"sha256:"
    "3333333333333333333333333333333333333333333333333333333333333333"
    "\",\"size\":1429},{\"mediaType\":\"application/vnd.ollama.image.tensor\",\"digest\":"
    "\"sha256:4444444444444444444444444444444444444444444444444444444444444444\",\"size\":10,"
    "\"name\":\"model.embed\\u003c\\u0026\\u003e\"}]}\n";
// sha256 of kGolden, computed independently (Python hashlib).
const std::string kGoldenDigest =
    "cbb1ead1894f374a777f47443d4ecb8298487e11653e8741b2f34b2e05e71473";

Manifest GoldenManifest() {
  Manifest m;
  m.config = {std::string(kMediaTypeConfig), D('1'), 485, "", ""};
  m.layers = {{std::string(kMediaTypeModel), D('2'), 2019377376, "llama3.2:latest", ""},
              {std::string(kMediaTypeTemplate), D('3'), 1429, "", ""},
              {std::string(kMediaTypeTensor), D('4'), 10, "", "model.embed<&>"}};
  return m;
}

TEST(ManifestTest, EncodesExactlyLikeOllama) {
  std::string bytes = EncodeManifest(GoldenManifest());
  EXPECT_EQ(bytes, kGolden);
  EXPECT_EQ(Digest::Of(bytes).hex(), kGoldenDigest);
  EXPECT_EQ(GoldenManifest().TotalSize(), 485 + 2019377376 + 1429 + 10);
}

TEST(ManifestTest, ParsesWhatItWrites) {
  Result<Manifest> m = ParseManifest(kGolden);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(*m, GoldenManifest());
  EXPECT_EQ(EncodeManifest(*m), kGolden);
  std::vector<Digest> refs = m->ReferencedDigests();
  EXPECT_EQ(refs, (std::vector<Digest>{D('1'), D('2'), D('3'), D('4')}));
}

TEST(ManifestTest, AcceptsAnyKeyOrderExtraFieldsAndLegacyDigests) {
  std::string hex(64, 'a');
  std::string text = R"({
    "layers": [{"size": 3, "digest": "sha256-)" +
                     std::string(64, 'B') + R"(", "mediaType": "x", "annotations": {}}],
    "config": {"digest": "sha256:)" +
                     hex + R"(", "mediaType": "c", "size": 7, "platform": null},
    "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "schemaVersion": 2, "runner": "ollama", "extra": [1, 2, 3]})";
  Result<Manifest> m = ParseManifest(text);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->media_type, "application/vnd.oci.image.manifest.v1+json");
  EXPECT_EQ(m->config.digest.hex(), hex);
  ASSERT_EQ(m->layers.size(), 1u);
  EXPECT_EQ(m->layers[0].digest.hex(), std::string(64, 'b'));
  EXPECT_EQ(m->layers[0].size, 3);
  // "layers": null and missing layers both mean no layers.
  std::string cfg = R"("config":{"mediaType":"c","digest":"sha256:)" + hex + R"(","size":1})";
  EXPECT_TRUE(ParseManifest("{" + cfg + R"(,"layers":null})").ok());
  EXPECT_TRUE(ParseManifest("{" + cfg + "}").ok());
}

TEST(ManifestTest, RejectsCorruptManifests) {
  std::string hex(64, 'a');
  auto with_layer = [&](const std::string& layer) {
    return R"({"schemaVersion":2,"config":{"mediaType":"c","digest":"sha256:)" + hex +
           R"(","size":1},"layers":[)" + layer + "]}";
  };
  const struct {
    std::string in;
    std::string want;
  } cases[] = {
      {"", "invalid JSON"},
      {"{", "invalid JSON"},
      {"[]", "not a JSON object"},
      {R"({"schemaVersion":2})", "no config"},
      {R"({"schemaVersion":"2","config":{}})", "schemaVersion"},
      {R"({"config":{"mediaType":"c","size":1}})", "config has no digest"},
      {with_layer(R"({"mediaType":"m","digest":"sha256:../../../tmp/pwn","size":1})"),
       "invalid digest format"},
      {with_layer(R"({"mediaType":"m","digest":"sha256:)" + hex.substr(1) + R"(","size":1})"),
       "layers[0]"},
      {with_layer(R"({"mediaType":"m","digest":"sha256:)" + hex + R"(","size":-1})"), "negative"},
      {with_layer(R"({"mediaType":"m","digest":"sha256:)" + hex + R"(","size":1.5})"),
       "not an integer"},
      {with_layer(R"({"mediaType":"m","digest":"sha256:)" + hex +
                  R"(","size":99999999999999999999})"),
       "size"},
      {with_layer(R"({"mediaType":5,"digest":"sha256:)" + hex + R"(","size":1})"), "not a string"},
      {with_layer(R"("not an object")"), "not an object"},
      {R"({"config":{"mediaType":"c","digest":"sha256:)" + hex + R"("},"layers":{}})",
       "layers is not an array"},
  };
  for (const auto& c : cases) {
    Result<Manifest> m = ParseManifest(c.in);
    ASSERT_FALSE(m.ok()) << c.in;
    EXPECT_EQ(m.status().code(), StatusCode::kCorrupt);
    EXPECT_NE(m.status().message().find(c.want), std::string::npos)
        << c.in << " → " << m.status().message();
  }
}

}  // namespace
}  // namespace olla::store
