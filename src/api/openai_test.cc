// Golden tests of the OpenAI-compatible conversions (spec §4.1-§4.5). The tables live in
// tests/testdata/openai/*.json: request cases {"in", "want" | "error"}, response cases
// {"native", "want"}, stream cases {"native": [...], "want": [...]}.

#include "api/openai.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/base64.h"

namespace olla::api::openai {
namespace {

using nlohmann::json;

json LoadGolden(const std::string& name) {
  std::ifstream in(std::string(OLLA_OPENAI_TESTDATA) + "/" + name);
  EXPECT_TRUE(in) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str());
}

constexpr int64_t kCreated = 1700000000;

TEST(OpenAiTest, ChatRequestGoldens) {
  const json cases = LoadGolden("chat_requests.json");
  ASSERT_GE(cases.size(), 20u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c["name"].get<std::string>());
    json native;
    StreamOptions so;
    Status s = FromChatCompletionRequest(c["in"], &native, &so);
    if (c.contains("error")) {
      ASSERT_FALSE(s.ok());
      EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
      EXPECT_EQ(s.message(), c["error"].get<std::string>());
      continue;
    }
    ASSERT_TRUE(s.ok()) << s.message();
    EXPECT_EQ(native, c["want"]) << native.dump(1);
    EXPECT_EQ(so.stream, c.value("stream", false));
    EXPECT_EQ(so.include_usage, c.value("include_usage", false));
  }
}

TEST(OpenAiTest, ChatResponseGoldens) {
  for (const auto& c : LoadGolden("chat_responses.json")) {
    SCOPED_TRACE(c["name"].get<std::string>());
    json got = ToChatCompletion(c["native"], "chatcmpl-7", kCreated);
    EXPECT_EQ(got, c["want"]) << got.dump(1);
  }
}

void CheckStreams(const std::string& file, bool chat) {
  for (const auto& c : LoadGolden(file)) {
    SCOPED_TRACE(c["name"].get<std::string>());
    std::unique_ptr<StreamConverter> conv;
    if (chat) {
      conv = std::make_unique<ChatStream>("chatcmpl-7", kCreated, c["include_usage"].get<bool>());
    } else {
      conv = std::make_unique<CompletionStream>("cmpl-7", kCreated, c["include_usage"].get<bool>());
    }
    json got = json::array();
    for (const auto& n : c["native"])
      for (auto& chunk : conv->Add(n)) got.push_back(std::move(chunk));
    for (auto& chunk : conv->Finish()) got.push_back(std::move(chunk));
    EXPECT_EQ(got, c["want"]) << got.dump(1);
  }
}

TEST(OpenAiTest, ChatStreamGoldens) { CheckStreams("chat_streams.json", true); }
TEST(OpenAiTest, CompletionStreamGoldens) { CheckStreams("completion_streams.json", false); }

TEST(OpenAiTest, CompletionRequestGoldens) {
  for (const auto& c : LoadGolden("completion_requests.json")) {
    SCOPED_TRACE(c["name"].get<std::string>());
    json native;
    StreamOptions so;
    Status s = FromCompletionRequest(c["in"], &native, &so);
    if (c.contains("error")) {
      ASSERT_FALSE(s.ok());
      EXPECT_EQ(s.message(), c["error"].get<std::string>());
      continue;
    }
    ASSERT_TRUE(s.ok()) << s.message();
    EXPECT_EQ(native, c["want"]) << native.dump(1);
    EXPECT_EQ(so.stream, c.value("stream", false));
    EXPECT_EQ(so.include_usage, c.value("include_usage", false));
  }
}

TEST(OpenAiTest, CompletionResponseGoldens) {
  for (const auto& c : LoadGolden("completion_responses.json")) {
    SCOPED_TRACE(c["name"].get<std::string>());
    json got = ToCompletion(c["native"], "cmpl-7", kCreated);
    EXPECT_EQ(got, c["want"]) << got.dump(1);
  }
}

TEST(OpenAiTest, EmbeddingGoldens) {
  for (const auto& c : LoadGolden("embedding_requests.json")) {
    SCOPED_TRACE(c["name"].get<std::string>());
    json native;
    bool base64 = false;
    Status s = FromEmbeddingRequest(c["in"], &native, &base64);
    if (c.contains("error")) {
      ASSERT_FALSE(s.ok());
      EXPECT_EQ(s.message(), c["error"].get<std::string>());
      continue;
    }
    ASSERT_TRUE(s.ok()) << s.message();
    EXPECT_EQ(native, c["want"]) << native.dump(1);
    EXPECT_EQ(base64, c["base64"].get<bool>());
  }
  for (const auto& c : LoadGolden("embedding_responses.json")) {
    SCOPED_TRACE(c["name"].get<std::string>());
    json got = ToEmbeddingList(c["native"], c["base64"].get<bool>());
    EXPECT_EQ(got, c["want"]) << got.dump(1);
  }
}

TEST(OpenAiTest, ErrorEnvelope) {
  EXPECT_EQ(
      ErrorObject(400, "bad"),
      json::parse(
          R"({"error":{"message":"bad","type":"invalid_request_error","param":null,"code":null}})"));
  EXPECT_EQ(ErrorObject(404, "model 'x' not found")["error"]["type"], "not_found_error");
  EXPECT_STREQ(ErrorType(500), "api_error");
  EXPECT_STREQ(ErrorType(503), "api_error");
}

TEST(OpenAiTest, ReasoningEffort) {
  const struct {
    const char* in;
    json want;
  } cases[] = {{"", nullptr},  {"none", false},      {"minimal", "low"},
               {"low", "low"}, {"medium", "medium"}, {"high", "high"},
               {"max", "max"}, {"xhigh", "max"},     {"ultra", "max"}};
  for (const auto& c : cases) {
    auto got = ThinkFromEffort(c.in);
    ASSERT_TRUE(got.ok()) << c.in;
    EXPECT_EQ(*got, c.want) << c.in;
  }
  EXPECT_FALSE(ThinkFromEffort("HIGH").ok());
}

TEST(OpenAiTest, ModelObjects) {
  const json m = ToModel("stories:latest", 1700000000, "library");
  EXPECT_EQ(
      m,
      json::parse(
          R"({"id":"stories:latest","object":"model","created":1700000000,"owned_by":"library"})"));
  EXPECT_EQ(ToModelList({}),
            json::parse(R"({"object":"list","data":[]})"));  // [] rather than upstream's null
  EXPECT_EQ(ToModelList({m})["data"][0]["id"], "stories:latest");
}

TEST(Base64Test, RoundTripAndStrictDecoding) {
  for (const std::string& s : std::vector<std::string>{"", "f", "fo", "foo", "foob", "fooba",
                                                       "foobar", std::string("\0\xff\x80", 3)}) {
    auto back = Base64Decode(Base64Encode(s));
    ASSERT_TRUE(back.ok()) << s;
    EXPECT_EQ(*back, s);
  }
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Decode("Zm8").status().message(),
            "illegal base64 data at input byte 3");  // padding required
  EXPECT_EQ(Base64Decode("Zm!=").status().message(), "illegal base64 data at input byte 2");
  EXPECT_FALSE(Base64Decode("Zg==Zg==").ok());  // padding only at the end
  EXPECT_FALSE(Base64Decode("Z===").ok());
}

}  // namespace
}  // namespace olla::api::openai
