// End to end over HTTP: `format` (grammar-constrained sampling), `logprobs`, tool calls and
// `think` on /api/generate and /api/chat (spec §3.4, §3.5, §9.6). The model has random weights
// (tiny-llama-q-F32): without constraints its output is gibberish, so valid JSON is the
// grammar's doing.

#include <httplib.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "grammar/json_validator.h"
#include "support/server_fixture.h"
#include "support/testdata.h"

namespace olla {
namespace {

using nlohmann::json;

// A Go template that lists the tools, whose assistant turns carry thinking between <think> tags
// (spec §9.6) and whose tool calls are bare JSON objects (Llama 3.1 style: tag "{").
constexpr const char* kThinkingTemplate =
    "{{- if .Tools }}<|tools|>{{ .Tools }}\n{{ end }}"
    "{{- range .Messages }}{{ if eq .Role \"user\" }}<|user|>{{ .Content }}\n"
    "{{ else if eq .Role \"assistant\" }}<|assistant|>{{ if .Thinking }}<think>{{ .Thinking "
    "}}</think>{{ end }}"
    "{{ if .ToolCalls }}{{ range .ToolCalls }}{\"name\": \"{{ .Function.Name }}\", \"parameters\": "
    "{{ .Function.Arguments }}}"
    "{{ end }}{{ else }}{{ .Content }}{{ end }}\n{{ end }}{{ end }}<|assistant|>{{ if .Think "
    "}}<think>\n{{ end }}";

class StructuredOutputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::InstallModel(server_.models_dir(), "tiny",
                          testing::TestdataPath("models/tiny-llama-q-F32.gguf"));
    testing::InstallModel(server_.models_dir(), "thinker",
                          testing::TestdataPath("models/tiny-llama-q-F32.gguf"), kThinkingTemplate);
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_.port());
    client_->set_read_timeout(120, 0);
  }
  httplib::Result Post(const std::string& path, const json& body) {
    return client_->Post(path.c_str(), body.dump(), "application/json");
  }
  json PostOk(const std::string& path, const json& body) {
    auto r = Post(path, body);
    EXPECT_TRUE(r);
    if (!r) return json();
    EXPECT_EQ(r->status, 200) << r->body;
    return json::parse(r->body, nullptr, false);
  }
  // The NDJSON lines of a streamed response.
  std::vector<json> PostStream(const std::string& path, const json& body) {
    std::vector<json> lines;
    auto r = Post(path, body);
    EXPECT_TRUE(r);
    if (!r) return lines;
    EXPECT_EQ(r->status, 200) << r->body;
    std::istringstream in(r->body);
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) lines.push_back(json::parse(line));
    return lines;
  }
  testing::ServerFixture server_;
  std::unique_ptr<httplib::Client> client_;
};

// `bytes` with each invalid UTF-8 byte replaced by U+FFFD, as the server's text is (the random
// model writes stray continuation bytes).
std::string Sanitized(const std::string& bytes) {
  return json::parse(json(bytes).dump(-1, ' ', false, json::error_handler_t::replace))
      .get<std::string>();
}

json Options(int64_t seed, int num_predict) {
  return {{"seed", seed}, {"temperature", 1.0}, {"num_predict", num_predict}};
}

