#include "registry/ssh_key.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "base/base64.h"
#include "base/str_cat.h"
#include "registry/auth.h"
#include "registry/testing/fixed_ssh_key.h"
#include "support/testdata.h"

namespace olla::registry {
namespace {

using testing::kFixedKey;
using testing::kFixedPublic;
// Its seed, and its signature of "hello", both from Python's `cryptography`.
constexpr char kFixedSeedHex[] = "64890ae336602dcd7caec5313fa1d3d7aad85fe22847beba2ba318ad3956567e";
constexpr char kHelloSignatureB64[] =
    "CLrZ83aVEsiqBiMBtwDM88y5diGcKtmpTrTWdkywbCqplTPwK1muG/aCP3N0yVDNbxr+99HTS1yceRH7bkAyBA==";

// `ssh-keygen -t ed25519 -N pw` (aes256-ctr, bcrypt) and `ssh-keygen -t ecdsa -N ""`.
constexpr char kEncryptedKey[] = R"(-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAACmFlczI1Ni1jdHIAAAAGYmNyeXB0AAAAGAAAABAjM344m2
pR1ioywZm7xi0NAAAAEAAAAAEAAAAzAAAAC3NzaC1lZDI1NTE5AAAAIKX7B8FUwco83j+7
qmFxICcOWVXFk+aTQmB3uCLt3AM5AAAAkBc4tiHySsz5oHiv+9h2PO7kdmpmA+D31oBokz
fer0ri5hezkUqRd/BB+kDmv4Jp9Yh9z+KSB+YNBpbZky0/smOACgMVnf+GT+1wlvCbNK4l
10Nhpu3zASbYaZ9laQOF61eDxLy6MZsSH6eDU+MZO8rBC3PqVpH69hyXcKOMLPZYVR/LPE
DTthMu5kHmX2t12A==
-----END OPENSSH PRIVATE KEY-----
)";
constexpr char kEcdsaKey[] = R"(-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAaAAAABNlY2RzYS
1zaGEyLW5pc3RwMjU2AAAACG5pc3RwMjU2AAAAQQQRDQ0B7nVCqbTVdws5x3ERL6o982qr
7qHIa8yMZIjjvVkPXdQWYRA+Spg1E0ts1VUvYyta8AQ/v4Illf7tZpGKAAAAoFKE2NVShN
jVAAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBBENDQHudUKptNV3
CznHcREvqj3zaqvuochrzIxkiOO9WQ9d1BZhED5KmDUTS2zVVS9jK1rwBD+/giWV/u1mkY
oAAAAhAPSPXzyMOvnrp/BzD9YWCNGUxIhyQGnL0wIquX4Sh6x1AAAAAAECAwQFBgc=
-----END OPENSSH PRIVATE KEY-----
)";

std::string FromHex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

std::string Armor(std::string_view raw) {
  return StrCat("-----BEGIN OPENSSH PRIVATE KEY-----\n", Base64Encode(raw),
                "\n-----END OPENSSH PRIVATE KEY-----\n");
}

// The binary container of a key file.
std::string Unarmor(const std::string& text) {
  std::string b64;
  size_t begin = text.find('\n') + 1, end = text.find("-----END");
  for (char c : text.substr(begin, end - begin)) {
    if (c != '\n') b64.push_back(c);
  }
  return *Base64Decode(b64);
}

