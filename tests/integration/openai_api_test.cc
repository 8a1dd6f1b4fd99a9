// End-to-end tests of the OpenAI-compatible /v1 routes of `olla serve` (spec §4.1-§4.5).

#include <httplib.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

#include "support/server_fixture.h"
#include "support/testdata.h"

namespace olla {
namespace {

using nlohmann::json;

// The `data:` payloads of a server-sent event stream, in order ("[DONE]" included as a string).
std::vector<std::string> SseData(const std::string& body) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t end = body.find("\n\n", pos);
    if (end == std::string::npos) {
      ADD_FAILURE() << "unterminated event: " << body.substr(pos);
      break;
    }
    std::string event = body.substr(pos, end - pos);
    EXPECT_EQ(event.rfind("data: ", 0), 0u) << event;
    out.push_back(event.substr(6));
    pos = end + 2;
  }
  return out;
}

std::string Base64Decode(const std::string& in) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
  };
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    acc = (acc << 6) | static_cast<uint32_t>(value(c));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

class OpenAiApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::InstallModel(server_.models_dir(), "stories",
                          testing::TestdataPath("models/stories260K.gguf"));
    // A template whose rendering is plain text for stories260K: the reply continues the story.
    testing::InstallModel(server_.models_dir(), "storychat",
                          testing::TestdataPath("models/stories260K.gguf"),
                          "{{ range .Messages }}{{ .Content }}{{ end }}");
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_.port());
    client_->set_read_timeout(60, 0);
  }
  httplib::Result Post(const std::string& path, const json& body) {
    return client_->Post(path.c_str(), body.dump(), "application/json");
  }
  // Checks an OpenAI error envelope and returns its message.
  static std::string ErrorMessage(const httplib::Result& r, int status, const char* type) {
    EXPECT_EQ(r->status, status) << r->body;
    json j = json::parse(r->body);
    EXPECT_EQ(j["error"]["type"], type) << j;
    EXPECT_TRUE(j["error"].contains("param") && j["error"]["param"].is_null()) << j;
    EXPECT_TRUE(j["error"].contains("code") && j["error"]["code"].is_null()) << j;
    return j["error"]["message"].get<std::string>();
  }
  testing::ServerFixture server_;
  std::unique_ptr<httplib::Client> client_;
};

const json kStoryMessages = {{{"role", "user"}, {"content", "Once upon a time"}}};

