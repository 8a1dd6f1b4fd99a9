#include "registry/key_auth.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "base/base64.h"
#include "base/file.h"
#include "base/str_cat.h"
#include "registry/auth.h"
#include "registry/testing/fixed_ssh_key.h"
#include "support/testdata.h"

namespace olla::registry {
namespace {

using testing::kFixedKey;
using testing::kFixedPublicB64;
// base64 of "e3b0c442…b855", the hex SHA-256 of the empty body.
constexpr char kEmptyBodyHash[] =
    "ZTNiMGM0NDI5OGZjMWMxNDlhZmJmNGM4OTk2ZmI5MjQyN2FlNDFlNDY0OWI5MzRjYTQ5NTk5MWI3ODUyYjg1NQ==";

int Mode(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<int>(st.st_mode & 07777) : -1;
}

TEST(KeyAuthTest, SignaturePayloads) {
  const struct {
    std::string method, url, body, want;
  } cases[] = {
      {"GET", "https://registry.ollama.ai/v2/token?nonce=n&scope=s&service=r&ts=1", "",
       StrCat("GET,https://registry.ollama.ai/v2/token?nonce=n&scope=s&service=r&ts=1,",
              kEmptyBodyHash)},
      {"GET", "http://127.0.0.1:5000/token", "",
       StrCat("GET,http://127.0.0.1:5000/token,", kEmptyBodyHash)},
      // sha256("hello") = 2cf24dba…9824, and base64 of that hex.
      {"POST", "/api/me?ts=5", "hello",
       "POST,/api/me?ts=5,"
       "MmNmMjRkYmE1ZmIwYTMwZTI2ZTgzYjJhYzViOWUyOWUxYjE2MWU1YzFmYTc0MjVlNzMwNDMzNjI5MzhiOTgyNA=="},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(SignaturePayload(c.method, c.url, c.body), c.want) << c.url;
  }
}

TEST(KeyAuthTest, SignedTokenRequestUrlsAreEncodedAsGoEncodesThem) {
  const struct {
    std::map<std::string, std::string> params;
    std::string want;
  } cases[] = {
      // Ollama's own registry.
      {{{"realm", "https://registry.ollama.ai/v2/token"},
        {"service", "registry.ollama.ai"},
        {"scope", "repository:library/llama3:pull"}},
       "https://registry.ollama.ai/v2/token?nonce=AAECAwQFBgcICQoLDA0ODw"
       "&scope=repository%3Alibrary%2Fllama3%3Apull&service=registry.ollama.ai&ts=1700000000"},
      // Realm parameters kept and re-encoded, keys sorted, scopes in order, space → '+'.
      {{{"realm", "http://127.0.0.1:5000/auth/token?z=1&a=x+y&b=%41"},
        {"service", "my registry"},
        {"scope", "repository:b/c:pull,push repository:a/b:pull"}},
       "http://127.0.0.1:5000/auth/token?a=x+y&b=A&nonce=AAECAwQFBgcICQoLDA0ODw"
       "&scope=repository%3Ab%2Fc%3Apull%2Cpush&scope=repository%3Aa%2Fb%3Apull"
       "&service=my+registry&ts=1700000000&z=1"},
      // Go adds service and scope even when the challenge has none.
      {{{"realm", "https://r.example/token"}},
       "https://r.example/token?nonce=AAECAwQFBgcICQoLDA0ODw&scope=&service=&ts=1700000000"},
  };
  for (const auto& c : cases) {
    Challenge ch;
    ch.scheme = "bearer";
    ch.params = c.params;
    auto url = SignedTokenRequestUrl(ch, 1700000000, "AAECAwQFBgcICQoLDA0ODw");
    ASSERT_TRUE(url.ok()) << url.status().ToString();
    EXPECT_EQ(*url, c.want);
  }
  Challenge none;
  EXPECT_EQ(SignedTokenRequestUrl(none, 1, "n").status().message(),
            "authentication challenge has no realm");
  none.params["realm"] = "ftp://x/token";
  EXPECT_FALSE(SignedTokenRequestUrl(none, 1, "n").ok());
}

// The Authorization value for Ollama's registry, with the fixed key: the bytes an independent
// implementation (Python's `cryptography`) produces for the same string.
TEST(KeyAuthTest, AuthorizationValueOfAKnownKey) {
  auto key = Ed25519Key::ParseOpenSsh(kFixedKey);
  ASSERT_TRUE(key.ok());
  std::string data = SignaturePayload(
      "GET",
      "https://registry.ollama.ai/v2/token?nonce=AAECAwQFBgcICQoLDA0ODw"
      "&scope=repository%3Alibrary%2Fllama3%3Apull&service=registry.ollama.ai&ts=1700000000",
      "");
  EXPECT_EQ(*SignAuthorization(*key, data),
            StrCat(kFixedPublicB64,
                   ":I1p1Z3H+SkV72QXsHCoLYO/w+3SlhkHlQBKGsLFXkjFZfU/+Dd8xCv+jSYET8ES1V7/"
                   "V4QrjNXAGRBY078KBDA=="));
}

TEST(KeyAuthTest, AuthorizationVerifiesAgainstThePublicKeyLine) {
  auto key = *Ed25519Key::Generate();
  const std::string data = SignaturePayload("GET", "https://h/token?ts=1", "");
  std::string value = *SignAuthorization(key, data);
  size_t colon = value.find(':');
  ASSERT_NE(colon, std::string::npos);
  EXPECT_EQ(StrCat("ssh-ed25519 ", value.substr(0, colon)), key.AuthorizedKey());
  auto pub = ParsePublicKeyBlob(*Base64Decode(value.substr(0, colon)));
  ASSERT_TRUE(pub.ok());
  std::string sig = *Base64Decode(value.substr(colon + 1));
  EXPECT_TRUE(VerifyEd25519(*pub, data, sig));
  EXPECT_FALSE(VerifyEd25519(*pub, SignaturePayload("GET", "https://h/token?ts=2", ""), sig));
}

TEST(KeyAuthTest, EnsureKeyPairCreatesOnceWithOllamasModes) {
  olla::testing::TempDir dir;
  const std::string path = dir.Join("home/.ollama/id_ed25519");
  auto made = EnsureKeyPair(path);
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  EXPECT_TRUE(made->created);
  EXPECT_EQ(made->public_line.rfind("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI", 0), 0u);
  EXPECT_EQ(Mode(path), 0600);
  EXPECT_EQ(Mode(dir.Join("home/.ollama")) & 0700, 0700);
  EXPECT_EQ(*ReadFile(path + ".pub"), made->public_line + "\n");
  auto key = LoadKey(path);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->AuthorizedKey(), made->public_line);
  // No temporary files are left behind.
  int entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.Join("home/.ollama"))) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, 2);

  // A second start keeps the key.
  const std::string before = *ReadFile(path);
  auto again = EnsureKeyPair(path);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);
  EXPECT_EQ(*ReadFile(path), before);

  // An existing file is never replaced, even a broken one (Ollama does not read it at start).
  const std::string broken = dir.Join("broken");
  std::ofstream(broken) << "not a key";
  ASSERT_TRUE(EnsureKeyPair(broken).ok());
  EXPECT_EQ(*ReadFile(broken), "not a key");
}