// An openssh-key-v1 container built field by field, for hand-made damage.
struct KeyFields {
  std::string cipher = "none", kdf = "none", kdf_options;
  uint32_t nkeys = 1;
  std::string outer_type = "ssh-ed25519", outer_pub;
  uint32_t check1 = 7, check2 = 7;
  std::string type = "ssh-ed25519", pub, secret, comment;
  std::string padding = "auto";
};
void U32(std::string& out, uint32_t v) {
  for (int shift : {24, 16, 8, 0}) out.push_back(static_cast<char>((v >> shift) & 0xff));
}
void Str(std::string& out, std::string_view s) {
  U32(out, static_cast<uint32_t>(s.size()));
  out.append(s);
}
std::string Build(const KeyFields& f) {
  std::string blob;
  Str(blob, f.outer_type);
  Str(blob, f.outer_pub);
  std::string priv;
  U32(priv, f.check1);
  U32(priv, f.check2);
  Str(priv, f.type);
  Str(priv, f.pub);
  Str(priv, f.secret);
  Str(priv, f.comment);
  if (f.padding == "auto") {
    for (char p = 1; priv.size() % 8 != 0; ++p) priv.push_back(p);
  } else {
    priv += f.padding;
  }
  std::string raw("openssh-key-v1\0", 15);
  Str(raw, f.cipher);
  Str(raw, f.kdf);
  Str(raw, f.kdf_options);
  U32(raw, f.nkeys);
  Str(raw, blob);
  Str(raw, priv);
  return Armor(raw);
}
KeyFields FixedFields() {
  KeyFields f;
  Ed25519Key key = *Ed25519Key::FromSeed(FromHex(kFixedSeedHex));
  f.outer_pub = f.pub = key.public_key();
  f.secret = FromHex(kFixedSeedHex) + key.public_key();
  return f;
}

TEST(SshKeyTest, ReadsAKeyWrittenBySshKeygen) {
  auto key = Ed25519Key::ParseOpenSsh(kFixedKey);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->AuthorizedKey(), kFixedPublic);
  // Ed25519 signatures are deterministic: the same bytes as an independent implementation.
  EXPECT_EQ(Base64Encode(*key->Sign("hello")), kHelloSignatureB64);
  // The same key from its seed.
  EXPECT_EQ(Ed25519Key::FromSeed(FromHex(kFixedSeedHex))->AuthorizedKey(), kFixedPublic);
}

TEST(SshKeyTest, AcceptsCommentsCrlfAndOtherLineWidths) {
  KeyFields f = FixedFields();
  f.comment = "user@host";
  std::string text = Build(f);
  ASSERT_TRUE(Ed25519Key::ParseOpenSsh(text).ok());
  std::string crlf;
  for (char c : std::string(kFixedKey)) {
    if (c == '\n') crlf += "\r";
    crlf.push_back(c);
  }
  auto key = Ed25519Key::ParseOpenSsh(crlf);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->AuthorizedKey(), kFixedPublic);
}

TEST(SshKeyTest, GeneratedKeyRoundTripsThroughTheFileFormat) {
  auto key = Ed25519Key::Generate();
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  std::string text = key->ToOpenSsh();
  EXPECT_EQ(text.rfind("-----BEGIN OPENSSH PRIVATE KEY-----\n", 0), 0u);
  EXPECT_EQ(text.substr(text.size() - 34), "-----END OPENSSH PRIVATE KEY-----\n");
  // 64-column lines, as Go's pem.Encode writes them (Ollama).
  size_t body = text.find('\n') + 1;
  EXPECT_EQ(text.find('\n', body) - body, 64u);
  auto back = Ed25519Key::ParseOpenSsh(text);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->public_key(), key->public_key());
  EXPECT_EQ(back->AuthorizedKey(), key->AuthorizedKey());
  EXPECT_EQ(*back->Sign("x"), *key->Sign("x"));  // the same private key
  EXPECT_NE(Ed25519Key::Generate()->public_key(), key->public_key());

  // The fixed key, written by us and read back, is still the fixed key.
  auto fixed = Ed25519Key::ParseOpenSsh(Ed25519Key::ParseOpenSsh(kFixedKey)->ToOpenSsh());
  ASSERT_TRUE(fixed.ok()) << fixed.status().ToString();
  EXPECT_EQ(fixed->AuthorizedKey(), kFixedPublic);
}

TEST(SshKeyTest, SshKeygenReadsOurKeyFiles) {
  if (::access("/usr/bin/ssh-keygen", X_OK) != 0) GTEST_SKIP() << "no /usr/bin/ssh-keygen";
  olla::testing::TempDir dir;
  std::string path = dir.Join("id_ed25519");
  auto key = Ed25519Key::Generate();
  ASSERT_TRUE(key.ok());
  std::ofstream(path) << key->ToOpenSsh();
  ::chmod(path.c_str(), 0600);
  FILE* p = ::popen(StrCat("/usr/bin/ssh-keygen -y -f ", path, " 2>&1").c_str(), "r");
  ASSERT_NE(p, nullptr);
  char line[512] = {};
  std::string out = std::fgets(line, sizeof(line), p) ? line : "";
  ::pclose(p);
  EXPECT_EQ(out, key->AuthorizedKey() + "\n");
}

