#include "registry/url.h"

#include <gtest/gtest.h>

namespace olla::registry {
namespace {

TEST(UrlTest, ParsesHttpUrlsOnly) {
  auto u = ParseUrl("HTTPS://Registry.Example.com/v2/");
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->scheme, "https");
  EXPECT_EQ(u->host, "registry.example.com");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->Authority(), "registry.example.com");
  EXPECT_EQ(ParseUrl("http://127.0.0.1:5000/x")->Authority(), "127.0.0.1:5000");
  for (const char* bad : {"file:///etc/passwd", "ftp://h/x", "gopher://h", "http://user:pw@h/",
                          "/relative", "", "http://"}) {
    EXPECT_FALSE(ParseUrl(bad).ok()) << bad;
  }
}

TEST(UrlTest, ResolvesLocationHeaders) {
  Url base = *ParseUrl("http://127.0.0.1:5000/v2/ns/m/blobs/uploads/");
  EXPECT_EQ(ResolveUrl(base, "/v2/ns/m/blobs/uploads/abc?_state=x")->full,
            "http://127.0.0.1:5000/v2/ns/m/blobs/uploads/abc?_state=x");
  EXPECT_EQ(ResolveUrl(base, "def")->full, "http://127.0.0.1:5000/v2/ns/m/blobs/uploads/def");
  EXPECT_EQ(ResolveUrl(base, "https://cdn.example/obj?sig=1")->Authority(), "cdn.example");
  EXPECT_FALSE(ResolveUrl(base, "file:///etc/passwd").ok());
  EXPECT_FALSE(ResolveUrl(base, "").ok());
}

TEST(UrlTest, OriginsCompareSchemeHostAndPort) {
  Url a = *ParseUrl("https://r.example/v2/");
  EXPECT_TRUE(SameOrigin(a, *ParseUrl("https://R.EXAMPLE:443/token")));
  EXPECT_FALSE(SameOrigin(a, *ParseUrl("http://r.example/v2/")));
  EXPECT_FALSE(SameOrigin(a, *ParseUrl("https://r.example:8443/v2/")));
  EXPECT_FALSE(SameOrigin(a, *ParseUrl("https://cdn.r.example/v2/")));
}

TEST(UrlTest, RedirectPolicy) {
  Url https = *ParseUrl("https://r.example/v2/ns/m/blobs/sha256:00");
  EXPECT_TRUE(CheckRedirect(https, "https://cdn.example/blob", false).ok());
  EXPECT_TRUE(CheckRedirect(https, "/other", false).ok());
  EXPECT_FALSE(CheckRedirect(https, "http://cdn.example/blob", false).ok());  // downgrade
  EXPECT_TRUE(CheckRedirect(https, "http://cdn.example/blob", true).ok());    // --insecure
  EXPECT_FALSE(CheckRedirect(https, "file:///etc/passwd", true).ok());
  EXPECT_FALSE(CheckRedirect(https, "", true).ok());
}

TEST(UrlTest, AddsEscapedQueryParameters) {
  EXPECT_EQ(AddQuery("http://h/p", "digest", "sha256:ab"), "http://h/p?digest=sha256%3Aab");
  EXPECT_EQ(AddQuery("http://h/p?_state=x", "a", "b c"), "http://h/p?_state=x&a=b%20c");
  EXPECT_EQ(AddQuery("http://h/p?", "a", "b"), "http://h/p?a=b");
  EXPECT_EQ(QueryEscape("a-b_c.d~e/f"), "a-b_c.d~e%2Ff");
}

}  // namespace
}  // namespace olla::registry
