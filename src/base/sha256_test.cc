#include "base/sha256.h"

#include <gtest/gtest.h>

#include "base/file.h"
#include "support/testdata.h"

namespace olla {
namespace {

TEST(Sha256Test, KnownVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256Test, StreamingEqualsOneShot) {
  std::string data(100000, 'x');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7);
  Sha256 h;
  for (size_t i = 0; i < data.size(); i += 999) h.Update(std::string_view(data).substr(i, 999));
  EXPECT_EQ(h.FinalHex(), Sha256Hex(data));
}

TEST(Sha256Test, FileMatchesPublishedDigest) {
  // testdata/README.md lists this digest for the bundled model.
  auto d = Sha256File(testing::TestdataPath("models/stories260K.gguf"));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(*d, "270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d");
}

}  // namespace
}  // namespace olla