TEST(SshKeyTest, SignaturesVerifyWithTheRightKeyAndDataOnly) {
  auto key = *Ed25519Key::Generate();
  auto other = *Ed25519Key::Generate();
  std::string sig = *key.Sign("GET,https://r/token?ts=1,abc");
  ASSERT_EQ(sig.size(), 64u);
  EXPECT_TRUE(VerifyEd25519(key.public_key(), "GET,https://r/token?ts=1,abc", sig));
  EXPECT_FALSE(VerifyEd25519(key.public_key(), "GET,https://r/token?ts=2,abc", sig));
  EXPECT_FALSE(VerifyEd25519(other.public_key(), "GET,https://r/token?ts=1,abc", sig));
  std::string flipped = sig;
  flipped[10] = static_cast<char>(flipped[10] ^ 1);
  EXPECT_FALSE(VerifyEd25519(key.public_key(), "GET,https://r/token?ts=1,abc", flipped));
  EXPECT_FALSE(VerifyEd25519(key.public_key(), "GET,https://r/token?ts=1,abc", sig.substr(1)));
  EXPECT_FALSE(VerifyEd25519("short", "x", sig));
  EXPECT_TRUE(VerifyEd25519(Ed25519Key::ParseOpenSsh(kFixedKey)->public_key(), "hello",
                            *Base64Decode(kHelloSignatureB64)));
}

TEST(SshKeyTest, MalformedFilesGivePreciseErrors) {
  auto with = [](auto change) {
    KeyFields f = FixedFields();
    change(f);
    return Build(f);
  };
  const struct {
    std::string name, text;
    StatusCode code;
    std::string message;
  } cases[] = {
      {"empty", "", StatusCode::kCorrupt,
       "openssh key: no \"-----BEGIN OPENSSH PRIVATE KEY-----\" line"},
      {"rsa pem", "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n",
       StatusCode::kCorrupt, "openssh key: no \"-----BEGIN OPENSSH PRIVATE KEY-----\" line"},
      {"no end", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n", StatusCode::kCorrupt,
       "openssh key: no \"-----END OPENSSH PRIVATE KEY-----\" line"},
      {"empty body", "-----BEGIN OPENSSH PRIVATE KEY-----\n\n-----END OPENSSH PRIVATE KEY-----\n",
       StatusCode::kCorrupt, "openssh key: empty"},
      {"bad base64",
       "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blb!==\n-----END OPENSSH PRIVATE KEY-----\n",
       StatusCode::kCorrupt, "openssh key: invalid base64"},
      {"pem header",
       "-----BEGIN OPENSSH PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\nAAAA\n"
       "-----END OPENSSH PRIVATE KEY-----\n",
       StatusCode::kUnsupported, "openssh key: PEM headers are not supported"},
      {"not v1", Armor("hello world, not a key"), StatusCode::kCorrupt,
       "openssh key: not an openssh-key-v1 key"},
      {"magic only", Armor(std::string("openssh-key-v1\0", 15)), StatusCode::kCorrupt,
       "openssh key: truncated at cipher name"},
      {"encrypted", kEncryptedKey, StatusCode::kUnsupported,
       "openssh key: encrypted keys are not supported (cipher aes256-ctr)"},
      {"ecdsa", kEcdsaKey, StatusCode::kUnsupported,
       "openssh key: key type \"ecdsa-sha2-nistp256\" is not supported (only ssh-ed25519)"},
      {"binary type", with([](KeyFields& f) { f.outer_type = std::string("\x01\n", 2); }),
       StatusCode::kUnsupported, "openssh key: key type \"?\" is not supported (only ssh-ed25519)"},
      {"two keys", with([](KeyFields& f) { f.nkeys = 2; }), StatusCode::kUnsupported,
       "openssh key: 2 keys in the file, expected 1"},
      {"kdf options", with([](KeyFields& f) { f.kdf_options = "x"; }), StatusCode::kCorrupt,
       "openssh key: kdf options without a kdf"},
      {"short public", with([](KeyFields& f) { f.outer_pub.resize(31); }), StatusCode::kCorrupt,
       "openssh key: public key is not 32 bytes"},
      {"check words", with([](KeyFields& f) { f.check2 = 8; }), StatusCode::kCorrupt,
       "openssh key: check words differ"},
      {"odd padding", with([](KeyFields& f) { f.padding = std::string("\x01\x02\x03", 3); }),
       StatusCode::kCorrupt, "openssh key: private section is not a multiple of the block size"},
      {"wrong padding bytes", with([](KeyFields& f) {
         f.comment = "ab";
         f.padding = std::string("\x01\x03\x03", 3);
       }),
       StatusCode::kCorrupt, "openssh key: bad padding"},
      {"too much padding", with([](KeyFields& f) {
         f.comment = "ab";
         f.padding = std::string("\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b", 11);
       }),
       StatusCode::kCorrupt, "openssh key: too much padding"},
      {"private type", with([](KeyFields& f) { f.type = "ssh-rsa"; }), StatusCode::kUnsupported,
       "openssh key: key type \"ssh-rsa\" is not supported (only ssh-ed25519)"},
      {"short secret", with([](KeyFields& f) { f.secret.resize(32); }), StatusCode::kCorrupt,
       "openssh key: private key is not 64 bytes"},
      {"other public", with([](KeyFields& f) { f.outer_pub[0] ^= 1; }), StatusCode::kCorrupt,
       "openssh key: public and private parts do not match"},
      {"seed of another key", with([](KeyFields& f) { f.secret[0] ^= 1; }), StatusCode::kCorrupt,
       "openssh key: the public key is not the private key's"},
      {"huge", std::string(20000, 'A'), StatusCode::kCorrupt, "openssh key: file too large"},
  };
  for (const auto& c : cases) {
    auto r = Ed25519Key::ParseOpenSsh(c.text);
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.status().code(), c.code) << c.name << ": " << r.status().ToString();
    EXPECT_EQ(r.status().message(), c.message) << c.name;
  }
}

