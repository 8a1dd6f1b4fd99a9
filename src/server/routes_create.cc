// POST /api/create, HEAD and POST /api/blobs/:digest (spec §3.10, §3.11).

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "base/blocking_queue.h"
#include "base/log.h"
#include "base/str_cat.h"
#include "create/create_model.h"
#include "server/http_listener.h"
#include "server/routes.h"
#include "server/status_http.h"
#include "server/stream.h"

namespace olla::server {

using nlohmann::json;

namespace {

// One create running on its own thread, so that progress streams while it works. Events queue
// without bound (the create never waits for a slow or departed client); destruction waits for
// the create to finish, so the store outlives it.
class CreateJob {
 public:
  struct Event {
    json body;
    int http_status = 0;  // > 0: an error; body is {"error": ...}
  };

  CreateJob(ServerContext& ctx, std::mutex& serialize, create::CreateModelRequest req) {
    worker_ = std::thread([this, &ctx, &serialize, req = std::move(req)] {
      std::lock_guard<std::mutex> lock(serialize);  // one create at a time: GC stays consistent
      create::CreateOptions options;
      options.noprune = ctx.config.noprune;
      // TODO(#7): set options.pull to registry::Pull (routes_registry.cc owns the Downloads) so a
      // missing `from` model is pulled, as upstream does.
      Status s = create::CreateModel(ctx.store, req, options, [this](const json& j) {
        events_.Push({j, 0});
      });
      if (!s.ok()) {
        LogWarn(StrCat("create ", req.name->DisplayShortest(), ": ", s.message()));
        events_.Push({json{{"error", s.message()}}, HttpStatusFor(s)});
      }
      events_.Close();
    });
  }
  ~CreateJob() {
    if (worker_.joinable()) worker_.join();
  }
  CreateJob(const CreateJob&) = delete;
  CreateJob& operator=(const CreateJob&) = delete;

  // The next event, waiting for it; nullopt after the last one.
  std::optional<Event> Next() { return events_.Pop(); }

 private:
  BlockingQueue<Event> events_;
  std::thread worker_;  // last: started after the members it uses exist
};

void HandleCreate(ServerContext& ctx, std::mutex& serialize, const httplib::Request& req,
                  httplib::Response& res) {
  auto parsed = create::ParseCreateRequest(req.body);
  if (!parsed.ok()) return ReplyError(res, parsed.status());
  const bool stream = parsed->stream;
  auto job = std::make_shared<CreateJob>(ctx, serialize, std::move(*parsed));
  if (!stream) {  // the last progress object, normally {"status":"success"}
    json last = json::object();
    while (auto e = job->Next()) {
      if (e->http_status > 0)
        return ReplyError(res, e->http_status, e->body["error"].get<std::string>());
      last = std::move(e->body);
    }
    return ReplyJson(res, last, 200, "application/json");
  }
  // An error before any progress is a plain HTTP error (§3.1).
  std::optional<CreateJob::Event> first = job->Next();
  if (!first) return ReplyJson(res, json::object(), 200, "application/json");
  if (first->http_status > 0)
    return ReplyError(res, first->http_status, first->body["error"].get<std::string>());
  StreamNdjson(res, [job, first = std::move(first->body)](NdjsonWriter& w) {
    if (!w.Write(first)) return;
    while (auto e = job->Next()) {
      if (!w.Write(e->body) || e->http_status > 0) return;
    }
  });
}

// Hands a request body that httplib pushes in pieces to Store::WriteBlobFromReader, which pulls,
// running on another thread; at most kMaxBuffered bytes wait in between.
class BodyPipe {
 public:
  // False once the reader has stopped (the upload is refused or failed).
  bool Push(const char* data, size_t n) {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [&] { return buffered_ < kMaxBuffered || reader_done_; });
    if (reader_done_) return false;
    chunks_.emplace_back(data, n);
    buffered_ += n;
    cv_.notify_all();
    return true;
  }
  // End of the body; `complete` is false if the client went away mid-body.
  void Close(bool complete) {
    std::lock_guard<std::mutex> lk(mu_);
    closed_ = true;
    complete_ = complete;
    cv_.notify_all();
  }
  Result<size_t> Read(char* buf, size_t cap) {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [&] { return !chunks_.empty() || closed_; });
    if (chunks_.empty()) {
      if (complete_) return size_t{0};
      return Status::IoError("upload interrupted");
    }
    std::string& front = chunks_.front();
    const size_t n = std::min(cap, front.size() - front_pos_);
    std::copy_n(front.data() + front_pos_, n, buf);
    front_pos_ += n;
    buffered_ -= n;
    if (front_pos_ == front.size()) {
      chunks_.pop_front();
      front_pos_ = 0;
    }
    cv_.notify_all();
    return n;
  }
  void ReaderDone() {
    std::lock_guard<std::mutex> lk(mu_);
    reader_done_ = true;
    cv_.notify_all();
  }

