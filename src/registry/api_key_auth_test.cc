// `olla serve` creates the user's key at start (spec §1.3) and signs the token requests of
// /api/pull with it (§7.3), end to end against the in-process fake registry, whose token
// endpoint checks the signature with OpenSSL.

#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "base/file.h"
#include "registry/key_auth.h"
#include "registry/testing/fake_registry.h"
#include "support/server_fixture.h"

namespace olla::registry {
namespace {

using testing::FakeRegistry;

TEST(ApiKeyAuthTest, ServeCreatesAKeyAndPullSignsTokenRequestsWithIt) {
  olla::testing::ServerFixture server;
  ASSERT_GT(server.port(), 0);
  // The fixture runs the server with HOME=<its directory>/home, beside the models directory.
  const std::string models = server.models_dir();
  const std::string key_path = models.substr(0, models.rfind('/')) + "/home/.ollama/id_ed25519";
  auto key = LoadKey(key_path);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  struct stat st {};
  ASSERT_EQ(::stat(key_path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(*ReadFile(key_path + ".pub"), key->AuthorizedKey() + "\n");

  FakeRegistry fake;
  const std::string config = R"({"model_format":"gguf","model_family":"llama"})";
  const std::string layer(5000, 'x');
  const std::string config_digest = fake.AddBlob(config);
  const std::string layer_digest = fake.AddBlob(layer);
  fake.SetManifest("ns/m", "latest",
                   FakeRegistry::BuildManifest({"application/vnd.docker.container.image.v1+json",
                                                config_digest, static_cast<int64_t>(config.size())},
                                               {{"application/vnd.ollama.image.model", layer_digest,
                                                 static_cast<int64_t>(layer.size())}}));
  fake.behavior().require_token = "t0k";
  fake.behavior().require_signature = key->AuthorizedKey().substr(12);  // the base64 field

  httplib::Client client("127.0.0.1", server.port());
  client.set_read_timeout(60, 0);
  nlohmann::json body = {
      {"model", fake.host() + "/ns/m:latest"}, {"insecure", true}, {"stream", false}};
  auto res = client.Post("/api/pull", body.dump(), "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(nlohmann::json::parse(res->body, nullptr, false),
            nlohmann::json({{"status", "success"}}))
      << res->body << "\n"
      << server.Log();
  ASSERT_EQ(fake.signed_strings().size(), 1u);
  EXPECT_EQ(fake.signed_strings()[0].rfind("GET," + fake.url() + "/token?nonce=", 0), 0u)
      << fake.signed_strings()[0];
}

}  // namespace
}  // namespace olla::registry
