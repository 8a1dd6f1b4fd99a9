// End-to-end limits of `olla serve` against hostile clients (issue #17): request bodies bounded
// on their decoded size however they are framed or compressed (OLLA_MAX_BODY), slow-drip
// connections cut at the header deadline while other clients keep being served, a saturated
// server answering 503 with Retry-After and still answering /health, and /ready. Every wait is
// bounded; the server listens on loopback only.

#include <gtest/gtest.h>
#include <httplib.h>
#include <zlib.h>

#include <atomic>
#include <csignal>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
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
using testing::RawConn;

constexpr size_t kMiB = size_t{1} << 20;

std::unique_ptr<httplib::Client> Client(int port) {
  auto c = std::make_unique<httplib::Client>("127.0.0.1", port);
  c->set_connection_timeout(5, 0);
  c->set_read_timeout(30, 0);
  c->set_write_timeout(30, 0);
  return c;
}

// The peak resident memory of a process (VmHWM), in bytes; 0 if unknown.
size_t PeakRss(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  return 0;
}

// `prefix`, then `repeat` times the byte 'a', then `suffix`, compressed with zlib (gzip when
// `gzip`, else the zlib format that HTTP calls deflate) without holding the expanded text.
std::string Compress(const std::string& prefix, size_t repeat, const std::string& suffix,
                     bool gzip) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 9, Z_DEFLATED, gzip ? 31 : 15, 9, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out;
  char buf[1 << 16];
  auto feed = [&](const char* data, size_t n, int flush) {
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
    z.avail_in = static_cast<uInt>(n);
    do {
      z.next_out = reinterpret_cast<Bytef*>(buf);
      z.avail_out = sizeof(buf);
      deflate(&z, flush);
      out.append(buf, sizeof(buf) - z.avail_out);
    } while (z.avail_out == 0);
  };
  feed(prefix.data(), prefix.size(), Z_NO_FLUSH);
  const std::string block(kMiB, 'a');
  for (size_t left = repeat; left > 0;) {
    const size_t n = std::min(left, block.size());
    feed(block.data(), n, Z_NO_FLUSH);
    left -= n;
  }
  feed(suffix.data(), suffix.size(), Z_FINISH);
  deflateEnd(&z);
  return out;
}

std::string ErrorOf(const httplib::Result& r) {
  return r ? json::parse(r->body, nullptr, false).value("error", "") : "";
}

// cpp-httplib's client writes without MSG_NOSIGNAL: a server that stops reading a refused body
// must fail the write, not kill the test.
const bool kSigpipeIgnored = [] { return std::signal(SIGPIPE, SIG_IGN) != SIG_ERR; }();

class LimitsServer {
 public:
  using Env = std::map<std::string, std::string>;
  explicit LimitsServer(Env env = {}) : fixture_(std::move(env)) {
    EXPECT_TRUE(kSigpipeIgnored);
    testing::InstallModel(fixture_.models_dir(), "stories",
                          testing::TestdataPath("models/stories260K.gguf"));
  }
  int port() const { return fixture_.port(); }
  pid_t pid() const { return fixture_.pid(); }

 private:
  testing::ServerFixture fixture_;
};

