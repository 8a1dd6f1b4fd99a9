// Tests of the Responses API conversions (spec §4.6): request goldens in
// tests/testdata/openai/responses_requests.json, response objects and the streamed event order.

#include "api/openai_responses.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace olla::api::openai {
namespace {

using nlohmann::json;

TEST(OpenAiResponsesTest, RequestGoldens) {
  std::ifstream in(std::string(OLLA_OPENAI_TESTDATA) + "/responses_requests.json");
  ASSERT_TRUE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  const json cases = json::parse(ss.str());
  ASSERT_GE(cases.size(), 7u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c["name"].get<std::string>());
    json native;
    StreamOptions so;
    Status s = FromResponsesRequest(c["in"], &native, &so);
    if (c.contains("error")) {
      ASSERT_FALSE(s.ok());
      EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
      EXPECT_EQ(s.message(), c["error"].get<std::string>());
      continue;
    }
    ASSERT_TRUE(s.ok()) << s.message();
    EXPECT_EQ(native, c["want"]) << native.dump(1);
    EXPECT_EQ(so.stream, c["stream"].get<bool>());
  }
}

TEST(OpenAiResponsesTest, TextResponseObject) {
  const json req = {
      {"model", "m"}, {"input", "hi"}, {"instructions", "Be brief."}, {"max_output_tokens", 9}};
  const json native = {
      {"model", "m"},
      {"message", {{"role", "assistant"}, {"content", "Hello."}, {"thinking", "greet"}}},
      {"done", true},
      {"done_reason", "stop"},
      {"prompt_eval_count", 4},
      {"eval_count", 2}};
  json r = ToResponse(req, native, "resp_42", 100, 101);
  EXPECT_EQ(r["id"], "resp_42");
  EXPECT_EQ(r["object"], "response");
  EXPECT_EQ(r["status"], "completed");
  EXPECT_EQ(r["created_at"], 100);
  EXPECT_EQ(r["completed_at"], 101);
  EXPECT_EQ(r["model"], "m");
  EXPECT_EQ(r["instructions"], "Be brief.");
  EXPECT_EQ(r["max_output_tokens"], 9);
  EXPECT_EQ(r["temperature"], 1.0);
  EXPECT_EQ(r["top_p"], 1.0);
  EXPECT_EQ(r["truncation"], "disabled");
  EXPECT_EQ(r["tools"], json::array());
  EXPECT_EQ(r["text"], json::parse(R"({"format":{"type":"text"}})"));
  EXPECT_TRUE(r["previous_response_id"].is_null());
  EXPECT_TRUE(r["error"].is_null());
  EXPECT_EQ(r["store"], false);
  EXPECT_EQ(r["output"], json::parse(R"([
    {"id":"rs_resp_42","type":"reasoning","summary":[{"type":"summary_text","text":"greet"}],"encrypted_content":"greet"},
    {"id":"msg_42","type":"message","status":"completed","role":"assistant",
     "content":[{"type":"output_text","text":"Hello.","annotations":[],"logprobs":[]}]}])"));
  EXPECT_EQ(r["usage"], json::parse(R"({"input_tokens":4,"output_tokens":2,"total_tokens":6,
    "input_tokens_details":{"cached_tokens":0},"output_tokens_details":{"reasoning_tokens":0}})"));
}

TEST(OpenAiResponsesTest, FunctionCallResponseObject) {
  const json native = {
      {"model", "m"},
      {"message",
       {{"role", "assistant"},
        {"content", ""},
        {"tool_calls",
         json::parse(
             R"([{"id":"call_x","function":{"index":0,"name":"f","arguments":{"a":1}}}])")}}},
      {"done", true}};
  json r = ToResponse({{"model", "m"}}, native, "resp_7", 1, 2);
  EXPECT_EQ(r["output"],
            json::parse(R"([{"id":"fc_resp_7_0","type":"function_call","status":"completed",
    "call_id":"call_x","name":"f","arguments":"{\"a\":1}"}])"));
}

