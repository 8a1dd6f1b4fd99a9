#include "registry/pull.h"

#include <sys/statvfs.h>

#include <cstdio>
#include <set>

#include "base/log.h"
#include "base/str_cat.h"

namespace olla::registry {

namespace {

void Emit(const ProgressFn& progress, Progress p) {
  if (progress) progress(p);
}

// GET manifests/<tag>, retried on transient failures; the body is capped at the manifest limit.
Result<std::string> FetchManifest(const Client& client, const PullOptions& options,
                                  std::stop_token stop) {
  std::string raw;
  Status s = RetryTransient(options.client.retry, stop, [&]() -> Status {
    HttpRequest req;
    req.url = client.RepoPath(StrCat("manifests/", client.name().tag()));
    req.headers.emplace_back("Accept", StrCat(store::kMediaTypeManifest,
                                              ", application/vnd.oci.image.manifest.v1+json"));
    req.limits.max_body = options.limits.max_bytes;
    req.stop = stop;
    OLLA_ASSIGN_OR_RETURN(HttpResponse resp, client.SendFollow(std::move(req)));
    if (resp.status != 200) return Client::StatusError(resp);
    raw = std::move(resp.body);
    return Status::Ok();
  });
  if (!s.ok()) {
    if (s.code() == StatusCode::kCancelled) return s;
    return s.WithPrefix("pull model manifest");
  }
  return raw;
}

}  // namespace

std::string FormatBytes(int64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KB", "MB", "GB", "TB", "PB"};
  double v = static_cast<double>(bytes);
  int unit = 0;
  while (v >= 1000 && unit < 5) {
    v /= 1000;
    ++unit;
  }
  char buf[32];
  if (unit == 0) {
    std::snprintf(buf, sizeof(buf), "%lld B", static_cast<long long>(bytes));
  } else {
    std::snprintf(buf, sizeof(buf), "%.1f %s", v, kUnits[unit]);
  }
  return buf;
}

Status CheckFreeSpace(const store::Store& store, const store::ModelName& name,
                      const std::vector<store::Layer>& layers) {
  std::set<store::Digest> seen;
  int64_t need = 0;
  for (const store::Layer& layer : layers) {
    if (seen.insert(layer.digest).second) need += BytesToFetch(store, layer);
  }
  if (need == 0) return Status::Ok();
  struct statvfs fs {};
  if (::statvfs((store.root() + "/blobs").c_str(), &fs) != 0) return Status::Ok();  // unknown
  const int64_t avail = static_cast<int64_t>(fs.f_bavail) * static_cast<int64_t>(fs.f_frsize);
  if (avail >= need) return Status::Ok();
  return Status::ResourceExhausted(StrCat("not enough free disk space to pull ",
                                          name.DisplayShortest(), ": need ", FormatBytes(need),
                                          ", ", FormatBytes(avail), " available"));
}

Status Pull(store::Store& store, Downloads& downloads, const store::ModelName& name,
            const PullOptions& options, const ProgressFn& progress, std::stop_token stop) {
  OLLA_ASSIGN_OR_RETURN(Client client, Client::Create(name, options.client));
  std::vector<store::Digest> previous;
  if (Result<store::StoredManifest> old = store.ReadManifest(name); old.ok()) {
    previous = old->manifest.ReferencedDigests();
  }

  Emit(progress, {"pulling manifest"});
  OLLA_ASSIGN_OR_RETURN(std::string raw, FetchManifest(client, options, stop));
  Result<store::Manifest> manifest = CheckRemoteManifest(raw, options.limits);
  if (!manifest.ok()) return manifest.status().WithPrefix("pull model manifest");
  std::vector<store::Layer> layers = manifest->layers;
  layers.push_back(manifest->config);
  OLLA_RETURN_IF_ERROR(CheckFreeSpace(store, name, layers));

  for (const store::Layer& layer : layers) {
    Progress p{StrCat("pulling ", layer.digest.hex().substr(0, 12)), layer.digest.String(),
               layer.size, 0};
    if (BlobPresent(store, layer)) {
      p.completed = layer.size;
      Emit(progress, p);
      continue;
    }
    Status s = downloads.Fetch(
        store, client, layer, options.transfer,
        [&](int64_t completed) {
          p.completed = completed;
          Emit(progress, p);
        },
        stop);
    if (!s.ok()) return s;
  }

  // Each blob was hashed before it was renamed into place (download.h); the status keeps the
  // sequence clients know from Ollama.
  Emit(progress, {"verifying sha256 digest"});
  Emit(progress, {"writing manifest"});
  OLLA_RETURN_IF_ERROR(store.WriteManifestBytes(name, raw).status());

  if (!options.noprune && !previous.empty()) {
    std::set<store::Digest> now;
    for (const store::Layer& l : layers) now.insert(l.digest);
    std::vector<store::Digest> unused;
    for (const store::Digest& d : previous) {
      if (now.count(d) == 0) unused.push_back(d);
    }
    if (!unused.empty()) {
      Emit(progress, {"removing unused layers"});
      Result<store::PruneReport> report = store.RemoveUnreferencedBlobs(unused);
      if (!report.ok()) {
        Emit(progress, {StrCat("couldn't remove unused layers: ", report.status().message())});
      } else {
        for (const std::string& w : report->warnings) LogWarn(w);
      }
    }
  }
  Emit(progress, {"success"});
  return Status::Ok();
}

}  // namespace olla::registry
