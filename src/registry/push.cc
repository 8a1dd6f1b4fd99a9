#include "registry/push.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <set>

#include "base/str_cat.h"
#include "registry/parts.h"

namespace olla::registry {

namespace {

void Emit(const ProgressFn& progress, const Progress& p) {
  if (progress) progress(p);
}

bool Is2xx(long status) { return status >= 200 && status <= 299; }

// Uploads one blob; see push.h for the protocol.
class BlobUpload {
 public:
  BlobUpload(const Client& client, const store::Store& store, const store::Layer& layer,
             const PushOptions& options, const ProgressFn& progress, std::stop_token stop)
      : client_(client),
        layer_(layer),
        options_(options),
        progress_(progress),
        stop_(std::move(stop)),
        path_(store.BlobPath(layer.digest)),
        event_{StrCat("pushing ", layer.digest.hex().substr(0, 12)), layer.digest.String(),
               layer.size, 0} {}
  ~BlobUpload() {
    if (fd_ >= 0) ::close(fd_);
  }

  Status Run() {
    fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st {};
    if (fd_ < 0 || ::fstat(fd_, &st) != 0) {
      return Status::NotFound(StrCat("blob ", layer_.digest.String(), ": ", std::strerror(errno)));
    }
    if (st.st_size != layer_.size) {
      return Status::Corrupt(StrCat("blob ", layer_.digest.String(), " has ", st.st_size,
                                    " bytes, the manifest says ", layer_.size));
    }
    bool exists = false;
    OLLA_RETURN_IF_ERROR(
        RetryTransient(client_.options().retry, stop_, [&] { return Exists(&exists); }));
    if (!exists) {
      OLLA_RETURN_IF_ERROR(RetryTransient(client_.options().retry, stop_, [&] {
        Report(0, true);
        return Upload();
      }));
    }
    Report(layer_.size, true);
    return Status::Ok();
  }

 private:
  void Report(int64_t completed, bool force) {
    auto now = std::chrono::steady_clock::now();
    if (!force && now - last_report_ < options_.transfer.progress_interval) return;
    last_report_ = now;
    event_.completed = completed;
    Emit(progress_, event_);
  }

  std::string BlobPath() const {
    return client_.RepoPath(StrCat("blobs/", layer_.digest.String()));
  }

  Status Exists(bool* exists) {
    HttpRequest req;
    req.method = "HEAD";
    req.url = BlobPath();
    req.stop = stop_;
    OLLA_ASSIGN_OR_RETURN(HttpResponse resp, client_.SendFollow(std::move(req)));
    *exists = Is2xx(resp.status);
    if (*exists || resp.status == 404) return Status::Ok();
    return Client::StatusError(resp);
  }

  // The repository to mount from: the layer's `from` when it names another repository of this
  // registry (a validated name; anything else is ignored).
  std::string MountSource() const {
    if (layer_.from.empty()) return "";
    Result<store::ModelName> from = store::ModelName::Parse(layer_.from);
    if (!from.ok() || store::CompareFoldAscii(from->host(), client_.name().host()) != 0) return "";
    if (from->RepositoryPath() == client_.name().RepositoryPath()) return "";
    return from->RepositoryPath();
  }

  // The next upload URL from a response: Docker-Upload-Location, else Location, resolved
  // against the URL the request went to.
  Result<std::string> NextLocation(const HttpResponse& resp, const Url& sent_to) const {
    std::optional<std::string> loc = resp.headers.Get("Docker-Upload-Location");
    if (!loc || loc->empty()) loc = resp.headers.Get("Location");
    if (!loc || loc->empty()) return Status::Corrupt("registry did not return an upload location");
    OLLA_ASSIGN_OR_RETURN(Url url, ResolveUrl(sent_to, *loc));
    if (sent_to.scheme == "https" && url.scheme == "http" && !client_.options().insecure) {
      return Status::Corrupt("upload location downgrades https to http");
    }
    return url.full;
  }

  Status Upload() {
    Url base = client_.base();
    HttpRequest post;
    post.method = "POST";
    post.url = client_.RepoPath("blobs/uploads/");
    if (std::string source = MountSource(); !source.empty()) {
      post.url = AddQuery(AddQuery(post.url, "mount", layer_.digest.String()), "from", source);
    }
    post.stop = stop_;
    OLLA_ASSIGN_OR_RETURN(HttpResponse resp, client_.Send(post));
    if (resp.status == 201) return Status::Ok();  // mounted from another repository
    if (resp.status != 202) return Client::StatusError(resp);
    OLLA_ASSIGN_OR_RETURN(Url here, ParseUrl(StrCat(base.scheme, "://", base.Authority(), "/")));
    OLLA_ASSIGN_OR_RETURN(std::string location, NextLocation(resp, here));

    int64_t sent = 0;
    for (const Part& part : PlanParts(layer_.size, options_.transfer.parts)) {
      OLLA_ASSIGN_OR_RETURN(location, SendPart(location, part, sent));
      sent += part.size;
    }
    HttpRequest put;
    put.method = "PUT";
    put.url = AddQuery(location, "digest", layer_.digest.String());
    put.headers.emplace_back("Content-Type", "application/octet-stream");
    put.stop = stop_;
    OLLA_ASSIGN_OR_RETURN(HttpResponse done, client_.Send(std::move(put)));
    if (!Is2xx(done.status)) return Client::StatusError(done);
    return Status::Ok();
  }

