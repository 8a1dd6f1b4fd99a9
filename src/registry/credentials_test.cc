#include "registry/credentials.h"

#include <gtest/gtest.h>

namespace olla::registry {
namespace {

TEST(CredentialsTest, FindsDockerConfigEntries) {
  const std::string config = R"({
    "auths": {
      "https://index.docker.io/v1/": {"auth": "ZG9ja2VyOmh1Yg=="},
      "Registry.Example.com:5000": {"username": "u", "password": "p:w"},
      "other.example": {"auth": "dXNlcjpwYTpzcw=="}
    },
    "credsStore": "desktop"
  })";
  const struct {
    std::string host;
    std::optional<std::pair<std::string, std::string>> want;
  } cases[] = {
      {"index.docker.io", std::make_pair("docker", "hub")},
      {"registry.example.com:5000", std::make_pair("u", "p:w")},
      {"other.example", std::make_pair("user", "pa:ss")},
      {"registry.example.com", std::nullopt},  // the port is part of the host
      {"nowhere.example", std::nullopt},
  };
  for (const auto& c : cases) {
    auto found = FindCredentials(config, c.host);
    ASSERT_TRUE(found.ok()) << c.host << ": " << found.status().ToString();
    ASSERT_EQ(found->has_value(), c.want.has_value()) << c.host;
    if (c.want) {
      EXPECT_EQ((*found)->username, c.want->first) << c.host;
      EXPECT_EQ((*found)->password, c.want->second) << c.host;
    }
  }
}

TEST(CredentialsTest, MalformedFilesAreErrorsWithoutSecrets) {
  EXPECT_FALSE(*FindCredentials("{}", "h"));
  EXPECT_FALSE(FindCredentials("[", "h").ok());
  EXPECT_FALSE(FindCredentials(R"({"auths":[]})", "h").ok());
  auto bad = FindCredentials(R"({"auths":{"h":{"auth":"bm9jb2xvbg=="}}})", "h");  // "nocolon"
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().find("nocolon"), std::string::npos);
}

TEST(CredentialsTest, FileSourceToleratesMissingFiles) {
  CredentialsFn fn = CredentialsFromFile("/nonexistent/olla/config.json");
  EXPECT_FALSE(fn("h").has_value());
}

}  // namespace
}  // namespace olla::registry