std::vector<json> RunStream(ResponsesStream& s, const std::vector<json>& natives) {
  std::vector<json> ev = s.Start();
  for (const auto& n : natives)
    for (auto& e : s.Add(n)) ev.push_back(std::move(e));
  for (auto& e : s.Finish()) ev.push_back(std::move(e));
  for (size_t i = 0; i < ev.size(); ++i) EXPECT_EQ(ev[i]["sequence_number"], i) << ev[i];
  return ev;
}

std::vector<std::string> Types(const std::vector<json>& ev) {
  std::vector<std::string> out;
  for (const auto& e : ev) out.push_back(e["type"].get<std::string>());
  return out;
}

TEST(OpenAiResponsesTest, StreamThinkingThenText) {
  int64_t clock = 500;
  ResponsesStream s({{"model", "m"}, {"input", "hi"}}, "resp_5", [&] { return clock++; });
  auto msg = [](const char* content, const char* thinking) {
    json m = {{"role", "assistant"}, {"content", content}};
    if (*thinking) m["thinking"] = thinking;
    return json{{"model", "m"}, {"message", m}, {"done", false}};
  };
  json done = {{"model", "m"},           {"message", {{"role", "assistant"}, {"content", ""}}},
               {"done", true},           {"done_reason", "stop"},
               {"prompt_eval_count", 3}, {"eval_count", 4}};
  auto ev = RunStream(s, {msg("", "Hm"), msg("", "m."), msg("Hel", ""), msg("lo", ""), done});
  EXPECT_EQ(
      Types(ev),
      (std::vector<std::string>{
          "response.created", "response.in_progress", "response.output_item.added",
          "response.reasoning_summary_text.delta", "response.reasoning_summary_text.delta",
          "response.reasoning_summary_text.done", "response.output_item.done",
          "response.output_item.added", "response.content_part.added", "response.output_text.delta",
          "response.output_text.delta", "response.output_text.done", "response.content_part.done",
          "response.output_item.done", "response.completed"}));
  EXPECT_EQ(ev[0]["response"]["status"], "in_progress");
  EXPECT_EQ(ev[0]["response"]["created_at"], 500);
  EXPECT_EQ(ev[5]["text"], "Hmm.");
  EXPECT_EQ(ev[7]["output_index"], 1);
  EXPECT_EQ(ev[7]["item"]["status"], "in_progress");
  EXPECT_EQ(ev[9]["delta"], "Hel");
  EXPECT_EQ(ev[9]["item_id"], "msg_5");
  EXPECT_EQ(ev[11]["text"], "Hello");
  const json& final = ev.back()["response"];
  EXPECT_EQ(final["status"], "completed");
  EXPECT_EQ(final["completed_at"], 501);
  ASSERT_EQ(final["output"].size(), 2u);
  EXPECT_EQ(final["output"][0]["type"], "reasoning");
  EXPECT_EQ(final["output"][1]["content"][0]["text"], "Hello");
  EXPECT_EQ(final["usage"]["total_tokens"], 7);
}

TEST(OpenAiResponsesTest, StreamToolCallAndFailure) {
  ResponsesStream s({{"model", "m"}}, "resp_9", [] { return int64_t{1}; });
  json call = {
      {"model", "m"},
      {"done", false},
      {"message",
       {{"role", "assistant"},
        {"content", ""},
        {"tool_calls",
         json::parse(R"([{"id":"call_1","function":{"index":0,"name":"f","arguments":{}}}])")}}}};
  auto ev = RunStream(s, {call});
  EXPECT_EQ(Types(ev),
            (std::vector<std::string>{
                "response.created", "response.in_progress", "response.output_item.added",
                "response.function_call_arguments.delta", "response.function_call_arguments.done",
                "response.output_item.done", "response.completed"}));
  EXPECT_EQ(ev[4]["arguments"], "{}");
  EXPECT_EQ(ev.back()["response"]["output"][0]["call_id"], "call_1");

  ResponsesStream f({{"model", "m"}}, "resp_10", [] { return int64_t{1}; });
  f.Start();
  json failed = f.Error("boom");
  EXPECT_EQ(failed["type"], "response.failed");
  EXPECT_EQ(failed["sequence_number"], 2);
  EXPECT_EQ(failed["response"]["status"], "failed");
  EXPECT_EQ(failed["response"]["error"]["message"], "boom");
}

}  // namespace
}  // namespace olla::api::openai
