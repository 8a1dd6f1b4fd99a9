// End-to-end robustness of `olla serve` (spec §10, §1.3): the bounded queue, client disconnects,
// parallel slots, shutdown on SIGTERM/SIGINT, reloads, the memory check, keep-alive, and the key
// order of tools and tool-call arguments on /api/chat. Every wait is bounded; streams that must
// stay open are driven over raw loopback sockets so that the test decides when they close.

#include <arpa/inet.h>
#include <httplib.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "support/raw_conn.h"
#include "support/server_fixture.h"
#include "support/testdata.h"

namespace olla {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;
using SteadyClock = std::chrono::steady_clock;

constexpr const char* kBusy = "server busy, please try again.  maximum pending requests exceeded";

using testing::RawConn;

using Env = std::map<std::string, std::string>;

class Server {
 public:
  explicit Server(Env env = {}) : fixture_(std::move(env)) {
    testing::InstallModel(fixture_.models_dir(), "stories",
                          testing::TestdataPath("models/stories260K.gguf"));
    client_ = MakeClient();
  }
  std::unique_ptr<httplib::Client> MakeClient() const {
    auto c = std::make_unique<httplib::Client>("127.0.0.1", fixture_.port());
    c->set_connection_timeout(10, 0);
    c->set_read_timeout(60, 0);
    c->set_write_timeout(10, 0);
    return c;
  }
  httplib::Result Post(const std::string& path, const json& body) {
    return client_->Post(path.c_str(), body.dump(), "application/json");
  }
  json PostOk(const std::string& path, const json& body) {
    auto r = Post(path, body);
    EXPECT_TRUE(r) << path;
    if (!r) return json();
    EXPECT_EQ(r->status, 200) << r->body;
    return json::parse(r->body, nullptr, false);
  }
  json Ps() {
    auto r = client_->Get("/api/ps");
    EXPECT_TRUE(r);
    if (!r) return json::array();
    return json::parse(r->body)["models"];
  }
  int port() const { return fixture_.port(); }
  testing::ServerFixture& fixture() { return fixture_; }

