// End-to-end tests of the Anthropic-compatible POST /v1/messages of `olla serve` (spec §4.8).

#include <httplib.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/server_fixture.h"
#include "support/testdata.h"

namespace olla {
namespace {

using nlohmann::json;

// Named server-sent events "event: <type>\ndata: <json>\n\n"; checks that each name matches its
// data's "type".
std::vector<json> NamedEvents(const std::string& body) {
  std::vector<json> out;
  size_t pos = 0;
  while (pos < body.size()) {
    const size_t end = body.find("\n\n", pos);
    if (end == std::string::npos) {
      ADD_FAILURE() << "unterminated event: " << body.substr(pos);
      break;
    }
    const std::string event = body.substr(pos, end - pos);
    const size_t nl = event.find('\n');
    EXPECT_EQ(event.rfind("event: ", 0), 0u) << event;
    EXPECT_EQ(event.compare(nl + 1, 6, "data: "), 0) << event;
    json data = json::parse(event.substr(nl + 7));
    EXPECT_EQ(data["type"], event.substr(7, nl - 7)) << event;
    out.push_back(std::move(data));
    pos = end + 2;
  }
  return out;
}

class AnthropicApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A template whose rendering is plain text for stories260K: the reply continues the story.
    testing::InstallModel(server_.models_dir(), "storychat",
                          testing::TestdataPath("models/stories260K.gguf"),
                          "{{ range .Messages }}{{ .Content }}{{ end }}");
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_.port());
    client_->set_read_timeout(60, 0);
  }
  httplib::Result Post(const json& body) {
    httplib::Headers headers = {{"x-api-key", "anything"}, {"anthropic-version", "2023-06-01"}};
    return client_->Post("/v1/messages", headers, body.dump(), "application/json");
  }
  // Checks Anthropic's error shape and returns the message.
  static std::string ErrorMessage(const httplib::Result& r, int status, const char* type) {
    EXPECT_EQ(r->status, status) << r->body;
    json j = json::parse(r->body);
    EXPECT_EQ(j["type"], "error") << j;
    EXPECT_EQ(j["error"]["type"], type) << j;
    return j["error"]["message"].get<std::string>();
  }
  testing::ServerFixture server_;
  std::unique_ptr<httplib::Client> client_;
};

const json kStory = {{"model", "storychat"},
                     {"max_tokens", 8},
                     {"temperature", 0},
                     {"messages", {{{"role", "user"}, {"content", "Once upon a time"}}}}};

TEST_F(AnthropicApiTest, MessageNonStreaming) {
  auto r = Post(kStory);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
  json j = json::parse(r->body);
  EXPECT_EQ(j["type"], "message");
  EXPECT_EQ(j["id"].get<std::string>().rfind("msg_", 0), 0u) << j;
  EXPECT_EQ(j["role"], "assistant");
  EXPECT_EQ(j["model"], "storychat");
  ASSERT_EQ(j["content"].size(), 1u) << j;
  EXPECT_EQ(j["content"][0]["type"], "text");
  EXPECT_EQ(j["content"][0]["text"].get<std::string>().rfind(", there was a", 0), 0u) << j;
  EXPECT_EQ(j["stop_reason"], "max_tokens");
  EXPECT_EQ(j["usage"]["input_tokens"], 5);
  EXPECT_EQ(j["usage"]["output_tokens"], 8);

  // stop_sequences end generation before " little"; a system prompt as blocks leads the prompt.
  json stopped = kStory;
  stopped["max_tokens"] = 20;
  stopped["stop_sequences"] = {" little"};
  auto s = json::parse(Post(stopped)->body);
  EXPECT_EQ(s["content"][0]["text"], ", there was a") << s;
  EXPECT_EQ(s["stop_reason"], "end_turn");
  json with_system = kStory;
  with_system["system"] = {{{"type", "text"}, {"text", "Once upon"}}};
  with_system["messages"][0]["content"] = {{{"type", "text"}, {"text", " a time"}}};
  auto w = json::parse(Post(with_system)->body);
  EXPECT_EQ(w["content"][0]["text"], j["content"][0]["text"]) << w;

  // `thinking` on a model without thinking: the request proceeds without it (§4.8).
  json thinking = kStory;
  thinking["thinking"] = {{"type", "enabled"}, {"budget_tokens", 1024}};
  auto t = Post(thinking);
  ASSERT_EQ(t->status, 200) << t->body;
  EXPECT_EQ(json::parse(t->body)["content"][0]["text"], j["content"][0]["text"]);
}

TEST_F(AnthropicApiTest, MessageStreamsNamedEvents) {
  const json whole = json::parse(Post(kStory)->body);
  json body = kStory;
  body["stream"] = true;
  auto r = Post(body);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/event-stream");
  const std::vector<json> events = NamedEvents(r->body);
  ASSERT_GE(events.size(), 7u) << r->body;
  EXPECT_EQ(events[0]["type"], "message_start");
  EXPECT_EQ(events[0]["message"]["id"].get<std::string>().rfind("msg_", 0), 0u);
  EXPECT_EQ(events[0]["message"]["model"], "storychat");
  EXPECT_EQ(events[0]["message"]["content"], json::array());
  EXPECT_EQ(events[1]["type"], "ping");
  EXPECT_EQ(events[2]["type"], "content_block_start");
  EXPECT_EQ(events[2]["content_block"], json({{"type", "text"}, {"text", ""}}));
  std::string text;
  size_t i = 3;
  for (; i < events.size() && events[i]["type"] == "content_block_delta"; ++i) {
    EXPECT_EQ(events[i]["index"], 0);
    EXPECT_EQ(events[i]["delta"]["type"], "text_delta");
    text += events[i]["delta"]["text"].get<std::string>();
  }
  EXPECT_EQ(text, whole["content"][0]["text"]);
  ASSERT_EQ(events.size(), i + 3) << r->body;
  EXPECT_EQ(events[i]["type"], "content_block_stop");
  EXPECT_EQ(events[i + 1]["type"], "message_delta");
  EXPECT_EQ(events[i + 1]["delta"]["stop_reason"], "max_tokens");
  EXPECT_EQ(events[i + 1]["usage"]["output_tokens"], 8);
  EXPECT_EQ(events[i + 1]["usage"]["input_tokens"], 5);
  EXPECT_EQ(events[i + 2]["type"], "message_stop");
}

TEST_F(AnthropicApiTest, Errors) {
  json unknown = kStory;
  unknown["model"] = "nope";
  EXPECT_NE(ErrorMessage(Post(unknown), 404, "not_found_error").find("not found"),
            std::string::npos);
  unknown["stream"] = true;
  EXPECT_NE(ErrorMessage(Post(unknown), 404, "not_found_error").find("not found"),
            std::string::npos);

  json no_max = kStory;
  no_max.erase("max_tokens");
  EXPECT_EQ(ErrorMessage(Post(no_max), 400, "invalid_request_error"),
            "max_tokens is required and must be positive");
  json no_messages = kStory;
  no_messages["messages"] = json::array();
  EXPECT_EQ(ErrorMessage(Post(no_messages), 400, "invalid_request_error"), "messages is required");
  json url_image = kStory;
  url_image["messages"][0]["content"] = {
      {{"type", "image"}, {"source", {{"type", "url"}, {"url", "https://x/y.png"}}}}};
  EXPECT_EQ(ErrorMessage(Post(url_image), 400, "invalid_request_error"),
            "invalid image source type: url. Only base64 images are supported.");
  auto bad = client_->Post("/v1/messages", "{not json", "application/json");
  ErrorMessage(bad, 400, "invalid_request_error");
}

}  // namespace
}  // namespace olla