 private:
  static constexpr size_t kMaxBuffered = size_t{64} << 20;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> chunks_;
  size_t front_pos_ = 0, buffered_ = 0;
  bool closed_ = false, complete_ = false, reader_done_ = false;
};

// The :digest path parameter; replies 400 `invalid digest format` when malformed (§3.11).
std::optional<store::Digest> BlobDigest(const httplib::Request& req, httplib::Response& res) {
  auto d = store::Digest::ParseLenient(req.matches.size() > 1 ? std::string(req.matches[1]) : "");
  if (!d.ok()) {
    ReplyError(res, 400, "invalid digest format");
    return std::nullopt;
  }
  return *d;
}

void HandleHeadBlob(ServerContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (req.method != "HEAD") {
    res.status = 405;
    return res.set_content("405 method not allowed", "text/plain");
  }
  auto digest = BlobDigest(req, res);
  if (!digest) return;
  if (ctx.store.HasBlob(*digest)) {
    res.status = 200;
    return;
  }
  ReplyError(res, 404, StrCat("blob \"", std::string(req.matches[1]), "\" not found"));
}

void HandleUploadBlob(ServerContext& ctx, const httplib::Request& req, httplib::Response& res,
                      const httplib::ContentReader& content_reader) {
  NoBodyDeadline();  // uploads of any size; each read still has the idle timeout
  auto digest = BlobDigest(req, res);
  if (!digest) return;
  if (ctx.store.HasBlob(*digest)) {
    // Upstream answers without reading the body. httplib would then reset the connection under a
    // client still sending it, so the body is drained (not hashed, not stored) first.
    content_reader([](const char*, size_t) { return true; });
    res.status = 200;
    return;
  }
  BodyPipe pipe;
  Result<store::BlobWriteResult> written = Status::Internal("upload not stored");
  std::thread writer([&] {
    written = ctx.store.WriteBlobFromReader(
        [&](char* buf, size_t cap) { return pipe.Read(buf, cap); }, *digest);
    pipe.ReaderDone();
  });
  const bool complete =
      content_reader([&](const char* data, size_t n) { return pipe.Push(data, n); });
  pipe.Close(complete);
  writer.join();
  if (!written.ok()) {
    const std::string& msg = written.status().message();
    const size_t got = msg.find(", got ");
    if (msg.rfind("digest mismatch", 0) == 0 &&
        got != std::string::npos) {  // echo the digest as given
      return ReplyError(res, 400,
                        StrCat("digest mismatch, expected \"", std::string(req.matches[1]), "\"",
                               msg.substr(got)));
    }
    return ReplyError(res, written.status());
  }
  res.status = 201;
}

}  // namespace

void RegisterCreateRoutes(httplib::Server& http, ServerContext& ctx) {
  // One create at a time, and never beside a copy or delete (ServerContext::store_writes).
  HandleWithBody(http, "POST", "/api/create", ctx.config.max_body,
                 [&ctx](const httplib::Request& req, httplib::Response& res) {
                   HandleCreate(ctx, ctx.store_writes, req, res);
                 });
  const char* blob_path = R"(/api/blobs/([^/]*))";
  http.Get(blob_path, [&ctx](const httplib::Request& req, httplib::Response& res) {
    HandleHeadBlob(ctx, req, res);
  });
  http.Post(blob_path, [&ctx](const httplib::Request& req, httplib::Response& res,
                              const httplib::ContentReader& reader) {
    HandleUploadBlob(ctx, req, res, reader);
  });
  // httplib routes a request without a body (the empty blob) to the plain handlers only.
  http.Post(blob_path, [&ctx](const httplib::Request& req, httplib::Response& res) {
    HandleUploadBlob(
        ctx, req, res,
        httplib::ContentReader(
            [&](httplib::ContentReceiver receiver) {
              return req.body.empty() || receiver(req.body.data(), req.body.size());
            },
            [](httplib::MultipartContentHeader, httplib::ContentReceiver) { return false; }));
  });
}

}  // namespace olla::server