TEST(KeyAuthTest, EnsureKeyPairReportsUnwritableDirectories) {
  olla::testing::TempDir dir;
  std::ofstream(dir.Join("file")) << "x";
  auto r = EnsureKeyPair(dir.Join("file/.ollama/id_ed25519"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("cannot create directory"), std::string::npos)
      << r.status().message();
}

TEST(KeyAuthTest, LoadKeyErrorsNameTheFile) {
  olla::testing::TempDir dir;
  const std::string missing = dir.Join("id_ed25519");
  auto r = LoadKey(missing);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(missing), std::string::npos) << r.status().message();

  std::ofstream(missing) << "-----BEGIN OPENSSH PRIVATE KEY-----\n";
  EXPECT_EQ(LoadKey(missing).status().message(),
            StrCat(missing, ": openssh key: no \"-----END OPENSSH PRIVATE KEY-----\" line"));

  std::ofstream(missing, std::ios::trunc) << std::string(100000, 'A');
  EXPECT_EQ(LoadKey(missing).status().message(), StrCat(missing, ": openssh key: file too large"));

  std::ofstream(missing, std::ios::trunc) << kFixedKey;
  EXPECT_EQ(StrCat("ssh-ed25519 ", kFixedPublicB64), LoadKey(missing)->AuthorizedKey());
}

TEST(KeyAuthTest, SignWithKeyFileReadsTheKeyAtEachCall) {
  olla::testing::TempDir dir;
  const std::string path = dir.Join("id_ed25519");
  SignFn sign = SignWithKeyFile(path);
  EXPECT_FALSE(sign("x").ok());  // no key yet
  std::ofstream(path) << kFixedKey;
  auto value = sign("hello");
  ASSERT_TRUE(value.ok()) << value.status().ToString();
  EXPECT_EQ(*value, StrCat(kFixedPublicB64,
                           ":CLrZ83aVEsiqBiMBtwDM88y5diGcKtmpTrTWdkywbCqplTPwK1muG/"
                           "aCP3N0yVDNbxr+99HTS1yceRH7bkAyBA=="));
}

TEST(KeyAuthTest, DefaultKeyPathFollowsHome) {
  const char* old = std::getenv("HOME");
  const std::string saved = old ? old : "";
  ::setenv("HOME", "/some/home", 1);
  EXPECT_EQ(*DefaultKeyPath(), "/some/home/.ollama/id_ed25519");
  if (old) {
    ::setenv("HOME", saved.c_str(), 1);
  } else {
    ::unsetenv("HOME");
  }
}

TEST(KeyAuthTest, NoncesAreRandomUrlSafeAndUnpadded) {
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    std::string n = *NewNonce();
    EXPECT_EQ(n.size(), 22u) << n;
    EXPECT_EQ(
        n.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
        std::string::npos)
        << n;
    seen.insert(n);
  }
  EXPECT_EQ(seen.size(), 50u);
  EXPECT_GT(UnixSeconds(), 1700000000);
}

}  // namespace
}  // namespace olla::registry