TEST_F(OpenAiApiTest, ChatCompletionNonStreaming) {
  auto r = Post("/v1/chat/completions", {{"model", "storychat"},
                                         {"messages", kStoryMessages},
                                         {"temperature", 0},
                                         {"max_tokens", 8}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
  json j = json::parse(r->body);
  EXPECT_EQ(j["object"], "chat.completion");
  EXPECT_EQ(j["id"].get<std::string>().rfind("chatcmpl-", 0), 0u);
  EXPECT_EQ(j["model"], "storychat");
  EXPECT_EQ(j["system_fingerprint"], "fp_ollama");
  EXPECT_GT(j["created"].get<int64_t>(), 1600000000);
  ASSERT_EQ(j["choices"].size(), 1u);
  EXPECT_EQ(j["choices"][0]["message"]["role"], "assistant");
  EXPECT_EQ(j["choices"][0]["message"]["content"].get<std::string>().rfind(", there was a", 0), 0u)
      << j;
  EXPECT_EQ(j["choices"][0]["finish_reason"], "length");
  EXPECT_EQ(j["usage"]["completion_tokens"], 8);
  EXPECT_EQ(j["usage"]["prompt_tokens"], 5);
  EXPECT_EQ(j["usage"]["total_tokens"], 13);

  // stop strings map onto options.stop: generation ends before " little".
  auto stopped = Post("/v1/chat/completions", {{"model", "storychat"},
                                               {"messages", kStoryMessages},
                                               {"temperature", 0},
                                               {"max_tokens", 20},
                                               {"stop", " little"}});
  json s = json::parse(stopped->body);
  EXPECT_EQ(s["choices"][0]["message"]["content"], ", there was a") << s;
  EXPECT_EQ(s["choices"][0]["finish_reason"], "stop");
}

TEST_F(OpenAiApiTest, ChatCompletionStreamsServerSentEvents) {
  auto whole = json::parse(Post("/v1/chat/completions", {{"model", "storychat"},
                                                         {"messages", kStoryMessages},
                                                         {"temperature", 0},
                                                         {"max_tokens", 8}})
                               ->body);
  auto r = Post("/v1/chat/completions", {{"model", "storychat"},
                                         {"messages", kStoryMessages},
                                         {"temperature", 0},
                                         {"max_tokens", 8},
                                         {"stream", true},
                                         {"stream_options", {{"include_usage", true}}}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/event-stream");
  std::vector<std::string> events = SseData(r->body);
  ASSERT_GE(events.size(), 4u);
  EXPECT_EQ(events.back(), "[DONE]");
  std::vector<json> chunks;
  for (size_t i = 0; i + 1 < events.size(); ++i) chunks.push_back(json::parse(events[i]));
  // Content chunks, then the finish chunk, then the usage chunk.
  const json& usage = chunks.back();
  EXPECT_TRUE(usage["choices"].empty());
  EXPECT_EQ(usage["usage"]["completion_tokens"], 8);
  EXPECT_EQ(usage["usage"]["prompt_tokens"], 5);
  const json& finish = chunks[chunks.size() - 2];
  EXPECT_EQ(finish["choices"][0]["delta"], json::object());
  EXPECT_EQ(finish["choices"][0]["finish_reason"], "length");
  std::string text;
  const std::string id = chunks[0]["id"].get<std::string>();
  for (size_t i = 0; i + 2 < chunks.size(); ++i) {
    const json& c = chunks[i];
    EXPECT_EQ(c["object"], "chat.completion.chunk");
    EXPECT_EQ(c["id"], id);
    EXPECT_EQ(c["choices"][0]["delta"].contains("role"), i == 0) << c;
    EXPECT_TRUE(c["choices"][0]["finish_reason"].is_null());
    EXPECT_FALSE(c.contains("usage"));
    text += c["choices"][0]["delta"]["content"].get<std::string>();
  }
  EXPECT_EQ(text, whole["choices"][0]["message"]["content"].get<std::string>());

  // Without include_usage: no usage chunk, the finish chunk is last before [DONE].
  auto plain = Post("/v1/chat/completions", {{"model", "storychat"},
                                             {"messages", kStoryMessages},
                                             {"temperature", 0},
                                             {"max_tokens", 2},
                                             {"stream", true}});
  std::vector<std::string> plain_events = SseData(plain->body);
  ASSERT_GE(plain_events.size(), 3u);
  EXPECT_EQ(json::parse(plain_events[plain_events.size() - 2])["choices"][0]["finish_reason"],
            "length");
}

TEST_F(OpenAiApiTest, ChatCompletionErrors) {
  auto missing = Post("/v1/chat/completions", {{"model", "nope"}, {"messages", kStoryMessages}});
  EXPECT_EQ(ErrorMessage(missing, 404, "not_found_error"), "model 'nope' not found");
  auto empty = Post("/v1/chat/completions", {{"model", "storychat"}, {"messages", json::array()}});
  EXPECT_EQ(ErrorMessage(empty, 400, "invalid_request_error"), "[] is too short - 'messages'");
  auto no_model = Post("/v1/chat/completions", {{"messages", kStoryMessages}});
  EXPECT_EQ(ErrorMessage(no_model, 400, "invalid_request_error"), "model is required");
  auto bad_json = client_->Post("/v1/chat/completions", "{\"model\":", "application/json");
  ErrorMessage(bad_json, 400, "invalid_request_error");
  auto url_image = Post(
      "/v1/chat/completions",
      {{"model", "storychat"},
       {"messages",
        {{{"role", "user"},
          {"content",
           {{{"type", "image_url"}, {"image_url", {{"url", "https://example.com/x.png"}}}}}}}}}});
  EXPECT_EQ(ErrorMessage(url_image, 400, "invalid_request_error"),
            "image URLs are not currently supported, please use base64 encoded data instead");
  auto bad_option = Post("/v1/chat/completions",
                         {{"model", "storychat"}, {"messages", kStoryMessages}, {"seed", "x"}});
  ErrorMessage(bad_option, 400, "invalid_request_error");
}

TEST_F(OpenAiApiTest, CompletionsNonStreamingAndStreaming) {
  auto r = Post("/v1/completions", {{"model", "stories"},
                                    {"prompt", "Once upon a time"},
                                    {"temperature", 0},
                                    {"max_tokens", 12}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  json j = json::parse(r->body);
  EXPECT_EQ(j["object"], "text_completion");
  EXPECT_EQ(j["id"].get<std::string>().rfind("cmpl-", 0), 0u);
  const std::string text = j["choices"][0]["text"].get<std::string>();
  EXPECT_EQ(text.rfind(", there was a little girl named Lily", 0), 0u) << j;
  EXPECT_EQ(j["choices"][0]["finish_reason"], "length");
  EXPECT_EQ(j["usage"],
            json({{"prompt_tokens", 5}, {"completion_tokens", 12}, {"total_tokens", 17}}));

  auto s = Post("/v1/completions", {{"model", "stories"},
                                    {"prompt", "Once upon a time"},
                                    {"temperature", 0},
                                    {"max_tokens", 12},
                                    {"stream", true},
                                    {"stream_options", {{"include_usage", true}}}});
  ASSERT_EQ(s->status, 200) << s->body;
  EXPECT_EQ(s->get_header_value("Content-Type"), "text/event-stream");
  std::vector<std::string> events = SseData(s->body);
  ASSERT_GE(events.size(), 3u);
  EXPECT_EQ(events.back(), "[DONE]");
  json usage = json::parse(events[events.size() - 2]);
  EXPECT_TRUE(usage["choices"].empty());
  EXPECT_EQ(usage["usage"]["total_tokens"], 17);
  std::string streamed;
  for (size_t i = 0; i + 2 < events.size(); ++i) {
    json c = json::parse(events[i]);
    EXPECT_EQ(c["object"], "text_completion");
    streamed += c["choices"][0]["text"].get<std::string>();
    const bool last = i + 3 == events.size();
    EXPECT_EQ(c["choices"][0]["finish_reason"], last ? json("length") : json(nullptr)) << c;
  }
  EXPECT_EQ(streamed, text);

  auto bad_stop =
      Post("/v1/completions", {{"model", "stories"}, {"prompt", "x"}, {"stop", {"a", 1}}});
  EXPECT_EQ(ErrorMessage(bad_stop, 400, "invalid_request_error"),
            "invalid type for 'stop' field: float64");
  auto missing = Post("/v1/completions", {{"model", "nope"}, {"prompt", "x"}});
  EXPECT_EQ(ErrorMessage(missing, 404, "not_found_error"), "model 'nope' not found");
}

TEST_F(OpenAiApiTest, EmbeddingsMatchReference) {
  testing::InstallModel(server_.models_dir(), "bert",
                        testing::TestdataPath("models/tiny-bert-F32.gguf"));
  const std::string text = "The quick brown fox jumps over the lazy dog. Hello world!";
  auto r = Post("/v1/embeddings", {{"model", "bert"}, {"input", {text, "hello"}}});
  ASSERT_EQ(r->status, 200) << r->body;
  json j = json::parse(r->body);
  EXPECT_EQ(j["object"], "list");
  EXPECT_EQ(j["model"], "bert");
  ASSERT_EQ(j["data"].size(), 2u);
  EXPECT_EQ(j["data"][1]["index"], 1);
  EXPECT_EQ(j["data"][0]["object"], "embedding");
  EXPECT_EQ(j["usage"],
            json({{"prompt_tokens", 18}, {"total_tokens", 18}}));  // 15 + [CLS] hello [SEP]
  std::vector<float> ref =
      testing::ReadF32File(testing::TestdataPath("ref/tiny-bert-F32.embd-cls.bin"));
  double norm = 0;
  for (float x : ref) norm += double(x) * x;
  norm = std::sqrt(norm);
  const json& e = j["data"][0]["embedding"];
  ASSERT_EQ(e.size(), ref.size());
  for (size_t i = 0; i < ref.size(); ++i) EXPECT_NEAR(e[i].get<double>(), ref[i] / norm, 1e-4) << i;

  auto b =
      Post("/v1/embeddings", {{"model", "bert"}, {"input", text}, {"encoding_format", "base64"}});
  ASSERT_EQ(b->status, 200) << b->body;
  const std::string bytes =
      Base64Decode(json::parse(b->body)["data"][0]["embedding"].get<std::string>());
  ASSERT_EQ(bytes.size(), ref.size() * 4);
  for (size_t i = 0; i < ref.size(); ++i) {
    float v;
    std::memcpy(&v, bytes.data() + 4 * i, 4);
    EXPECT_NEAR(v, e[i].get<double>(), 1e-6) << i;
  }
  auto empty = Post("/v1/embeddings", {{"model", "bert"}, {"input", ""}});
  ASSERT_EQ(empty->status, 200) << empty->body;
  EXPECT_EQ(json::parse(empty->body)["data"].size(), 1u);  // "" is one input
  auto dims = Post("/v1/embeddings", {{"model", "bert"}, {"input", "hello"}, {"dimensions", 8}});
  EXPECT_EQ(json::parse(dims->body)["data"][0]["embedding"].size(), 8u);

  EXPECT_EQ(ErrorMessage(Post("/v1/embeddings", {{"model", "bert"}, {"input", json::array()}}), 400,
                         "invalid_request_error"),
            "invalid input");
  EXPECT_EQ(ErrorMessage(Post("/v1/embeddings",
                              {{"model", "bert"}, {"input", "x"}, {"encoding_format", "int8"}}),
                         400, "invalid_request_error"),
            "Invalid value for 'encoding_format' = int8. Supported values: ['float', 'base64'].");
  EXPECT_EQ(ErrorMessage(Post("/v1/embeddings", {{"model", "nope"}, {"input", "x"}}), 404,
                         "not_found_error"),
            "model \"nope\" not found, try pulling it first");
}

TEST_F(OpenAiApiTest, ResponsesNonStreamingAndStreaming) {
  auto r = Post("/v1/responses", {{"model", "storychat"},
                                  {"input", "Once upon a time"},
                                  {"temperature", 0},
                                  {"max_output_tokens", 8}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  json j = json::parse(r->body);
  EXPECT_EQ(j["object"], "response");
  EXPECT_EQ(j["id"].get<std::string>().rfind("resp_", 0), 0u);
  EXPECT_EQ(j["status"], "completed");
  ASSERT_EQ(j["output"].size(), 1u);
  EXPECT_EQ(j["output"][0]["type"], "message");
  const std::string text = j["output"][0]["content"][0]["text"].get<std::string>();
  EXPECT_EQ(text.rfind(", there was a", 0), 0u) << j;
  EXPECT_EQ(j["usage"]["output_tokens"], 8);
  EXPECT_EQ(j["usage"]["input_tokens"], 5);

  auto s = Post("/v1/responses", {{"model", "storychat"},
                                  {"input", "Once upon a time"},
                                  {"temperature", 0},
                                  {"max_output_tokens", 8},
                                  {"stream", true}});
  ASSERT_EQ(s->status, 200) << s->body;
  EXPECT_EQ(s->get_header_value("Content-Type"), "text/event-stream");
  // Named events: "event: <type>\ndata: <json>\n\n", no [DONE].
  std::vector<json> events;
  size_t pos = 0;
  while ((pos = s->body.find("event: ", pos)) != std::string::npos) {
    size_t nl = s->body.find('\n', pos);
    const std::string type = s->body.substr(pos + 7, nl - pos - 7);
    ASSERT_EQ(s->body.compare(nl + 1, 6, "data: "), 0);
    size_t end = s->body.find("\n\n", nl);
    json data = json::parse(s->body.substr(nl + 7, end - nl - 7));
    EXPECT_EQ(data["type"], type);
    EXPECT_EQ(data["sequence_number"], events.size());
    events.push_back(std::move(data));
    pos = end + 2;
  }
  EXPECT_EQ(s->body.find("[DONE]"), std::string::npos);
  ASSERT_GE(events.size(), 8u);
  EXPECT_EQ(events[0]["type"], "response.created");
  EXPECT_EQ(events[1]["type"], "response.in_progress");
  std::string streamed;
  for (const auto& e : events)
    if (e["type"] == "response.output_text.delta") streamed += e["delta"].get<std::string>();
  EXPECT_EQ(streamed, text);
  EXPECT_EQ(events.back()["type"], "response.completed");
  EXPECT_EQ(events.back()["response"]["output"][0]["content"][0]["text"], text);

  auto bad = Post("/v1/responses", {{"model", "storychat"}, {"input", {{{"type", "mystery"}}}}});
  EXPECT_EQ(ErrorMessage(bad, 400, "invalid_request_error"),
            "input[0]: unknown input item type: \"mystery\"");
  EXPECT_EQ(ErrorMessage(Post("/v1/responses", {{"model", "nope"}, {"input", "x"}}), 404,
                         "not_found_error"),
            "model 'nope' not found");
}

// The JSON Schema of response_format / text.format keeps the client's property order (the JSON
// library sorts keys; the grammar emits properties in schema order), so the output's keys come
// in schema order, not alphabetically.
TEST_F(OpenAiApiTest, SchemaPropertyOrderIsKept) {
  const std::string schema =
      R"({"type":"object","properties":{"zebra":{"type":"integer"},"apple":{"type":"boolean"},)"
      R"("mango":{"type":"string","maxLength":6}},"required":["zebra","apple","mango"]})";
  auto keys_in_order = [](const std::string& text) {
    const size_t z = text.find("\"zebra\""), a = text.find("\"apple\""), m = text.find("\"mango\"");
    return z != std::string::npos && a != std::string::npos && m != std::string::npos && z < a &&
           a < m;
  };
  auto chat = client_->Post(
      "/v1/chat/completions",
      R"({"model":"storychat","messages":[{"role":"user","content":"Once upon a time"}],)"
      R"("temperature":0,"max_tokens":64,"response_format":{"type":"json_schema",)"
      R"("json_schema":{"name":"s","schema":)" +
          schema + "}}}",
      "application/json");
  ASSERT_TRUE(chat);
  ASSERT_EQ(chat->status, 200) << chat->body;
  const std::string content =
      json::parse(chat->body)["choices"][0]["message"]["content"].get<std::string>();
  EXPECT_TRUE(json::accept(content)) << content;
  EXPECT_TRUE(keys_in_order(content)) << content;

  auto resp = client_->Post(
      "/v1/responses",
      R"({"model":"storychat","input":"Once upon a time","temperature":0,)"
      R"("max_output_tokens":64,"text":{"format":{"type":"json_schema","name":"s","schema":)" +
          schema + "}}}",
      "application/json");
  ASSERT_TRUE(resp);
  ASSERT_EQ(resp->status, 200) << resp->body;
  const std::string text =
      json::parse(resp->body)["output"][0]["content"][0]["text"].get<std::string>();
  EXPECT_TRUE(json::accept(text)) << text;
  EXPECT_TRUE(keys_in_order(text)) << text;
}

TEST_F(OpenAiApiTest, ModelsListAndRetrieve) {
  testing::InstallModel(server_.models_dir(), "team/tales:v2",
                        testing::TestdataPath("models/stories260K.gguf"));
  auto r = client_->Get("/v1/models");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  json j = json::parse(r->body);
  EXPECT_EQ(j["object"], "list");
  ASSERT_EQ(j["data"].size(), 3u);
  std::map<std::string, json> by_id;
  for (const auto& m : j["data"]) by_id[m["id"].get<std::string>()] = m;
  ASSERT_TRUE(by_id.count("stories:latest")) << j;
  ASSERT_TRUE(by_id.count("team/tales:v2")) << j;
  EXPECT_EQ(by_id["stories:latest"]["object"], "model");
  EXPECT_EQ(by_id["stories:latest"]["owned_by"], "library");
  EXPECT_EQ(by_id["team/tales:v2"]["owned_by"], "team");
  EXPECT_GT(by_id["stories:latest"]["created"].get<int64_t>(), 1600000000);

  auto one = client_->Get("/v1/models/stories");
  ASSERT_EQ(one->status, 200) << one->body;
  json m = json::parse(one->body);
  EXPECT_EQ(m["id"], "stories");  // the path parameter as given
  EXPECT_EQ(m["owned_by"], "library");
  EXPECT_EQ(m["created"], by_id["stories:latest"]["created"]);
  auto namespaced = client_->Get("/v1/models/team/tales:v2");
  ASSERT_EQ(namespaced->status, 200) << namespaced->body;
  EXPECT_EQ(json::parse(namespaced->body)["owned_by"], "team");
  ErrorMessage(client_->Get("/v1/models/nope"), 404, "not_found_error");
}

TEST_F(OpenAiApiTest, EmptyModelListIsAnArray) {
  auto del =
      client_->Delete("/api/delete", json({{"model", "stories"}}).dump(), "application/json");
  ASSERT_EQ(del->status, 200);
  auto del2 =
      client_->Delete("/api/delete", json({{"model", "storychat"}}).dump(), "application/json");
  ASSERT_EQ(del2->status, 200);
  json j = json::parse(client_->Get("/v1/models")->body);
  ASSERT_TRUE(j["data"].is_array()) << j;
  EXPECT_TRUE(j["data"].empty());
}

}  // namespace
}  // namespace olla
