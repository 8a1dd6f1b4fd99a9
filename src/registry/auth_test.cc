#include "registry/auth.h"

#include <gtest/gtest.h>

#include "base/base64.h"

namespace olla::registry {
namespace {

TEST(AuthTest, ParsesBearerChallenge) {
  auto r = ParseWwwAuthenticate(
      R"(Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:ns/m:pull,push")");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].scheme, "bearer");
  EXPECT_EQ((*r)[0].Param("realm"), "https://auth.example.com/token");
  EXPECT_EQ((*r)[0].Param("service"), "registry.example.com");
  EXPECT_EQ((*r)[0].Param("scope"), "repository:ns/m:pull,push");
}

TEST(AuthTest, ParsesSeveralChallengesTokensAndEscapes) {
  const struct {
    std::string in;
    std::vector<std::pair<std::string, std::string>> want;  // scheme, realm
  } cases[] = {
      {R"(Bearer realm="a", Basic realm="b")", {{"bearer", "a"}, {"basic", "b"}}},
      {R"(Basic realm=simple)", {{"basic", "simple"}}},
      {R"(  BEARER   Realm = "x\"y" , error="invalid_token")", {{"bearer", "x\"y"}}},
      {R"(Negotiate, Basic realm="r")", {{"negotiate", ""}, {"basic", "r"}}},
      {R"(Bearer realm="with,comma",service="s")", {{"bearer", "with,comma"}}},
  };
  for (const auto& c : cases) {
    auto r = ParseWwwAuthenticate(c.in);
    ASSERT_TRUE(r.ok()) << c.in << ": " << r.status().ToString();
    ASSERT_EQ(r->size(), c.want.size()) << c.in;
    for (size_t i = 0; i < c.want.size(); ++i) {
      EXPECT_EQ((*r)[i].scheme, c.want[i].first) << c.in;
      EXPECT_EQ((*r)[i].Param("realm"), c.want[i].second) << c.in;
    }
  }
}

TEST(AuthTest, RejectsMalformedChallenges) {
  for (std::string in : {std::string(""), std::string("Bearer realm=\"open"),
                         std::string("Bearer realm=\"a\" service=\"b\""), std::string("=x"),
                         std::string("Bearer realm=\"a\x01\""), std::string(9000, 'a')}) {
    EXPECT_FALSE(ParseWwwAuthenticate(in).ok()) << in.substr(0, 40);
  }
}

TEST(AuthTest, TokenRequestUrlAddsServiceAndEachScope) {
  Challenge ch;
  ch.scheme = "bearer";
  ch.params = {{"realm", "https://r.example/token?x=1"},
               {"service", "reg istry"},
               {"scope", "repository:a/b:pull repository:c/d:pull,push"}};
  auto url = TokenRequestUrl(ch);
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  EXPECT_EQ(*url,
            "https://r.example/token?x=1&service=reg%20istry&scope=repository%3Aa%2Fb%3Apull"
            "&scope=repository%3Ac%2Fd%3Apull%2Cpush");
  ch.params.erase("realm");
  EXPECT_FALSE(TokenRequestUrl(ch).ok());
  ch.params["realm"] = "file:///etc/passwd";
  EXPECT_FALSE(TokenRequestUrl(ch).ok());
}

TEST(AuthTest, ParsesTokenResponses) {
  EXPECT_EQ(*ParseTokenResponse(R"({"token":"abc.def"})"), "abc.def");
  EXPECT_EQ(*ParseTokenResponse(R"({"access_token":"xyz","expires_in":60})"), "xyz");
  for (const char* bad : {"", "[]", "{}", R"({"token":""})", R"({"token":5})",
                          R"({"token":"a\r\nX-Injected: 1"})", "not json"}) {
    EXPECT_FALSE(ParseTokenResponse(bad).ok()) << bad;
  }
}

TEST(AuthTest, Base64RoundTrips) {
  const struct {
    std::string plain, encoded;
  } cases[] = {
      {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"user:pa ss", "dXNlcjpwYSBzcw=="}};
  for (const auto& c : cases) {
    EXPECT_EQ(Base64Encode(c.plain), c.encoded);
    EXPECT_EQ(*Base64Decode(c.encoded), c.plain);
  }
  EXPECT_FALSE(Base64Decode("a").ok());
  EXPECT_FALSE(Base64Decode("Zm9v!").ok());
  EXPECT_EQ(BasicAuthorization("u", "p"), "Basic dTpw");
}

}  // namespace
}  // namespace olla::registry