TEST_F(StructuredOutputTest, SchemaTableAlwaysYieldsValidJson) {
  const std::vector<std::string> schemas = {
      // object with required properties (and an optional one)
      R"({"type":"object","properties":{"name":{"type":"string","maxLength":10},"age":{"type":"integer"},"ok":{"type":"boolean"},"note":{"type":"string","maxLength":4}},"required":["name","age","ok"]})",
      // enum
      R"({"type":"object","properties":{"color":{"enum":["red","green","blue"]}},"required":["color"]})",
      // array with minItems/maxItems
      R"({"type":"array","items":{"type":"integer","minimum":0,"maximum":99},"minItems":2,"maxItems":4})",
      // nested object
      R"({"type":"object","properties":{"point":{"type":"object","properties":{"x":{"type":"integer"},"y":{"type":"integer"}},"required":["x","y"]},"label":{"type":"string","maxLength":6}},"required":["point","label"]})",
      // anyOf
      R"({"type":"object","properties":{"v":{"anyOf":[{"type":"integer"},{"type":"boolean"},{"type":"string","maxLength":3}]}},"required":["v"]})",
      // string with maxLength
      R"({"type":"string","maxLength":12})",
      // integer
      R"({"type":"integer","minimum":-50,"maximum":5000})",
  };
  for (const std::string& schema : schemas) {
    for (int64_t seed : {1, 2, 3}) {
      json j = PostOk("/api/generate", {{"model", "tiny"},
                                        {"prompt", "Once upon a time"},
                                        {"stream", false},
                                        {"format", json::parse(schema)},
                                        {"options", Options(seed, 300)}});
      const std::string out = j.value("response", "");
      EXPECT_EQ(j["done_reason"], "stop") << schema << " seed " << seed << ": " << out;
      EXPECT_FALSE(json::parse(out, nullptr, false).is_discarded()) << schema << ": " << out;
      Status valid = grammar::ValidateJson(out, schema);
      EXPECT_TRUE(valid.ok()) << schema << " seed " << seed << ": " << out << ": "
                              << valid.ToString();
    }
  }
}

