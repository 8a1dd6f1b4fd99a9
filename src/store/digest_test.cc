#include "store/digest.h"

#include <gtest/gtest.h>

#include <string>

namespace olla::store {
namespace {

const std::string kHex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

TEST(DigestTest, OfComputesSha256) {
  Digest d = Digest::Of("");
  EXPECT_EQ(d.hex(), kHex);
  EXPECT_EQ(d.String(), "sha256:" + kHex);
  EXPECT_EQ(d.BlobFileName(), "sha256-" + kHex);
}

TEST(DigestTest, ParseIsStrict) {
  std::string upper = kHex;
  upper[0] = 'E';
  const struct {
    std::string in;
    bool ok;
    std::string want_msg_part;
  } cases[] = {
      {"sha256:" + kHex, true, ""},
      {"sha256-" + kHex, false, "expected \"sha256:\""},
      {"sha256:" + upper, false, "lowercase"},
      {"sha256:" + kHex.substr(1), false, "got 63"},
      {"sha256:" + kHex + "0", false, "got 65"},
      {"sha512:" + kHex, false, "invalid digest format"},
      {"SHA256:" + kHex, false, "invalid digest format"},
      {kHex, false, "invalid digest format"},
      {"", false, "invalid digest format"},
      {"sha256:", false, "got 0"},
      {" sha256:" + kHex, false, "invalid digest format"},
      {"sha256:" + kHex + "\n", false, "got 65"},
      {"sha256:../../../../tmp/pwn", false, "invalid digest format"},
      {"sha256:" + kHex.substr(0, 60) + "/../", false, "not a hex digit"},
      {"sha256:" + kHex.substr(0, 63) + std::string(1, '\0'), false, "not a hex digit"},
  };
  for (const auto& c : cases) {
    Result<Digest> d = Digest::Parse(c.in);
    EXPECT_EQ(d.ok(), c.ok) << c.in;
    if (c.ok) {
      EXPECT_EQ(d->hex(), kHex);
    } else {
      EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
      EXPECT_EQ(d.status().message().rfind("invalid digest format", 0), 0u) << d.status().message();
      EXPECT_NE(d.status().message().find(c.want_msg_part), std::string::npos)
          << c.in << ": " << d.status().message();
      EXPECT_EQ(d.status().message().find('\0'), std::string::npos);  // hostile bytes escaped
    }
  }
}

TEST(DigestTest, ParseLenientAcceptsBothSeparatorsAndNormalisesCase) {
  std::string upper = kHex;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const struct {
    std::string in;
    bool ok;
  } cases[] = {
      {"sha256:" + kHex, true},
      {"sha256-" + kHex, true},
      {"sha256:" + upper, true},
      {"sha256-" + upper, true},
      {"sha256_" + kHex, false},
      {"sha256:" + kHex.substr(2), false},
      {"sha256-../" + kHex.substr(3), false},
      {"md5:" + kHex, false},
  };
  for (const auto& c : cases) {
    Result<Digest> d = Digest::ParseLenient(c.in);
    EXPECT_EQ(d.ok(), c.ok) << c.in;
    if (c.ok) {
      EXPECT_EQ(d->hex(), kHex) << c.in;
    }
  }
}

TEST(DigestTest, BlobFileNames) {
  EXPECT_TRUE(Digest::FromBlobFileName("sha256-" + kHex).ok());
  for (const std::string& bad :
       {"sha256:" + kHex, "sha256-" + kHex + "-partial", "sha256-" + kHex + "-partial-0",
        std::string(".tmp-1-2-3"), "sha256-" + kHex.substr(0, 63) + "A", std::string("sha256-")}) {
    EXPECT_FALSE(Digest::FromBlobFileName(bad).ok()) << bad;
  }
}

TEST(DigestTest, OrderingAndEquality) {
  Digest a = *Digest::Parse("sha256:" + std::string(64, 'a'));
  Digest b = *Digest::Parse("sha256:" + std::string(64, 'b'));
  EXPECT_LT(a, b);
  EXPECT_EQ(a, *Digest::ParseLenient("sha256-" + std::string(64, 'A')));
  EXPECT_TRUE(Digest().empty());
}

}  // namespace
}  // namespace olla::store
