// POST /api/pull, POST /api/push (spec §3.14, §3.15; protocol in registry/).

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stop_token>
#include <thread>

#include "api/json_request.h"
#include "base/blocking_queue.h"
#include "base/log.h"
#include "base/str_cat.h"
#include "registry/credentials.h"
#include "registry/download.h"
#include "registry/key_auth.h"
#include "registry/pull.h"
#include "registry/push.h"
#include "server/routes.h"
#include "server/stream.h"

namespace olla::server {

using nlohmann::json;

namespace {

// {"status":…,"digest":…,"total":…,"completed":…} with Go's omitempty.
json ProgressJson(const registry::Progress& p) {
  json j = {{"status", p.status}};
  if (!p.digest.empty()) j["digest"] = p.digest;
  if (p.total != 0) j["total"] = p.total;
  if (p.completed != 0) j["completed"] = p.completed;
  return j;
}

// One pull or push running on its own thread, so that progress streams while it works. Events
// queue (a slow client never stalls the transfer); Cancel() stops it (the client left);
// destruction waits for it, so the store outlives it.
class TransferJob {
 public:
  using Work = std::function<Status(const registry::ProgressFn&, std::stop_token)>;
  struct Event {
    json body;
    bool error = false;
  };

  explicit TransferJob(Work work) {
    worker_ = std::thread([this, work = std::move(work)] {
      Status s = work(
          [this](const registry::Progress& p) {
            Add({ProgressJson(p), false});
          },
          stop_.get_token());
      if (!s.ok()) Add({json{{"error", s.message()}}, true});
      events_.Close();
    });
  }
  ~TransferJob() {  // nobody reads the events any more: stop
    stop_.request_stop();
    if (worker_.joinable()) worker_.join();
  }
  TransferJob(const TransferJob&) = delete;
  TransferJob& operator=(const TransferJob&) = delete;

  void Cancel() { stop_.request_stop(); }
  // The next event, waiting for it; nullopt after the last one.
  std::optional<Event> Next() { return events_.Pop(); }

 private:
  void Add(Event e) {
    // Progress of one blob supersedes its previous, unsent event: the queue stays short.
    events_.PushOrReplaceLast(std::move(e), [](const Event& last, const Event& next) {
      return !next.error && !last.error && next.body.contains("digest") &&
             last.body.value("digest", "") == next.body["digest"];
    });
  }

