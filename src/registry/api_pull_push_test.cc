// POST /api/pull and /api/push of `olla serve` against Debian's docker-registry, end to end:
// the NDJSON status objects of spec §3.14-3.15 and their errors.

#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "registry/testing/docker_registry.h"
#include "support/server_fixture.h"
#include "support/testdata.h"

namespace olla::registry {
namespace {

using nlohmann::json;
using testing::DockerRegistry;

std::vector<json> Lines(const std::string& body) {
  std::vector<json> out;
  std::istringstream in(body);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(json::parse(line));
  }
  return out;
}

class ApiPullPushTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!DockerRegistry::Available()) GTEST_SKIP() << DockerRegistry::kBinary << " not installed";
    registry_ = std::make_unique<DockerRegistry>();
    ASSERT_TRUE(registry_->ok()) << registry_->Log();
    server_ = std::make_unique<olla::testing::ServerFixture>();
    ASSERT_GT(server_->port(), 0);
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    client_->set_read_timeout(120, 0);
  }
  httplib::Result Post(const std::string& path, const json& body) {
    return client_->Post(path.c_str(), body.dump(), "application/json");
  }
  std::string Model(const std::string& repo) const { return registry_->host() + "/" + repo; }

  std::unique_ptr<DockerRegistry> registry_;
  std::unique_ptr<olla::testing::ServerFixture> server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(ApiPullPushTest, PushDeletePullStreamsOllamasStatuses) {
  olla::testing::InstallModel(server_->models_dir(), Model("ns/stories"),
                              olla::testing::TestdataPath("models/stories260K.gguf"));
  auto res = Post("/api/push", {{"model", Model("ns/stories")}, {"insecure", true}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/x-ndjson");
  auto lines = Lines(res->body);
  ASSERT_GE(lines.size(), 4u) << res->body;
  EXPECT_EQ(lines.front(), json({{"status", "retrieving manifest"}}));
  EXPECT_EQ(lines[lines.size() - 2], json({{"status", "pushing manifest"}}));
  EXPECT_EQ(lines.back(), json({{"status", "success"}}));

  res = client_->Delete("/api/delete", json({{"model", Model("ns/stories")}}).dump(),
                        "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;

  res = Post("/api/pull", {{"model", Model("ns/stories")}, {"insecure", true}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  lines = Lines(res->body);
  EXPECT_EQ(lines.front(), json({{"status", "pulling manifest"}}));
  EXPECT_EQ(lines.back(), json({{"status", "success"}}));
  bool saw_layer = false;
  for (const json& l : lines) {
    if (!l.contains("digest")) continue;
    saw_layer = true;
    EXPECT_EQ(l["status"], "pulling " + l["digest"].get<std::string>().substr(7, 12));
    EXPECT_GT(l["total"].get<int64_t>(), 0);
  }
  EXPECT_TRUE(saw_layer);

  // Not streamed: the last status object.
  res = Post("/api/pull", {{"model", Model("ns/stories")}, {"insecure", true}, {"stream", false}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(json::parse(res->body), json({{"status", "success"}}));

  res = client_->Get("/api/tags");
  ASSERT_TRUE(res);
  EXPECT_NE(res->body.find(Model("ns/stories")), std::string::npos) << res->body;
}

TEST_F(ApiPullPushTest, ErrorsAreOllamas) {
  const std::string missing = Model("ns/missing");
  auto res = Post("/api/pull", {{"model", missing}, {"insecure", true}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(Lines(res->body),
            (std::vector<json>{{{"status", "pulling manifest"}},
                               {{"error", "pull model manifest: file does not exist"}}}));

  res = Post("/api/pull", {{"model", missing}, {"insecure", true}, {"stream", false}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 500);
  EXPECT_EQ(json::parse(res->body), json({{"error", "pull model manifest: file does not exist"}}));

  res = Post("/api/pull", {{"model", "http://" + missing}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 500);
  EXPECT_EQ(json::parse(res->body), json({{"error", "insecure protocol http"}}));

  res = Post("/api/pull", {{"model", "bad name!"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(json::parse(res->body), json({{"error", "invalid model name"}}));

  res = Post("/api/push", json::object());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(json::parse(res->body), json({{"error", "model is required"}}));

  res = Post("/api/push", {{"model", missing}, {"insecure", true}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  auto lines = Lines(res->body);
  ASSERT_EQ(lines.size(), 3u) << res->body;
  EXPECT_EQ(lines[1], json({{"status", "couldn't retrieve manifest"}}));
  EXPECT_TRUE(lines[2].contains("error"));
}

}  // namespace
}  // namespace olla::registry