// OLLA_MAX_BODY bounds the decoded body: plain, chunked, gzip and deflate bodies over it get 413
// with an Ollama-style error, a 512 MiB gzip bomb is refused without being expanded, a small
// compressed body is decoded and served, and a body sent to no route is not read at all.
TEST(ServerLimitsTest, BodiesAreBoundedOnTheirDecodedSize) {
  LimitsServer s(LimitsServer::Env{{"OLLA_MAX_BODY", std::to_string(kMiB)}});
  const std::string prefix = R"({"model":"stories","stream":false,"prompt":")";
  const std::string suffix = R"(","options":{"num_predict":1}})";
  auto expect_413 = [](const httplib::Result& r, const std::string& what) {
    ASSERT_TRUE(r) << what << ": no answer";
    EXPECT_EQ(r->status, 413) << what << ": " << r->body.substr(0, 200);
    EXPECT_NE(ErrorOf(r).find("request body too large"), std::string::npos) << r->body;
    EXPECT_NE(ErrorOf(r).find(std::to_string(kMiB)), std::string::npos) << r->body;
  };

  const std::string big = prefix + std::string(2 * kMiB, 'a') + suffix;
  expect_413(Client(s.port())->Post("/api/generate", big, "application/json"), "plain");

  // Chunked (no Content-Length): the limit is not only a check of the declared length.
  size_t sent = 0;
  auto chunked = Client(s.port())->Post(
      "/api/chat",
      [&](size_t, httplib::DataSink& sink) {
        const std::string piece(64 * 1024, ' ');
        if (sent >= 4 * kMiB) {
          sink.done();
          return true;
        }
        sent += piece.size();
        return sink.write(piece.data(), piece.size());
      },
      "application/json");
  expect_413(chunked, "chunked");

  const size_t rss_before = PeakRss(s.pid());
  for (bool gzip : {true, false}) {
    const std::string bomb = Compress(prefix, 512 * kMiB, suffix, gzip);
    ASSERT_LT(bomb.size(), kMiB);  // within the limit as sent
    httplib::Headers h = {{"Content-Encoding", gzip ? "gzip" : "deflate"}};
    const auto start = SteadyClock::now();
    auto r = Client(s.port())->Post("/api/generate", h, bomb, "application/json");
    expect_413(r, gzip ? "gzip bomb" : "deflate bomb");
    EXPECT_LT(SteadyClock::now() - start, seconds(5));
  }
  const size_t rss_after = PeakRss(s.pid());
  if (rss_before > 0) {
    EXPECT_LT(rss_after, rss_before + 64 * kMiB) << "the bomb was expanded";
  }

  // Compressed bodies within the limit are decoded and served.
  const std::string small = Compress(R"({"model":"stories","stream":false,"prompt":"Once)", 0,
                                     R"(","options":{"num_predict":2,"temperature":0}})", true);
  auto ok = Client(s.port())->Post("/api/generate", {{"Content-Encoding", "gzip"}}, small,
                                   "application/json");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;
  EXPECT_EQ(json::parse(ok->body, nullptr, false).value("eval_count", 0), 2) << ok->body;

  // A body for no route: 404 at once, not read into memory first.
  sent = 0;
  auto unrouted = Client(s.port())->Post(
      "/api/nowhere",
      [&](size_t, httplib::DataSink& sink) {
        const std::string piece(64 * 1024, ' ');
        if (sent >= 256 * kMiB) {
          sink.done();
          return true;
        }
        sent += piece.size();
        return sink.write(piece.data(), piece.size());
      },
      "application/json");
  if (unrouted) {
    EXPECT_EQ(unrouted->status, 404);
  }
  EXPECT_LT(sent, 256 * kMiB) << "the server read the whole unrouted body";

  auto v = Client(s.port())->Get("/api/version");
  ASSERT_TRUE(v) << "the server died";
  EXPECT_EQ(v->status, 200);
}