// Every truncation and every single-bit change of a key file's container is refused (the format
// has no byte that may change unnoticed: the comment is empty, padding is checked, the public
// key is repeated and derived from the seed).
TEST(SshKeyTest, EveryTruncationAndBitFlipIsRefused) {
  const std::string raw = Unarmor(kFixedKey);
  ASSERT_TRUE(Ed25519Key::ParseOpenSsh(Armor(raw)).ok());
  for (size_t n = 1; n < raw.size(); ++n) {
    EXPECT_FALSE(Ed25519Key::ParseOpenSsh(Armor(raw.substr(0, n))).ok()) << "length " << n;
  }
  for (size_t i = 0; i < raw.size(); ++i) {
    for (int bit : {0, 7}) {
      std::string bad = raw;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      EXPECT_FALSE(Ed25519Key::ParseOpenSsh(Armor(bad)).ok()) << "byte " << i << " bit " << bit;
    }
  }
}

TEST(SshKeyTest, ParsesPublicKeyBlobs) {
  auto key = *Ed25519Key::Generate();
  EXPECT_EQ(*ParsePublicKeyBlob(key.PublicKeyBlob()), key.public_key());
  std::string blob = *Base64Decode(std::string(kFixedPublic).substr(12));
  EXPECT_EQ(*ParsePublicKeyBlob(blob), Ed25519Key::ParseOpenSsh(kFixedKey)->public_key());
  EXPECT_EQ(ParsePublicKeyBlob(blob + "x").status().message(),
            "ssh public key: trailing bytes after the public key");
  EXPECT_EQ(ParsePublicKeyBlob(blob.substr(0, 20)).status().message(),
            "ssh public key: truncated at public key");
  EXPECT_EQ(ParsePublicKeyBlob("").status().message(), "ssh public key: truncated at key type");
  EXPECT_EQ(ParsePublicKeyBlob(std::string("\0\0\0\x07ssh-rsa", 11)).status().code(),
            StatusCode::kUnsupported);
}

TEST(SshKeyTest, FromSeedChecksTheLength) {
  EXPECT_EQ(Ed25519Key::FromSeed("short").status().message(),
            "ed25519: a seed has 32 bytes, not 5");
}

}  // namespace
}  // namespace olla::registry