  // PATCHes one part to `location`; returns the URL for the next request.
  Result<std::string> SendPart(const std::string& location, const Part& part, int64_t sent) {
    HttpRequest req;
    req.method = "PATCH";
    req.url = location;
    req.headers.emplace_back("Content-Type", "application/octet-stream");
    req.headers.emplace_back("Content-Range",
                             StrCat(part.offset, "-", part.offset + part.size - 1));
    req.headers.emplace_back("X-Redirect-Uploads", "1");
    req.file = FileSlice{fd_, part.offset, part.size};
    req.on_upload = [&](int64_t n) { Report(sent + std::min(n, part.size), false); };
    req.stop = stop_;
    OLLA_ASSIGN_OR_RETURN(Url sent_to, ParseUrl(location));
    OLLA_ASSIGN_OR_RETURN(HttpResponse resp, client_.Send(req));
    if (resp.status == 307) {
      // The registry hands this part to object storage: PUT it there; the next part goes to the
      // upload location the registry named.
      OLLA_ASSIGN_OR_RETURN(Url target,
                            CheckRedirect(sent_to, resp.headers.Get("Location").value_or(""),
                                          client_.options().insecure));
      HttpRequest put = req;
      put.method = "PUT";
      put.url = target.full;
      put.headers = {{"Content-Type", "application/octet-stream"}};
      OLLA_ASSIGN_OR_RETURN(HttpResponse stored, client_.Send(std::move(put)));
      if (!Is2xx(stored.status)) return Client::StatusError(stored);
      std::optional<std::string> next = resp.headers.Get("Docker-Upload-Location");
      if (!next || next->empty())
        return Status::Corrupt("redirected upload without a next location");
      OLLA_ASSIGN_OR_RETURN(Url next_url, ResolveUrl(sent_to, *next));
      return next_url.full;
    }
    if (!Is2xx(resp.status)) return Client::StatusError(resp);
    return NextLocation(resp, sent_to);
  }

  const Client& client_;
  const store::Layer& layer_;
  const PushOptions& options_;
  const ProgressFn& progress_;
  std::stop_token stop_;
  std::string path_;
  Progress event_;
  int fd_ = -1;
  std::chrono::steady_clock::time_point last_report_;
};

Status PutManifest(const Client& client, const store::Manifest& manifest, std::stop_token stop) {
  std::string body = store::EncodeManifest(manifest);
  if (!body.empty() && body.back() == '\n') body.pop_back();  // Ollama sends json.Marshal bytes
  return RetryTransient(client.options().retry, stop, [&]() -> Status {
    HttpRequest req;
    req.method = "PUT";
    req.url = client.RepoPath(StrCat("manifests/", client.name().tag()));
    req.headers.emplace_back("Content-Type", manifest.media_type.empty()
                                                 ? std::string(store::kMediaTypeManifest)
                                                 : manifest.media_type);
    req.body = body;
    req.stop = stop;
    OLLA_ASSIGN_OR_RETURN(HttpResponse resp, client.Send(std::move(req)));
    if (!Is2xx(resp.status)) return Client::StatusError(resp);
    return Status::Ok();
  });
}

}  // namespace

Status Push(const store::Store& store, const store::ModelName& name, const PushOptions& options,
            const ProgressFn& progress, std::stop_token stop) {
  OLLA_ASSIGN_OR_RETURN(Client client, Client::Create(name, options.client));
  Emit(progress, {"retrieving manifest"});
  Result<store::StoredManifest> stored = store.ReadManifest(name);
  if (!stored.ok()) {
    Emit(progress, {"couldn't retrieve manifest"});
    return stored.status();
  }
  std::vector<store::Layer> layers = stored->manifest.layers;
  layers.push_back(stored->manifest.config);
  std::set<store::Digest> done;
  for (const store::Layer& layer : layers) {
    if (!done.insert(layer.digest).second) continue;
    OLLA_RETURN_IF_ERROR(BlobUpload(client, store, layer, options, progress, stop).Run());
  }
  Emit(progress, {"pushing manifest"});
  OLLA_RETURN_IF_ERROR(PutManifest(client, stored->manifest, stop));
  Emit(progress, {"success"});
  return Status::Ok();
}

}  // namespace olla::registry