// 16 connections that send one header byte every 200 ms: other clients keep getting answers
// (cpp-httplib's 8 workers were all held before), and the server closes the slow connections
// once OLLA_HEADER_TIMEOUT has passed.
TEST(ServerLimitsTest, SlowDripConnectionsDoNotBlockOtherClients) {
  LimitsServer s(LimitsServer::Env{{"OLLA_HEADER_TIMEOUT", "2s"}});
  std::vector<std::unique_ptr<RawConn>> drips;
  for (int i = 0; i < 16; ++i) {
    drips.push_back(std::make_unique<RawConn>(s.port()));
    ASSERT_TRUE(drips.back()->ok());
    ASSERT_TRUE(drips.back()->SendRaw("GET /api/version HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
  }
  std::jthread dripper([&](std::stop_token stop) {  // stopped and joined on every exit
    while (!stop.stop_requested()) {
      for (auto& d : drips) d->SendRaw("X");
      std::this_thread::sleep_for(milliseconds(200));
    }
  });
  const auto until = SteadyClock::now() + milliseconds(1500);
  int answered = 0;
  while (SteadyClock::now() < until) {
    for (const char* path : {"/api/version", "/health"}) {
      auto c = Client(s.port());
      c->set_read_timeout(1, 0);
      const auto start = SteadyClock::now();
      auto r = c->Get(path);
      ASSERT_TRUE(r) << path << " got no answer within 1 s while slow clients were connected";
      EXPECT_EQ(r->status, 200) << path;
      EXPECT_LT(SteadyClock::now() - start, milliseconds(500)) << path;
      ++answered;
    }
    std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_GE(answered, 4);
  // Every drip is cut about 2 s after it began (the header deadline), although it keeps sending.
  for (auto& d : drips)
    EXPECT_TRUE(d->ReadToEof(seconds(6))) << "a slow connection outlived the header deadline";
}

// With every worker busy and the accept queue full (OLLA_HTTP_THREADS=2, 64 waiting), a new
// connection is answered at once: 503 with Retry-After and Ollama's busy message, while
// GET /health still answers 200; /ready reports 200 on an idle server.
TEST(ServerLimitsTest, SaturatedServerAnswers503AndHealth) {
  LimitsServer s(LimitsServer::Env{{"OLLA_HTTP_THREADS", "2"}});
  auto ready = Client(s.port())->Get("/ready");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200) << ready->body;

  // Idle connections hold the two workers (up to the 5 s idle timeout) and fill the queue.
  std::vector<std::unique_ptr<RawConn>> idle;
  for (int i = 0; i < 2 + 64; ++i) idle.push_back(std::make_unique<RawConn>(s.port()));
  std::this_thread::sleep_for(milliseconds(200));

  // The accept thread takes the idle connections in as it gets to them, which on a loaded host
  // may take longer than the pause above: a connection still queued then is not answered, so
  // try fresh ones (each queued one fills the queue further) until one meets the full queue.
  std::vector<std::unique_ptr<RawConn>> tries;
  std::string answer;
  for (int attempt = 0; attempt < 10 && answer.rfind("HTTP/1.1 503", 0) != 0; ++attempt) {
    tries.push_back(std::make_unique<RawConn>(s.port()));
    RawConn& busy = *tries.back();
    const auto start = SteadyClock::now();
    ASSERT_TRUE(busy.SendRaw("GET /api/version HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
    if (busy.ReadToEof(seconds(1))) {
      answer = busy.data();
      EXPECT_LT(SteadyClock::now() - start, seconds(1));
    }
  }
  EXPECT_EQ(answer.rfind("HTTP/1.1 503", 0), 0u) << answer;
  EXPECT_NE(answer.find("Retry-After: 1"), std::string::npos) << answer;
  EXPECT_NE(answer.find("server busy, please try again."), std::string::npos);

  RawConn health(s.port());
  ASSERT_TRUE(health.SendRaw("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  ASSERT_TRUE(health.ReadToEof(seconds(2))) << health.data();
  EXPECT_EQ(health.data().rfind("HTTP/1.1 200", 0), 0u) << health.data();

  idle.clear();
  tries.clear();
  // Once the idle connections are gone the server serves normally again.
  const auto until = SteadyClock::now() + seconds(10);
  int status = 0;
  while (SteadyClock::now() < until && status != 200) {
    auto r = Client(s.port())->Get("/api/version");
    status = r ? r->status : 0;
    if (status != 200) std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_EQ(status, 200);
}

// /ready is 503 while every slot and queue place is taken (OLLAMA_NUM_PARALLEL=1,
// OLLAMA_MAX_LOADED_MODELS=1, OLLAMA_MAX_QUEUE=1: two generations), /health stays 200.
TEST(ServerLimitsTest, ReadyIs503WhenTheQueueIsFull) {
  LimitsServer s(
      {{"OLLAMA_NUM_PARALLEL", "1"}, {"OLLAMA_MAX_LOADED_MODELS", "1"}, {"OLLAMA_MAX_QUEUE", "1"}});
  const json endless = {{"model", "stories"},
                        {"prompt", "Once upon a time"},
                        {"options", {{"num_predict", 2000000}, {"num_ctx", 2048}}}};
  RawConn a(s.port()), b(s.port());
  ASSERT_TRUE(a.SendPost(s.port(), "/api/generate", endless));
  ASSERT_TRUE(a.ReadUntil("\"done\":false", seconds(60))) << a.data();
  ASSERT_TRUE(b.SendPost(s.port(), "/api/generate", endless));  // waits in the queue
  int status = 0;
  const auto until = SteadyClock::now() + seconds(10);
  while (SteadyClock::now() < until && status != 503) {
    auto r = Client(s.port())->Get("/ready");
    status = r ? r->status : 0;
    if (status != 503) std::this_thread::sleep_for(milliseconds(50));
  }
  EXPECT_EQ(status, 503);
  auto h = Client(s.port())->Get("/health");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
  a.Close();
  b.Close();
  const auto again = SteadyClock::now() + seconds(20);
  while (SteadyClock::now() < again && status != 200) {
    auto r = Client(s.port())->Get("/ready");
    status = r ? r->status : 0;
    if (status != 200) std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_EQ(status, 200);
}

}  // namespace
}  // namespace olla
