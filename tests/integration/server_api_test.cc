// End-to-end tests of `olla serve`'s native API over HTTP on 127.0.0.1 (spec §3).

#include <httplib.h>
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/server_fixture.h"
#include "support/testdata.h"

namespace olla {
namespace {

using nlohmann::json;

class ServerApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::InstallModel(server_.models_dir(), "stories",
                          testing::TestdataPath("models/stories260K.gguf"));
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_.port());
    client_->set_read_timeout(60, 0);
  }
  httplib::Result Post(const std::string& path, const json& body) {
    return client_->Post(path.c_str(), body.dump(), "application/json");
  }
  testing::ServerFixture server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(ServerApiTest, RootVersionAndUnknownPaths) {
  auto r = client_->Get("/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "Ollama is running");
  auto h = client_->Head("/");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
  auto v = client_->Get("/api/version");
  ASSERT_TRUE(v);
  EXPECT_TRUE(json::parse(v->body).contains("version"));
  auto nf = client_->Get("/api/nope");
  ASSERT_TRUE(nf);
  EXPECT_EQ(nf->status, 404);
  EXPECT_EQ(nf->body, "404 page not found");
}

TEST_F(ServerApiTest, TagsListsInstalledModel) {
  auto r = client_->Get("/api/tags");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  json j = json::parse(r->body);
  ASSERT_EQ(j["models"].size(), 1u);
  EXPECT_EQ(j["models"][0]["name"], "stories:latest");
  EXPECT_EQ(j["models"][0]["digest"].get<std::string>().size(), 64u);
  EXPECT_GT(j["models"][0]["size"].get<int64_t>(), 1000000);
  EXPECT_EQ(j["models"][0]["details"]["family"], "llama");
}

TEST_F(ServerApiTest, GenerateNonStreamingIsGreedyReference) {
  auto r = Post("/api/generate", {{"model", "stories"},
                                  {"prompt", "Once upon a time"},
                                  {"stream", false},
                                  {"options", {{"temperature", 0}, {"num_predict", 12}}}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  json j = json::parse(r->body);
  EXPECT_EQ(j["model"], "stories");
  EXPECT_TRUE(j["done"].get<bool>());
  EXPECT_EQ(j["done_reason"], "length");
  EXPECT_EQ(j["response"].get<std::string>().rfind(", there was a little girl named Lily", 0), 0u)
      << j["response"];
  EXPECT_EQ(j["eval_count"], 12);
  EXPECT_EQ(j["prompt_eval_count"], 5);
  EXPECT_GT(j["total_duration"].get<int64_t>(), 0);
  EXPECT_EQ(j["context"].size(), 17u);
}

TEST_F(ServerApiTest, GenerateStreamsNdjson) {
  auto r = Post("/api/generate", {{"model", "stories"},
                                  {"prompt", "Once upon a time"},
                                  {"options", {{"temperature", 0}, {"num_predict", 6}}}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/x-ndjson");
  std::istringstream lines(r->body);
  std::string line, text;
  std::vector<json> objs;
  while (std::getline(lines, line)) objs.push_back(json::parse(line));
  ASSERT_GE(objs.size(), 2u);
  for (size_t i = 0; i + 1 < objs.size(); ++i) {
    EXPECT_FALSE(objs[i]["done"].get<bool>());
    text += objs[i]["response"].get<std::string>();
  }
  EXPECT_TRUE(objs.back()["done"].get<bool>());
  EXPECT_EQ(objs.back()["eval_count"], 6);
  EXPECT_EQ(text.rfind(", there was a", 0), 0u) << text;
}

TEST_F(ServerApiTest, GenerateErrors) {
  auto bad = client_->Post("/api/generate", "{\"model\":", "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_TRUE(json::parse(bad->body).contains("error"));
  auto empty = client_->Post("/api/generate", "", "application/json");
  EXPECT_EQ(json::parse(empty->body)["error"], "missing request body");
  auto missing = Post("/api/generate", {{"model", "nope"}, {"prompt", "x"}});
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(json::parse(missing->body)["error"], "model 'nope' not found");
  auto raw =
      Post("/api/generate",
           {{"model", "stories"}, {"prompt", "x"}, {"raw", true}, {"template", "{{ .Prompt }}"}});
  EXPECT_EQ(raw->status, 400);
  EXPECT_EQ(json::parse(raw->body)["error"],
            "raw mode does not support template, system, or context");
  auto wrong_type = Post("/api/generate", {{"model", "stories"}, {"prompt", 5}});
  EXPECT_EQ(wrong_type->status, 400);
  EXPECT_EQ(
      json::parse(wrong_type->body)["error"],
      "json: cannot unmarshal number into Go struct field GenerateRequest.prompt of type string");
  auto logprobs =
      Post("/api/generate", {{"model", "stories"}, {"prompt", "x"}, {"top_logprobs", 21}});
  EXPECT_EQ(logprobs->status, 400);
  auto opt = Post("/api/generate",
                  {{"model", "stories"}, {"prompt", "x"}, {"options", {{"top_k", "many"}}}});
  EXPECT_EQ(opt->status, 400);
  EXPECT_EQ(json::parse(opt->body)["error"], "option \"top_k\" must be of type integer");
}

// Spec §10.6: a prompt longer than num_ctx is truncated and the count reported, or refused with
// a 400 before any output when truncate or shift is false; a long answer shifts the window.
TEST_F(ServerApiTest, ContextWindowTruncationShiftAndRefusal) {
  std::string long_prompt;
  for (int i = 0; i < 40; ++i) long_prompt += "Once upon a time there was a girl. ";
  const json options = {{"num_ctx", 64}, {"temperature", 0}, {"num_predict", 4}};
  auto cut = Post(
      "/api/generate",
      {{"model", "stories"}, {"prompt", long_prompt}, {"stream", false}, {"options", options}});
  ASSERT_TRUE(cut);
  ASSERT_EQ(cut->status, 200) << cut->body;
  const json c = json::parse(cut->body);
  // keep = BOS + num_keep 4 = 5: the prompt becomes 64 - (64 - 5) / 2 = 35 tokens.
  EXPECT_EQ(c["prompt_eval_count"], 35);
  EXPECT_GT(c["prompt_truncated_count"].get<int>(), 100);
  EXPECT_EQ(c["eval_count"], 4);

  for (const json& flags : {json{{"truncate", false}}, json{{"shift", false}}}) {
    for (bool stream : {false, true}) {
      json body = {
          {"model", "stories"}, {"prompt", long_prompt}, {"stream", stream}, {"options", options}};
      body.update(flags);
      auto refused = Post("/api/generate", body);
      ASSERT_TRUE(refused);
      EXPECT_EQ(refused->status, 400) << flags.dump() << " " << refused->body;
      const std::string error = json::parse(refused->body).value("error", "");
      EXPECT_NE(error.find("longer than the context length"), std::string::npos) << error;
      if (flags.contains("truncate")) {
        EXPECT_NE(error.find("num_ctx 64"), std::string::npos) << error;
      }
      json chat = {{"model", "stories"},
                   {"messages", {{{"role", "user"}, {"content", long_prompt}}}},
                   {"stream", stream},
                   {"options", options}};
      chat.update(flags);
      auto chat_refused = Post("/api/chat", chat);
      ASSERT_TRUE(chat_refused);
      EXPECT_EQ(chat_refused->status, 400) << flags.dump() << " " << chat_refused->body;
    }
  }

  // An answer longer than the window keeps going (context shift) unless shift is false.
  const json small = {{"num_ctx", 32}, {"temperature", 0}, {"num_predict", 80}};
  auto shifted = Post("/api/generate", {{"model", "stories"},
                                        {"prompt", "Once upon a time"},
                                        {"stream", false},
                                        {"options", small}});
  ASSERT_EQ(shifted->status, 200) << shifted->body;
  EXPECT_EQ(json::parse(shifted->body)["eval_count"], 80);
  auto stopped = Post("/api/generate", {{"model", "stories"},
                                        {"prompt", "Once upon a time"},
                                        {"stream", false},
                                        {"shift", false},
                                        {"options", small}});
  ASSERT_EQ(stopped->status, 200) << stopped->body;
  const json st = json::parse(stopped->body);
  EXPECT_EQ(st["done_reason"], "length");
  EXPECT_LT(st["eval_count"].get<int>(), 32);
}

TEST_F(ServerApiTest, LoadPsAndUnload) {
  auto load = Post("/api/generate", {{"model", "stories"}});
  ASSERT_EQ(load->status, 200);
  EXPECT_EQ(json::parse(load->body)["done_reason"], "load");
  json ps = json::parse(client_->Get("/api/ps")->body);
  ASSERT_EQ(ps["models"].size(), 1u);
  EXPECT_EQ(ps["models"][0]["name"], "stories:latest");
  EXPECT_EQ(ps["models"][0]["context_length"], 2048);  // min(4096, trained context)
  auto unload = Post("/api/generate", {{"model", "stories"}, {"keep_alive", 0}});
  EXPECT_EQ(json::parse(unload->body)["done_reason"], "unload");
  EXPECT_TRUE(json::parse(client_->Get("/api/ps")->body)["models"].empty());
  auto bad_ka = Post("/api/generate", {{"model", "stories"}, {"keep_alive", true}});
  EXPECT_EQ(bad_ka->status, 400);
}

TEST_F(ServerApiTest, ShowCopyDelete) {
  auto show = Post("/api/show", {{"model", "stories"}});
  ASSERT_EQ(show->status, 200) << show->body;
  json s = json::parse(show->body);
  EXPECT_EQ(s["model_info"]["general.architecture"], "llama");
  EXPECT_EQ(s["model_info"]["tokenizer.ggml.tokens"], json::array());  // long arrays blanked
  EXPECT_EQ(s["template"], "{{ .Prompt }}");
  EXPECT_NE(s["modelfile"].get<std::string>().find("FROM "), std::string::npos);
  auto missing = Post("/api/show", {{"model", "nope"}});
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(json::parse(missing->body)["error"], "model 'nope:latest' not found");
  EXPECT_EQ(Post("/api/show", json::object())->status, 400);

  auto cp = Post("/api/copy", {{"source", "stories"}, {"destination", "tales:v1"}});
  EXPECT_EQ(cp->status, 200);
  EXPECT_EQ(json::parse(client_->Get("/api/tags")->body)["models"].size(), 2u);
  EXPECT_EQ(Post("/api/copy", {{"source", "nope"}, {"destination", "x"}})->status, 404);
  EXPECT_EQ(Post("/api/copy", {{"source", "stories"}, {"destination", "../x"}})->status, 400);

  auto del =
      client_->Delete("/api/delete", json({{"model", "tales:v1"}}).dump(), "application/json");
  EXPECT_EQ(del->status, 200);
  auto del2 =
      client_->Delete("/api/delete", json({{"model", "tales:v1"}}).dump(), "application/json");
  EXPECT_EQ(del2->status, 404);
  EXPECT_EQ(json::parse(client_->Get("/api/tags")->body)["models"].size(), 1u);
}

TEST_F(ServerApiTest, EmbedMatchesReferenceAndNormalizes) {
  testing::InstallModel(server_.models_dir(), "bert",
                        testing::TestdataPath("models/tiny-bert-F32.gguf"));
  const std::string text = "The quick brown fox jumps over the lazy dog. Hello world!";
  auto r = Post("/api/embed", {{"model", "bert"}, {"input", {text, "hello"}}});
  ASSERT_EQ(r->status, 200) << r->body;
  json j = json::parse(r->body);
  ASSERT_EQ(j["embeddings"].size(), 2u);
  std::vector<float> ref =
      testing::ReadF32File(testing::TestdataPath("ref/tiny-bert-F32.embd-cls.bin"));
  double norm = 0;
  for (float x : ref) norm += double(x) * x;
  norm = std::sqrt(norm);
  const auto& e = j["embeddings"][0];
  ASSERT_EQ(e.size(), ref.size());
  for (size_t i = 0; i < ref.size(); ++i) EXPECT_NEAR(e[i].get<double>(), ref[i] / norm, 1e-4) << i;
  EXPECT_EQ(j["prompt_eval_count"],
            15 + 3);  // 15 tokens of the text, 3 of "hello" ([CLS] hello [SEP])
  auto dims = Post("/api/embed", {{"model", "bert"}, {"input", "hello"}, {"dimensions", 8}});
  EXPECT_EQ(json::parse(dims->body)["embeddings"][0].size(), 8u);
  auto legacy = Post("/api/embeddings", {{"model", "bert"}, {"prompt", text}});
  ASSERT_EQ(legacy->status, 200);
  EXPECT_NEAR(json::parse(legacy->body)["embedding"][0].get<double>(), ref[0],
              1e-4);  // not normalized
  EXPECT_EQ(Post("/api/embed", {{"model", "bert"}, {"input", 5}})->status, 400);
  EXPECT_EQ(json::parse(Post("/api/embed", {{"model", "nope"}, {"input", "x"}})->body)["error"],
            "model \"nope\" not found, try pulling it first");
  EXPECT_TRUE(
      json::parse(
          Post("/api/embed", {{"model", "bert"}, {"input", json::array()}})->body)["embeddings"]
          .empty());
}

TEST_F(ServerApiTest, ChatRendersTemplateAndStreams) {
  // A template whose rendering is plain text for stories260K: the reply continues the story.
  testing::InstallModel(
      server_.models_dir(), "storychat", testing::TestdataPath("models/stories260K.gguf"),
      "{{ range .Messages }}{{ .Content }}{{ end }}", R"({"num_predict":8,"temperature":0})");
  auto r = Post("/api/chat", {{"model", "storychat"},
                              {"stream", false},
                              {"messages", {{{"role", "user"}, {"content", "Once upon a time"}}}}});
  ASSERT_EQ(r->status, 200) << r->body;
  json j = json::parse(r->body);
  EXPECT_EQ(j["message"]["role"], "assistant");
  EXPECT_EQ(j["message"]["content"].get<std::string>().rfind(", there was a", 0), 0u) << j;
  EXPECT_EQ(j["done_reason"], "length");
  EXPECT_EQ(j["eval_count"], 8);
  EXPECT_FALSE(j.contains("context"));
  auto streamed =
      Post("/api/chat", {{"model", "storychat"},
                         {"messages", {{{"role", "USER"}, {"content", "Once upon a time"}}}}});
  ASSERT_EQ(streamed->status, 200);
  std::istringstream lines(streamed->body);
  std::string line, text;
  json last;
  while (std::getline(lines, line)) {
    last = json::parse(line);
    text += last["message"]["content"].get<std::string>();
  }
  EXPECT_TRUE(last["done"].get<bool>());
  EXPECT_EQ(text, j["message"]["content"].get<std::string>());
  auto load = Post("/api/chat", {{"model", "storychat"}, {"messages", json::array()}});
  EXPECT_EQ(json::parse(load->body)["done_reason"], "load");
  auto unload =
      Post("/api/chat", {{"model", "storychat"}, {"messages", json::array()}, {"keep_alive", 0}});
  EXPECT_EQ(json::parse(unload->body)["done_reason"], "unload");
  EXPECT_EQ(json::parse(Post("/api/chat", {{"messages", json::array()}})->body)["error"],
            "model is required");
  EXPECT_EQ(Post("/api/chat", {{"model", "nope"}, {"messages", json::array()}})->status, 404);
  EXPECT_EQ(Post("/api/chat", {{"model", "storychat"}, {"messages", "hi"}})->status, 400);
}

TEST_F(ServerApiTest, HarmonyFamilyUsesTheHarmonyParser) {
  // The gpt-oss family with a harmony-format template (spec §9.4 item 1). stories260K never writes
  // a harmony message, so the harmony parser finds no channel and returns nothing, where the same
  // template on a llama-family model passes the story through as content.
  const std::string tmpl =
      "<|start|>system<|message|>{{ if .Tools }}tools{{ end }}<|end|>{{ range .Messages }}"
      "<|start|>{{ .Role }}<|message|>{{ .Content }}<|end|>{{ end }}<|start|>assistant";
  const std::string params = R"({"num_predict":8,"temperature":0})";
  testing::InstallModel(server_.models_dir(), "oss",
                        testing::TestdataPath("models/stories260K.gguf"), tmpl, params, "gptoss");
  testing::InstallModel(server_.models_dir(), "notoss",
                        testing::TestdataPath("models/stories260K.gguf"), tmpl, params);
  auto show = Post("/api/show", {{"model", "oss"}});
  ASSERT_EQ(show->status, 200);
  EXPECT_EQ(json::parse(show->body)["capabilities"], json({"completion", "tools", "thinking"}));
  EXPECT_EQ(json::parse(Post("/api/show", {{"model", "notoss"}})->body)["capabilities"],
            json({"completion", "tools"}));
  const json tools = json::parse(
      R"([{"type":"function","function":{"name":"get-time","parameters":{"type":"object"}}}])");
  json chat = {{"stream", false},
               {"think", "max"},  // mapped to "high" for harmony models
               {"tools", tools},
               {"messages", {{{"role", "user"}, {"content", "Once upon a time"}}}}};
  chat["model"] = "oss";
  auto r = Post("/api/chat", chat);
  ASSERT_EQ(r->status, 200) << r->body;
  json j = json::parse(r->body);
  EXPECT_EQ(j["message"]["content"], "");
  EXPECT_FALSE(j["message"].contains("tool_calls"));
  EXPECT_EQ(j["eval_count"], 8);
  chat["model"] = "notoss";
  chat.erase("think");  // no thinking capability
  r = Post("/api/chat", chat);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_NE(json::parse(r->body)["message"]["content"], "");
}

TEST_F(ServerApiTest, CorsAndHostProtection) {
  httplib::Headers evil{{"Origin", "https://evil.example"}};
  auto bad_origin = client_->Get("/api/version", evil);
  EXPECT_EQ(bad_origin->status, 403);
  httplib::Headers local{{"Origin", "http://localhost:3000"}};
  auto ok_origin = client_->Get("/api/version", local);
  EXPECT_EQ(ok_origin->status, 200);
  EXPECT_EQ(ok_origin->get_header_value("Access-Control-Allow-Origin"), "http://localhost:3000");
  httplib::Headers rebinding{{"Host", "attacker.example:11434"}};
  EXPECT_EQ(client_->Get("/api/version", rebinding)->status, 403);
  httplib::Headers lan{{"Host", "192.168.1.5:11434"}};
  EXPECT_EQ(client_->Get("/api/version", lan)->status, 200);
}

TEST_F(ServerApiTest, StopsCleanlyOnSigterm) { EXPECT_EQ(server_.Stop(), 0); }

}  // namespace
}  // namespace olla