 private:
  testing::ServerFixture fixture_;
  std::unique_ptr<httplib::Client> client_;
};

// A generation that would run for minutes: the caller closes it.
json EndlessGenerate() {
  return {{"model", "stories"},
          {"prompt", "Once upon a time"},
          {"options", {{"temperature", 0}, {"num_predict", 2000000}, {"num_ctx", 2048}}}};
}

json ShortGenerate(const std::string& prompt, int num_predict) {
  return {{"model", "stories"},
          {"prompt", prompt},
          {"stream", false},
          {"options", {{"temperature", 0}, {"num_predict", num_predict}}}};
}

// Starts an endless streaming generation and waits for its first object.
std::unique_ptr<RawConn> StartEndlessStream(Server& s) {
  auto conn = std::make_unique<RawConn>(s.port());
  EXPECT_TRUE(conn->ok());
  EXPECT_TRUE(conn->SendPost(s.port(), "/api/generate", EndlessGenerate()));
  EXPECT_TRUE(conn->ReadUntil("\"done\":false", seconds(60))) << conn->data();
  return conn;
}

size_t Count(const std::string& text, std::string_view needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// §10.5: with one slot busy and OLLAMA_MAX_QUEUE=1 requests already waiting, a request fails at
// once with 503 and Ollama's message; the waiting one is served when the slot frees.
TEST(ServerRobustnessTest, QueueFullIs503WithOllamasMessage) {
  Server s(Env{{"OLLAMA_NUM_PARALLEL", "1"}, {"OLLAMA_MAX_QUEUE", "1"}});
  auto busy = StartEndlessStream(s);
  // Two more at once: one waits for the slot (the queue holds one), the other is refused.
  RawConn a(s.port()), b(s.port());
  ASSERT_TRUE(a.SendPost(s.port(), "/api/generate", ShortGenerate("Lily", 4)));
  ASSERT_TRUE(b.SendPost(s.port(), "/api/generate", ShortGenerate("Tom", 4)));
  RawConn* refused = nullptr;
  RawConn* waiting = nullptr;
  const auto deadline = SteadyClock::now() + seconds(30);
  while (!refused && SteadyClock::now() < deadline) {
    a.ReadUntil("\r\n\r\n", milliseconds(100));
    b.ReadUntil("\r\n\r\n", milliseconds(100));
    if (a.data().rfind("HTTP/1.1 503", 0) == 0) refused = &a, waiting = &b;
    if (b.data().rfind("HTTP/1.1 503", 0) == 0) refused = &b, waiting = &a;
  }
  ASSERT_NE(refused, nullptr) << "no 503 within 30 s:\n" << a.data() << "\n" << b.data();
  ASSERT_TRUE(refused->ReadToEof(seconds(10)));
  const std::string& body = refused->data().substr(refused->data().find("\r\n\r\n") + 4);
  EXPECT_EQ(json::parse(body, nullptr, false), json({{"error", kBusy}})) << body;
  EXPECT_NE(refused->data().find("application/json"), std::string::npos);
  EXPECT_TRUE(waiting->data().empty())
      << "the queued request should still wait: " << waiting->data();

  // A queued request whose client goes away leaves the queue: another one can wait in its place.
  waiting->Close();
  std::unique_ptr<RawConn> next;
  const auto retry_until = SteadyClock::now() + seconds(30);
  while (SteadyClock::now() < retry_until) {
    next = std::make_unique<RawConn>(s.port());
    ASSERT_TRUE(next->SendPost(s.port(), "/api/generate", ShortGenerate("Lily", 4)));
    if (!next->ReadUntil("\r\n\r\n", seconds(1))) break;  // no answer yet: it waits in the queue
    ASSERT_EQ(next->data().rfind("HTTP/1.1 503", 0), 0u) << next->data();
    next.reset();
    std::this_thread::sleep_for(milliseconds(200));
  }
  ASSERT_NE(next, nullptr) << "the abandoned request still holds its place in the queue";

  // The slot frees when the endless stream's client goes away; the queued request then completes.
  busy->Close();
  ASSERT_TRUE(next->ReadToEof(seconds(60))) << next->data();
  EXPECT_EQ(next->data().rfind("HTTP/1.1 200", 0), 0u) << next->data();
  EXPECT_NE(next->data().find("\"done\":true"), std::string::npos) << next->data();
}

// §10.8: a client that goes away mid-stream frees its slot at once (NUM_PARALLEL=1), and so does
// one that goes away before the first object (while its prompt is evaluated).
TEST(ServerRobustnessTest, ClientDisconnectFreesTheSlot) {
  Server s(Env{{"OLLAMA_NUM_PARALLEL", "1"}});
  for (int round = 0; round < 2; ++round) {
    auto conn = StartEndlessStream(s);
    conn->Close();
    const auto start = SteadyClock::now();
    json j = s.PostOk("/api/generate", ShortGenerate("Once upon a time", 8));
    EXPECT_EQ(j["eval_count"], 8) << j.dump();
    // The abandoned generation (2,000,000 tokens) would hold the slot for many minutes.
    EXPECT_LT(SteadyClock::now() - start, seconds(30)) << "round " << round;
  }
  // Gone before any output: the request is sent and the connection closed at once.
  for (int round = 0; round < 3; ++round) {
    RawConn conn(s.port());
    json body = EndlessGenerate();
    body["prompt"] = std::string(3000, 'a');  // a longer prompt to evaluate
    ASSERT_TRUE(conn.SendPost(s.port(), "/api/generate", body));
    conn.Close();
  }
  // A non-streamed request writes nothing until it is done: its client's going away is noticed
  // on the socket itself (generate and chat).
  for (const char* path : {"/api/generate", "/api/chat"}) {
    RawConn conn(s.port());
    json body = EndlessGenerate();
    body["stream"] = false;
    if (std::string(path) == "/api/chat") {
      body.erase("prompt");
      body["messages"] = {{{"role", "user"}, {"content", "Once upon a time"}}};
    }
    ASSERT_TRUE(conn.SendPost(s.port(), path, body));
    std::this_thread::sleep_for(milliseconds(300));  // let it start (it need not have)
    conn.Close();
  }
  // The same through the OpenAI and Anthropic routes (non-streamed: nothing is written until the
  // end).
  const json messages = {{{"role", "user"}, {"content", "Once upon a time"}}};
  const std::pair<const char*, json> compat[] = {
      {"/v1/chat/completions",
       {{"model", "stories"}, {"messages", messages}, {"max_tokens", 2000000}}},
      {"/v1/completions",
       {{"model", "stories"}, {"prompt", "Once upon a time"}, {"max_tokens", 2000000}}},
      {"/v1/messages", {{"model", "stories"}, {"messages", messages}, {"max_tokens", 2000000}}},
  };
  for (const auto& [path, body] : compat) {
    RawConn conn(s.port());
    ASSERT_TRUE(conn.SendPost(s.port(), path, body));
    std::this_thread::sleep_for(milliseconds(300));
    conn.Close();
  }
  const auto start = SteadyClock::now();
  json j = s.PostOk("/api/generate", ShortGenerate("Once upon a time", 8));
  EXPECT_EQ(j["eval_count"], 8) << j.dump();
  EXPECT_LT(SteadyClock::now() - start, seconds(60));
  // The model stays loaded and idle with its keep-alive running.
  json ps = s.Ps();
  ASSERT_EQ(ps.size(), 1u);
}

// §10.7: two greedy requests in parallel (OLLAMA_NUM_PARALLEL=2) give the texts they give alone.
TEST(ServerRobustnessTest, ParallelSlotsGiveTheSequentialResults) {
  Server s(Env{{"OLLAMA_NUM_PARALLEL", "2"}});
  const std::vector<std::string> prompts = {"Once upon a time", "The little dog"};
  std::vector<std::string> sequential;
  for (const auto& p : prompts)
    sequential.push_back(s.PostOk("/api/generate", ShortGenerate(p, 48))["response"]);
  ASSERT_NE(sequential[0], sequential[1]);
  for (int round = 0; round < 2; ++round) {
    std::vector<std::future<json>> futures;
    for (const auto& p : prompts) {
      futures.push_back(std::async(std::launch::async, [&s, p] {
        auto c = s.MakeClient();
        auto r = c->Post("/api/generate", ShortGenerate(p, 48).dump(), "application/json");
        if (!r || r->status != 200) return json();
        return json::parse(r->body, nullptr, false);
      }));
    }
    for (size_t i = 0; i < prompts.size(); ++i) {
      json j = futures[i].get();
      ASSERT_TRUE(j.is_object()) << prompts[i];
      EXPECT_EQ(j["response"], sequential[i]) << prompts[i];
    }
  }
}

// §1.3: SIGTERM and SIGINT with a stream in flight: the stream ends with an {"error"} object and a
// complete chunked body, the server exits 0 within a bounded time and leaves no temporary files.
TEST(ServerRobustnessTest, ShutdownWithAStreamInFlight) {
  for (int sig : {SIGTERM, SIGINT}) {
    Server s;
    auto conn = StartEndlessStream(s);
    const auto start = SteadyClock::now();
    const int exit_code = s.fixture().Stop(sig);
    EXPECT_EQ(exit_code, 0) << "signal " << sig << "\n" << s.fixture().Log();
    EXPECT_LT(SteadyClock::now() - start, seconds(10));
    ASSERT_TRUE(conn->ReadToEof(seconds(10)));
    auto lines = conn->JsonLines();
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines.back(), json({{"error", "server is shutting down"}}))
        << conn->data().substr(conn->data().size() - 300);
    EXPECT_NE(conn->data().find("\r\n0\r\n\r\n"), std::string::npos)
        << "the chunked body was not terminated";
    for (const auto& e : std::filesystem::recursive_directory_iterator(s.fixture().models_dir())) {
      const std::string name = e.path().filename().string();
      EXPECT_NE(name.rfind(".tmp-", 0), 0u) << e.path();
      EXPECT_EQ(name.find("-partial"), std::string::npos) << e.path();
    }
  }
}

// A copy of stories260K whose trained context (llama.context_length) is 2^30, so that num_ctx is
// not clamped and the KV cache of a large num_ctx is large.
std::string WriteContextLengthModel(const testing::TempDir& dir, uint32_t context_length);
std::string WriteHugeContextModel(const testing::TempDir& dir) {
  return WriteContextLengthModel(dir, 1u << 30);
}

std::string WriteContextLengthModel(const testing::TempDir& dir, uint32_t context_length) {
  std::string bytes = testing::ReadFileOrFail(testing::TestdataPath("models/stories260K.gguf"));
  const std::string key = "llama.context_length";
  const size_t at = bytes.find(key);
  EXPECT_NE(at, std::string::npos);
  if (at == std::string::npos) return "";
  const size_t type_at = at + key.size();
  uint32_t type = 0;
  std::memcpy(&type, bytes.data() + type_at, 4);
  EXPECT_EQ(type, 4u);  // GGUF uint32
  std::memcpy(bytes.data() + type_at + 4, &context_length, 4);
  const std::string path = dir.Join("ctx-" + std::to_string(context_length) + ".gguf");
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

// §10.4: num_ctx changes reload (compared after clamping to the trained context), other options do
// not; /api/ps shows the new context. §10.3: a KV cache that cannot fit is refused with the
// numbers.
TEST(ServerRobustnessTest, ReloadOnNumCtxAndMemoryCheck) {
  Server s;
  auto loads = [&] { return Count(s.fixture().Log(), "loaded model "); };
  auto gen = [&](json options) {
    options["num_predict"] = 2;
    return s.PostOk(
        "/api/generate",
        {{"model", "stories"}, {"prompt", "Hi"}, {"stream", false}, {"options", options}});
  };
  gen({{"num_ctx", 256}});
  ASSERT_EQ(s.Ps().size(), 1u);
  EXPECT_EQ(s.Ps()[0]["context_length"], 256);
  EXPECT_EQ(loads(), 1u);
  gen({{"num_ctx", 256}, {"temperature", 0.3}});
  EXPECT_EQ(loads(), 1u) << "temperature must not reload";
  gen({{"num_ctx", 512}});
  EXPECT_EQ(s.Ps()[0]["context_length"], 512);
  EXPECT_EQ(loads(), 2u);
  gen({{"num_ctx", 100000}});
  EXPECT_EQ(s.Ps()[0]["context_length"], 2048);  // the trained context
  EXPECT_EQ(loads(), 3u);
  gen({{"num_ctx", 200000}});
  EXPECT_EQ(loads(), 3u) << "both clamp to 2048: no reload";
  EXPECT_EQ(s.Ps().size(), 1u);

  testing::TempDir dir;
  testing::InstallModel(s.fixture().models_dir(), "hugectx", WriteHugeContextModel(dir));
  // 2^30 positions of 640 bytes: 640 GiB of KV cache.
  auto r = s.Post("/api/generate", {{"model", "hugectx"},
                                    {"prompt", "Hi"},
                                    {"stream", false},
                                    {"options", {{"num_ctx", 1 << 30}, {"num_predict", 2}}}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500) << r->body;
  const std::string error = json::parse(r->body, nullptr, false).value("error", "");
  EXPECT_NE(error.find("model requires more system memory ("), std::string::npos) << error;
  EXPECT_NE(error.find("GiB) than is available ("), std::string::npos) << error;
  // The server lives on; the refused model is not loaded.
  EXPECT_EQ(gen({{"num_ctx", 2048}})["eval_count"], 2);
  json ps = s.Ps();
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(ps[0]["name"], "stories:latest");
  // A context that fits on the same model loads.
  r = s.Post("/api/generate", {{"model", "hugectx"},
                               {"prompt", "Hi"},
                               {"stream", false},
                               {"options", {{"num_ctx", 4096}, {"num_predict", 2}}}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
}

// Requests that once crashed the server (issue #17): a KV cache sized by a wrapped
// multiplication (context_length 0 = unknown, num_ctx 2^58), and bodies nested 100k deep.
// Each gets an error and the server keeps answering.
TEST(ServerRobustnessTest, HostileSizesAndNestingGetErrorsAndTheServerLivesOn) {
  Server s;
  testing::TempDir dir;
  testing::InstallModel(s.fixture().models_dir(), "noctx", WriteContextLengthModel(dir, 0));
  auto r =
      s.Post("/api/generate", {{"model", "noctx"},
                               {"prompt", "Hi"},
                               {"stream", false},
                               {"options", {{"num_ctx", int64_t{1} << 58}, {"num_predict", 2}}}});
  ASSERT_TRUE(r) << "the server died";
  EXPECT_GE(r->status, 400) << r->body;
  EXPECT_NE(json::parse(r->body, nullptr, false).value("error", ""), "");

  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const std::vector<std::pair<std::string, std::string>> bodies = {
      {"/api/chat",
       R"({"model":"stories","messages":[{"role":"user","content":"hi"}],"format":)" + deep + "}"},
      {"/api/chat",
       R"({"model":"stories","messages":[{"role":"user","content":"hi"}],"tools":)" + deep + "}"},
      {"/api/generate",
       R"({"model":"stories","prompt":"hi","format":{"type":"object","properties":{"a":)" + deep +
           "}}}"},
      {"/v1/chat/completions",
       R"({"model":"stories","messages":[{"role":"user","content":"hi"}],"response_format":)" +
           deep + "}"},
  };
  for (const auto& [path, body] : bodies) {
    auto deep_r = s.MakeClient()->Post(path.c_str(), body, "application/json");
    ASSERT_TRUE(deep_r) << path << ": the server died";
    EXPECT_EQ(deep_r->status, 400) << path << ": " << deep_r->body.substr(0, 200);
    EXPECT_NE(deep_r->body.find("nested deeper than 128 levels"), std::string::npos)
        << deep_r->body.substr(0, 200);
  }
  EXPECT_EQ(s.PostOk("/api/generate", ShortGenerate("Once", 2))["eval_count"], 2);
}

int ExpiresYear(const json& row) {
  return std::stoi(row["expires_at"].get<std::string>().substr(0, 4));
}

// §10.2: keep_alive "1s" unloads about a second after the request; negative keeps the model
// forever; an empty prompt loads ("load") and an empty prompt with keep_alive 0 unloads ("unload").
TEST(ServerRobustnessTest, KeepAliveLoadAndUnload) {
  Server s;
  auto t0 = SteadyClock::now();
  json j = s.PostOk("/api/generate", {{"model", "stories"},
                                      {"prompt", "Hi"},
                                      {"stream", false},
                                      {"keep_alive", "1s"},
                                      {"options", {{"num_predict", 2}}}});
  EXPECT_EQ(j["done"], true);
  const auto answered = SteadyClock::now();
  json ps = s.Ps();
  if (SteadyClock::now() - answered < milliseconds(500)) {
    ASSERT_EQ(ps.size(), 1u) << "unloaded before its keep-alive";
  }
  bool gone = false;
  while (SteadyClock::now() - t0 < seconds(15) && !gone) {
    gone = s.Ps().empty();
    if (!gone) std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_TRUE(gone) << "still loaded 15 s after keep_alive 1s";
  EXPECT_GE(SteadyClock::now() - answered, milliseconds(900));

  // Load request: empty prompt, negative keep-alive = forever.
  j = s.PostOk("/api/generate", {{"model", "stories"}, {"prompt", ""}, {"keep_alive", -1}});
  EXPECT_EQ(j["done_reason"], "load");
  EXPECT_EQ(j["response"], "");
  ps = s.Ps();
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_GT(ExpiresYear(ps[0]), 2100) << ps[0];
  std::this_thread::sleep_for(milliseconds(1500));
  // A request without keep_alive leaves it as it is.
  s.PostOk("/api/generate", ShortGenerate("Hi", 2));
  ps = s.Ps();
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_GT(ExpiresYear(ps[0]), 2100) << ps[0];

  // Unload request: empty prompt with keep_alive 0.
  j = s.PostOk("/api/generate", {{"model", "stories"}, {"prompt", ""}, {"keep_alive", 0}});
  EXPECT_EQ(j["done_reason"], "unload");
  EXPECT_TRUE(s.Ps().empty());

  // The same through /api/chat with empty messages, and a "-1m" duration string.
  j = s.PostOk("/api/chat",
               {{"model", "stories"}, {"messages", json::array()}, {"keep_alive", "-1m"}});
  EXPECT_EQ(j["done_reason"], "load");
  ps = s.Ps();
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_GT(ExpiresYear(ps[0]), 2100) << ps[0];
  j = s.PostOk("/api/chat",
               {{"model", "stories"}, {"messages", json::array()}, {"keep_alive", "0"}});
  EXPECT_EQ(j["done_reason"], "unload");
  EXPECT_TRUE(s.Ps().empty());
}

// A template that lists the tools and writes tool calls as bare JSON objects (Llama 3.1 style).
constexpr const char* kToolTemplate =
    "{{- if .Tools }}<|tools|>{{ .Tools }}\n{{ end }}"
    "{{- range .Messages }}{{ if eq .Role \"user\" }}<|user|>{{ .Content }}\n"
    "{{ else if eq .Role \"assistant\" }}<|assistant|>"
    "{{ if .ToolCalls }}{{ range .ToolCalls }}{\"name\": \"{{ .Function.Name }}\", \"parameters\": "
    "{{ .Function.Arguments }}}"
    "{{ end }}{{ else }}{{ .Content }}{{ end }}\n{{ else }}<|{{ .Role }}|>{{ .Content }}\n{{ end "
    "}}{{ end }}<|assistant|>";

// Tool definitions and tool-call arguments keep the client's key order in the prompt the template
// renders, and the arguments of the model's calls keep the order it wrote them in (not sorted).
TEST(ServerRobustnessTest, ToolsAndArgumentsKeepKeyOrder) {
  Server s(Env{{"OLLAMA_DEBUG", "1"}});
  testing::InstallModel(s.fixture().models_dir(), "tooler",
                        testing::TestdataPath("models/stories260K.gguf"), kToolTemplate);
  // Raw text, so that the keys reach the server in this (unsorted) order.
  const std::string tools =
      R"([{"type":"function","function":{"name":"get_weather","description":"Weather","parameters":)"
      R"({"type":"object","properties":{"zeta":{"type":"string"},"alpha":{"type":"string"}},"required":["zeta","alpha"]}}}])";
  const std::string format =
      R"({"type":"object","properties":{"name":{"enum":["get_weather"]},"parameters":{"type":"object",)"
      R"("properties":{"zeta":{"enum":["z"]},"alpha":{"enum":["a"]}},"required":["zeta","alpha"]}},"required":["name","parameters"]})";
  const std::string messages =
      R"([{"role":"user","content":"Weather?"},{"role":"assistant","content":"","tool_calls":[{"function":)"
      R"({"name":"get_weather","arguments":{"zulu":"1","bravo":"2"}}}]},{"role":"tool","content":"sunny"},)"
      R"({"role":"user","content":"And tomorrow?"}])";
  for (bool stream : {false, true}) {
    const std::string body = R"({"model":"tooler","stream":)" +
                             std::string(stream ? "true" : "false") + R"(,"tools":)" + tools +
                             R"(,"format":)" + format + R"(,"messages":)" + messages +
                             R"(,"options":{"temperature":0,"num_predict":200}})";
    auto c = s.MakeClient();
    auto r = c->Post("/api/chat", body, "application/json");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    // The reply: arguments as the model wrote them (grammar order zeta, alpha), not sorted.
    const size_t zeta = r->body.find(R"("arguments":{"zeta":"z","alpha":"a"})");
    EXPECT_NE(zeta, std::string::npos) << r->body;
  }
  const std::string log = s.fixture().Log();
  // What the template saw: the tools and the earlier call's arguments in the client's order.
  EXPECT_NE(
      log.find(
          R"("required":["zeta","alpha"],"properties":{"zeta":{"type":"string"},"alpha":{"type":"string"}})"),
      std::string::npos)
      << log.substr(log.size() > 3000 ? log.size() - 3000 : 0);
  EXPECT_NE(log.find(R"({"name": "get_weather", "parameters": {"zulu":"1","bravo":"2"}})"),
            std::string::npos)
      << log.substr(log.size() > 3000 ? log.size() - 3000 : 0);
}

}  // namespace
}  // namespace olla