TEST_F(StructuredOutputTest, PropertiesComeInTheClientsOrder) {
  const std::string schema =
      R"({"type":"object","properties":{"zulu":{"type":"boolean"},"alpha":{"type":"integer","minimum":0,"maximum":9}},"required":["zulu","alpha"]})";
  // Sent as text, so that "zulu" precedes "alpha" on the wire.
  const std::string body =
      R"({"model":"tiny","prompt":"Hi","stream":false,"options":{"seed":4,"num_predict":100},"format":)" +
      schema + "}";
  auto r = client_->Post("/api/generate", body, "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const std::string out = json::parse(r->body)["response"];
  EXPECT_TRUE(grammar::ValidateJson(out, schema).ok()) << out;
  EXPECT_LT(out.find("zulu"), out.find("alpha")) << out;
}

TEST_F(StructuredOutputTest, FormatJsonYieldsAnObject) {
  for (int64_t seed : {1, 2}) {
    json j = PostOk("/api/generate", {{"model", "tiny"},
                                      {"prompt", "Once upon a time"},
                                      {"stream", false},
                                      {"format", "json"},
                                      {"options", Options(seed, 1500)}});
    const std::string out = j.value("response", "");
    ASSERT_EQ(j["done_reason"], "stop") << out;
    json parsed = json::parse(out, nullptr, false);
    EXPECT_TRUE(parsed.is_object()) << out;
  }
  // Streamed, on /api/chat: the concatenated content is the JSON.
  std::string content;
  auto lines = PostStream("/api/chat", {{"model", "tiny"},
                                        {"messages", {{{"role", "user"}, {"content", "hi"}}}},
                                        {"format", "json"},
                                        {"options", Options(3, 1500)}});
  ASSERT_FALSE(lines.empty());
  for (const auto& l : lines) content += l["message"]["content"].get<std::string>();
  EXPECT_EQ(lines.back()["done_reason"], "stop") << content;
  EXPECT_TRUE(json::parse(content, nullptr, false).is_object()) << content;
}

TEST_F(StructuredOutputTest, BadFormatsAre400) {
  for (const char* path : {"/api/generate", "/api/chat"}) {
    json base = {{"model", "tiny"},
                 {"prompt", "x"},
                 {"messages", {{{"role", "user"}, {"content", "x"}}}},
                 {"stream", false}};
    base["format"] = "xml";
    auto r = Post(path, base);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << path;
    EXPECT_EQ(json::parse(r->body)["error"],
              R"(invalid format: "\"xml\""; expected "json" or a valid JSON Schema object)");
    base["format"] = json::parse(
        R"({"type":"object","properties":{"a":{"type":"string","not":{"maxLength":3}}}})");
    r = Post(path, base);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << path;
    const std::string msg = json::parse(r->body)["error"];
    EXPECT_NE(msg.find("unsupported keyword 'not'"), std::string::npos) << msg;
    base["format"] = 7;
    r = Post(path, base);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << path;
  }
}

TEST_F(StructuredOutputTest, LogprobsNonStreaming) {
  json j = PostOk("/api/generate", {{"model", "tiny"},
                                    {"prompt", "Once upon a time"},
                                    {"stream", false},
                                    {"logprobs", true},
                                    {"top_logprobs", 2},
                                    {"options", {{"temperature", 0}, {"num_predict", 8}}}});
  ASSERT_TRUE(j["logprobs"].is_array()) << j.dump();
  ASSERT_EQ(j["logprobs"].size(), j["eval_count"].get<size_t>());
  // `bytes` are the token's raw bytes; `token` is their text (a token that ends inside a UTF-8
  // character shows U+FFFD there, as in Ollama's JSON).
  std::string text;
  for (const auto& lp : j["logprobs"]) {
    const std::string token = lp["token"];
    for (int b : lp["bytes"]) text += static_cast<char>(b);
    EXPECT_LE(lp["logprob"].get<double>(), 0.0);
    ASSERT_EQ(lp["top_logprobs"].size(), 2u);
    EXPECT_EQ(lp["top_logprobs"][0]["token"], token);  // greedy: the best alternative
    EXPECT_GE(lp["top_logprobs"][0]["logprob"].get<double>(),
              lp["top_logprobs"][1]["logprob"].get<double>());
  }
  EXPECT_EQ(Sanitized(text), j["response"].get<std::string>());
  // Without `logprobs` there are none.
  json plain = PostOk("/api/generate", {{"model", "tiny"},
                                        {"prompt", "Once"},
                                        {"stream", false},
                                        {"options", {{"temperature", 0}, {"num_predict", 4}}}});
  EXPECT_FALSE(plain.contains("logprobs"));
}

TEST_F(StructuredOutputTest, LogprobsStreamWithTheirChunks) {
  for (const char* path : {"/api/generate", "/api/chat"}) {
    const bool chat = std::string(path) == "/api/chat";
    json body = {{"model", "tiny"},
                 {"logprobs", true},
                 {"options", {{"temperature", 0}, {"num_predict", 10}}}};
    if (chat)
      body["messages"] = {{{"role", "user"}, {"content", "Once upon a time"}}};
    else
      body["prompt"] = "Once upon a time";
    auto lines = PostStream(path, body);
    ASSERT_GE(lines.size(), 2u);
    size_t n = 0;
    std::string all_tokens, all_text;
    for (const auto& l : lines) {
      all_text +=
          chat ? l["message"]["content"].get<std::string>() : l["response"].get<std::string>();
      if (!l.contains("logprobs")) continue;
      for (const auto& lp : l["logprobs"])
        for (int b : lp["bytes"]) all_tokens += static_cast<char>(b);
      n += l["logprobs"].size();
      EXPECT_FALSE(l["logprobs"][0].contains("top_logprobs"));
    }
    EXPECT_EQ(n, lines.back()["eval_count"].get<size_t>()) << path;
    EXPECT_EQ(Sanitized(all_tokens), all_text) << path;
  }
}

TEST_F(StructuredOutputTest, TopLogprobsBoundsAre400) {
  for (const char* path : {"/api/generate", "/api/chat"}) {
    for (int bad : {-1, 21}) {
      auto r = Post(path,
                    {{"model", "tiny"}, {"prompt", "x"}, {"top_logprobs", bad}, {"stream", false}});
      ASSERT_TRUE(r);
      EXPECT_EQ(r->status, 400) << path << " " << bad;
      EXPECT_EQ(json::parse(r->body)["error"], "top_logprobs must be between 0 and 20");
    }
  }
}

// The grammar forces the model to write a Llama-3.1-style call; the server parses it into
// message.tool_calls.
TEST_F(StructuredOutputTest, ToolCallsAreParsedFromTheOutput) {
  const json tools =
      json::parse(R"([{"type":"function","function":{"name":"get_weather","description":"Weather",
      "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}])");
  const json format = json::parse(
      R"({"type":"object","properties":{"name":{"enum":["get_weather"]},"parameters":{"type":"object","properties":{"city":{"type":"string","maxLength":8}},"required":["city"]}},"required":["name","parameters"]})");
  json body = {{"model", "thinker"},
               {"think", false},
               {"messages", {{{"role", "user"}, {"content", "Weather in Oslo?"}}}},
               {"tools", tools},
               {"format", format},
               {"stream", false},
               {"options", Options(1, 200)}};
  json j = PostOk("/api/chat", body);
  ASSERT_TRUE(j["message"].contains("tool_calls")) << j.dump();
  ASSERT_EQ(j["message"]["tool_calls"].size(), 1u);
  const json& call = j["message"]["tool_calls"][0];
  EXPECT_EQ(call["function"]["name"], "get_weather");
  EXPECT_EQ(call["function"]["index"], 0);
  EXPECT_TRUE(call["function"]["arguments"]["city"].is_string());
  EXPECT_EQ(call["id"].get<std::string>().rfind("call_", 0), 0u);
  EXPECT_EQ(call["id"].get<std::string>().size(), 13u);
  EXPECT_EQ(j["message"]["content"], "");

  // Streaming: the call arrives in a chunk of its own, and no content leaks.
  body["stream"] = true;
  auto lines = PostStream("/api/chat", body);
  size_t calls = 0;
  std::string content;
  for (const auto& l : lines) {
    content += l["message"]["content"].get<std::string>();
    if (l["message"].contains("tool_calls")) calls += l["message"]["tool_calls"].size();
  }
  EXPECT_EQ(calls, 1u);
  EXPECT_EQ(content, "");

  // Without tools in the request the same output is content.
  body.erase("tools");
  body["stream"] = false;
  json plain = PostOk("/api/chat", body);
  EXPECT_FALSE(plain["message"].contains("tool_calls"));
  EXPECT_TRUE(
      json::parse(plain["message"]["content"].get<std::string>(), nullptr, false).is_object());
}

TEST_F(StructuredOutputTest, ThinkingIsSplitFromContent) {
  // The template opens <think> at the end of the prompt, so the output starts inside thinking;
  // the random model never writes </think>, so everything is thinking.
  for (const json& think : {json(true), json("high"), json(nullptr)}) {  // unset: on by default
    json body = {{"model", "thinker"},
                 {"messages", {{{"role", "user"}, {"content", "hi"}}}},
                 {"stream", false},
                 {"options", {{"temperature", 0}, {"num_predict", 12}}}};
    if (!think.is_null()) body["think"] = think;
    json j = PostOk("/api/chat", body);
    EXPECT_FALSE(j["message"].value("thinking", "").empty()) << j.dump();
    EXPECT_EQ(j["message"]["content"], "") << j.dump();
    json g = PostOk("/api/generate", {{"model", "thinker"},
                                      {"prompt", "hi"},
                                      {"stream", false},
                                      {"think", true},
                                      {"options", {{"temperature", 0}, {"num_predict", 12}}}});
    EXPECT_FALSE(g.value("thinking", "").empty()) << g.dump();
    EXPECT_EQ(g["response"], "") << g.dump();
  }
  // Streamed: thinking arrives in chunks.
  auto lines = PostStream("/api/chat", {{"model", "thinker"},
                                        {"messages", {{{"role", "user"}, {"content", "hi"}}}},
                                        {"think", true},
                                        {"options", {{"temperature", 0}, {"num_predict", 12}}}});
  std::string thinking;
  for (const auto& l : lines) thinking += l["message"].value("thinking", "");
  EXPECT_FALSE(thinking.empty());
  // think: false renders no <think> and passes the text through as content.
  json off = PostOk("/api/chat", {{"model", "thinker"},
                                  {"messages", {{{"role", "user"}, {"content", "hi"}}}},
                                  {"think", false},
                                  {"stream", false},
                                  {"options", {{"temperature", 0}, {"num_predict", 12}}}});
  EXPECT_FALSE(off["message"].contains("thinking")) << off.dump();
  EXPECT_FALSE(off["message"]["content"].get<std::string>().empty()) << off.dump();
}

TEST_F(StructuredOutputTest, FormatOnAThinkingModelLeavesTheThinkingFree) {
  const json schema =
      json::parse(R"({"type":"object","properties":{"n":{"type":"integer"}},"required":["n"]})");
  // Thinking on: the prompt opens <think>, the random model never closes it, so all output is
  // unconstrained thinking (with the grammar from the start it would begin with '{').
  json on = PostOk("/api/chat", {{"model", "thinker"},
                                 {"messages", {{{"role", "user"}, {"content", "hi"}}}},
                                 {"think", true},
                                 {"format", schema},
                                 {"stream", false},
                                 {"options", Options(1, 16)}});
  const std::string thinking = on["message"].value("thinking", "");
  ASSERT_FALSE(thinking.empty()) << on.dump();
  EXPECT_NE(thinking[0], '{') << thinking;
  EXPECT_EQ(on["message"]["content"], "");
  // Thinking off: the content follows the schema from the start.
  json off = PostOk("/api/chat", {{"model", "thinker"},
                                  {"messages", {{{"role", "user"}, {"content", "hi"}}}},
                                  {"think", false},
                                  {"format", schema},
                                  {"stream", false},
                                  {"options", Options(1, 100)}});
  const std::string content = off["message"]["content"];
  EXPECT_TRUE(grammar::ValidateJson(content, schema.dump()).ok()) << content;
}

TEST_F(StructuredOutputTest, ShowReportsTemplateCapabilities) {
  json thinker = PostOk("/api/show", {{"model", "thinker"}});
  EXPECT_EQ(thinker["capabilities"], json::array({"completion", "tools", "thinking"}))
      << thinker["capabilities"];
  json tiny = PostOk("/api/show", {{"model", "tiny"}});
  EXPECT_EQ(tiny["capabilities"], json::array({"completion"}));
}

TEST_F(StructuredOutputTest, ToolsOnAModelWithoutToolsAre400) {
  auto r = Post(
      "/api/chat",
      {{"model", "tiny"},
       {"messages", {{{"role", "user"}, {"content", "x"}}}},
       {"stream", false},
       {"tools", json::parse(R"([{"type":"function","function":{"name":"f","parameters":{}}}])")}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(json::parse(r->body)["error"],
            "registry.ollama.ai/library/tiny:latest does not support tools");
}

TEST_F(StructuredOutputTest, ThinkErrors) {
  for (const char* path : {"/api/generate", "/api/chat"}) {
    json body = {
        {"model", "tiny"}, {"prompt", "x"}, {"messages", {{{"role", "user"}, {"content", "x"}}}},
        {"stream", false}, {"think", true}, {"options", {{"num_predict", 4}}}};
    auto r = Post(path, body);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << path;
    EXPECT_EQ(json::parse(r->body)["error"], "\"tiny\" does not support thinking");
    body["think"] = false;  // always accepted
    r = Post(path, body);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << path << r->body;
    body["think"] = "loud";
    r = Post(path, body);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    EXPECT_EQ(
        json::parse(r->body)["error"],
        R"(invalid think value: "loud" (must be "high", "medium", "low", "max", true, or false))");
    body["think"] = 3;
    r = Post(path, body);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    EXPECT_EQ(
        json::parse(r->body)["error"],
        R"(think must be a boolean or string ("high", "medium", "low", "max", true, or false))");
  }
}

}  // namespace
}  // namespace olla