  BlockingQueue<Event> events_;
  std::stop_source stop_;
  std::thread worker_;  // last: started after the members it uses exist
};

// Runs `job` and answers: one JSON object (the last event) if !stream, else NDJSON. Errors
// before any progress are plain HTTP 500 errors, as Ollama's (§3.1, §3.14).
void Respond(httplib::Response& res, std::shared_ptr<TransferJob> job, bool stream) {
  if (!stream) {
    json last = json::object();
    while (auto e = job->Next()) {
      if (e->error) return ReplyError(res, 500, e->body["error"].get<std::string>());
      last = std::move(e->body);
    }
    return ReplyJson(res, last, 200, "application/json");
  }
  std::optional<TransferJob::Event> first = job->Next();
  if (!first) return ReplyJson(res, json::object(), 200, "application/json");
  if (first->error) return ReplyError(res, 500, first->body["error"].get<std::string>());
  StreamNdjson(res, [job, first = std::move(first->body)](NdjsonWriter& w) {
    if (!w.Write(first)) return job->Cancel();
    while (auto e = job->Next()) {
      if (!w.Write(e->body)) return job->Cancel();  // the client left: stop the transfer
      if (e->error) return;
    }
  });
}

struct TransferRequest {
  std::string model;
  bool insecure = false, stream = true;
};

Result<TransferRequest> ParseTransfer(const std::string& body, const char* go_type) {
  OLLA_ASSIGN_OR_RETURN(json j, api::ParseRequestBody(body, go_type));
  api::Fields f(j, go_type);
  TransferRequest r;
  OLLA_ASSIGN_OR_RETURN(auto model, f.String("model"));
  OLLA_ASSIGN_OR_RETURN(auto name, f.String("name"));
  r.model = model.value_or("");
  if (r.model.empty()) r.model = name.value_or("");
  OLLA_ASSIGN_OR_RETURN(auto insecure, f.Bool("insecure"));
  r.insecure = insecure.value_or(false);
  OLLA_ASSIGN_OR_RETURN(auto stream, f.Bool("stream"));
  r.stream = stream.value_or(true);
  for (const char* ignored : {"username", "password"}) {  // accepted, unused (§3.14)
    OLLA_RETURN_IF_ERROR(f.String(ignored).status());
  }
  return r;
}

registry::ClientOptions ClientOptionsFor(const ServerContext& ctx, bool insecure) {
  registry::ClientOptions o;
  o.insecure = insecure;
  o.user_agent = StrCat("olla/", ctx.config.version);
  // Private registries: `docker login` credentials (registry/credentials.h), sent only to the
  // registry they are filed under.
  o.credentials = registry::CredentialsFromFile(registry::DefaultCredentialsFile());
  // Ollama's key signature (~/.ollama/id_ed25519) on token requests to the registry's own host.
  o.sign = registry::SignWithDefaultKey();
  return o;
}

void HandlePull(ServerContext& ctx, registry::Downloads& downloads, const httplib::Request& req,
                httplib::Response& res) {
  auto r = ParseTransfer(req.body, "PullRequest");
  if (!r.ok()) return ReplyError(res, r.status());
  auto name = store::ModelName::Parse(r->model);
  if (!name.ok()) return ReplyError(res, 400, "invalid model name");
  registry::PullOptions options;
  options.client = ClientOptionsFor(ctx, r->insecure);
  options.noprune = ctx.config.noprune;
  auto job = std::make_shared<TransferJob>(
      [&ctx, &downloads, name = *name, options](const registry::ProgressFn& progress,
                                                std::stop_token stop) {
        Status s = registry::Pull(ctx.store, downloads, name, options, progress, stop);
        if (!s.ok()) LogWarn(StrCat("pull ", name.DisplayShortest(), ": ", s.message()));
        return s;
      });
  Respond(res, std::move(job), r->stream);
}

void HandlePush(ServerContext& ctx, const httplib::Request& req, httplib::Response& res) {
  auto r = ParseTransfer(req.body, "PushRequest");
  if (!r.ok()) return ReplyError(res, r.status());
  if (r->model.empty()) return ReplyError(res, 400, "model is required");
  auto name = store::ModelName::Parse(r->model);
  if (!name.ok()) return ReplyError(res, 400, "invalid model name");
  registry::PushOptions options;
  options.client = ClientOptionsFor(ctx, r->insecure);
  auto job = std::make_shared<TransferJob>(
      [&ctx, name = *name, options](const registry::ProgressFn& progress, std::stop_token stop) {
        Status s = registry::Push(ctx.store, name, options, progress, stop);
        if (!s.ok()) LogWarn(StrCat("push ", name.DisplayShortest(), ": ", s.message()));
        return s;
      });
  Respond(res, std::move(job), r->stream);
}

}  // namespace

void RegisterRegistryRoutes(httplib::Server& http, ServerContext& ctx) {
  // One per server: concurrent pulls of a blob share its download.
  auto downloads = std::make_shared<registry::Downloads>();
  HandleWithBody(http, "POST", "/api/pull", ctx.config.max_body,
                 [&ctx, downloads](const httplib::Request& req, httplib::Response& res) {
                   HandlePull(ctx, *downloads, req, res);
                 });
  HandleWithBody(
      http, "POST", "/api/push", ctx.config.max_body,
      [&ctx](const httplib::Request& req, httplib::Response& res) { HandlePush(ctx, req, res); });
}

}  // namespace olla::server
