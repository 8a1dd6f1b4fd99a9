// Blob downloads, the network side: parallel ranged parts with retries, and the single-stream
// fallback for registries that ignore Range (download.h has the contract).

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "base/log.h"
#include "base/str_cat.h"
#include "registry/blob_download.h"

namespace olla::registry::internal {

namespace {

constexpr std::string_view kRangeIgnored = "registry ignores Range requests";
constexpr auto kStateInterval = std::chrono::seconds(1);

bool IsRangeIgnored(const Status& s) {
  return s.code() == StatusCode::kUnsupported && s.message() == kRangeIgnored;
}

}  // namespace

void BlobDownload::RunWorkers(size_t n_workers,
                              const std::function<void(std::stop_source&)>& work) {
  std::stop_source phase;  // stops this phase's workers; linked to the caller's stop
  std::stop_callback link(stop_, [&phase] { phase.request_stop(); });
  std::mutex mu;
  std::condition_variable cv;
  size_t running = n_workers;
  std::vector<std::thread> threads;
  threads.reserve(n_workers);
  for (size_t k = 0; k < n_workers; ++k) {
    threads.emplace_back([&] {
      work(phase);
      {
        std::lock_guard<std::mutex> lock(mu);
        --running;
      }
      cv.notify_all();
    });
  }
  {
    std::unique_lock<std::mutex> lock(mu);
    while (running > 0) {
      cv.wait_for(lock, options_.progress_interval);
      lock.unlock();
      Report();
      lock.lock();
    }
  }
  for (std::thread& t : threads) t.join();
}

Status BlobDownload::FetchParts() {
  if (parts_.empty()) return Status::Ok();
  std::atomic<size_t> next{0};
  std::mutex mu;
  Status first_error;
  bool range_ignored = false;
  size_t n_workers =
      std::min(parts_.size(), static_cast<size_t>(std::max(1, options_.max_parallel)));
  RunWorkers(n_workers, [&](std::stop_source& phase) {
    std::stop_token stop = phase.get_token();
    while (!stop.stop_requested()) {
      size_t i = next.fetch_add(1);
      if (i >= parts_.size()) return;
      Status s = RunPart(i, stop);
      if (s.ok()) continue;
      std::lock_guard<std::mutex> lock(mu);
      if (IsRangeIgnored(s)) {
        range_ignored = true;
      } else if (first_error.ok() && s.code() != StatusCode::kCancelled) {
        first_error = std::move(s);
      }
      phase.request_stop();  // one part failed for good: stop the others
      return;
    }
  });
  if (stop_.stop_requested()) return Status::Cancelled("pull cancelled");
  if (!first_error.ok()) return first_error;
  if (range_ignored) return StreamWhole();
  if (Completed() != layer_.size) return Status::Internal("download ended incomplete");
  return Status::Ok();
}

Status BlobDownload::WithRetries(const std::function<Status()>& attempt,
                                 const std::function<int64_t()>& progress, std::string_view what,
                                 std::stop_token stop) {
  const RetryPolicy& policy = client_.options().retry;
  int failures = 0;
  for (int attempts = 1;; ++attempts) {
    int64_t before = progress();
    Status s = attempt();
    if (s.ok()) return s;
    if (stop.stop_requested()) return Status::Cancelled("pull cancelled");
    if (s.code() != StatusCode::kUnavailable) return s;
    failures = progress() > before ? 1 : failures + 1;  // progress earns a fresh set of retries
    if (failures >= policy.max_attempts || attempts >= policy.max_attempts * 16) {
      return Status::Unavailable(StrCat("max retries exceeded: ", s.message()));
    }
    LogInfo(StrCat(what, " attempt ", attempts, " failed: ", s.message(), "; retrying"));
    if (!Client::SleepFor(policy.Backoff(failures), stop)) {
      return Status::Cancelled("pull cancelled");
    }
  }
}

Status BlobDownload::RunPart(size_t i, std::stop_token stop) {
  return WithRetries([&] { return AttemptPart(i, stop); }, [&] { return done_[i].load(); },
                     StrCat(layer_.digest.hex().substr(0, 12), " part ", i), stop);
}

Status BlobDownload::AttemptPart(size_t i, std::stop_token stop) {
  const Part& part = parts_[i];
  const int64_t last = part.offset + part.size - 1;
  int64_t cur = part.offset + done_[i].load();  // next byte this part needs
  if (cur > last) return Status::Ok();
  const bool whole_blob = part.offset == 0 && last == layer_.size - 1;

  HttpRequest req;
  req.url = client_.RepoPath(StrCat("blobs/", layer_.digest.String()));
  req.headers.emplace_back("Range", RangeHeader(cur, last));
  req.stop = stop;
  int64_t pos = -1;  // blob offset of the next byte of the body
  auto state_written = std::chrono::steady_clock::now();
  req.on_body = [&](std::string_view chunk, const HttpResponse& head) -> Status {
    if (pos < 0) {
      OLLA_ASSIGN_OR_RETURN(
          pos, BodyOffset(head.status, head.headers.Get("Content-Range"), cur, last, layer_.size));
      // A 200 carries the whole blob: useless for a part, unless the part is the whole blob.
      if (head.status == 200 && !(whole_blob && cur == 0)) {
        return Status::Unsupported(std::string(kRangeIgnored));
      }
    }
    const int64_t start = pos;
    pos += static_cast<int64_t>(chunk.size());
    const int64_t from = std::max(start, cur), to = std::min(pos, last + 1);
    if (from < to) {
      OLLA_RETURN_IF_ERROR(
          WriteAt(chunk.data() + (from - start), static_cast<size_t>(to - from), from));
      cur = to;
      done_[i].store(cur - part.offset);
    }
    if (pos > last + 1) {
      return Status::Corrupt(
          whole_blob
              ? StrCat("blob ", layer_.digest.String(), " is larger than its manifest size of ",
                       layer_.size, " bytes")
              : StrCat("registry sent more bytes than requested for ", layer_.digest.String()));
    }
    if (auto now = std::chrono::steady_clock::now(); now - state_written >= kStateInterval) {
      state_written = now;
      OLLA_RETURN_IF_ERROR(WriteState(i, false));
    }
    return Status::Ok();
  };
  Result<HttpResponse> resp = client_.SendFollow(std::move(req));
  Status state = WriteState(i, false);
  if (!resp.ok()) return resp.status();
  if (resp->status < 200 || resp->status > 299) return Client::StatusError(*resp);
  OLLA_RETURN_IF_ERROR(state);
  if (cur <= last) {
    return Status::Unavailable(StrCat("unexpected EOF in ", layer_.digest.hex().substr(0, 12),
                                      " part ", i, " at byte ", cur));
  }
  return Status::Ok();
}

Status BlobDownload::StreamWhole() {
  LogInfo(
      StrCat(kRangeIgnored, "; fetching ", layer_.digest.hex().substr(0, 12), " as one stream"));
  Status result;
  RunWorkers(1, [&](std::stop_source& phase) {
    std::stop_token stop = phase.get_token();
    result = WithRetries([&] { return AttemptWhole(stop); }, [&] { return Completed(); },
                         layer_.digest.hex().substr(0, 12), stop);
  });
  if (stop_.stop_requested()) return Status::Cancelled("pull cancelled");
  return result;
}

Status BlobDownload::AttemptWhole(std::stop_token stop) {
  HttpRequest req;
  req.url = client_.RepoPath(StrCat("blobs/", layer_.digest.String()));
  req.stop = stop;
  int64_t pos = -1;
  size_t first_open = 0;  // parts before this one are complete
  auto state_written = std::chrono::steady_clock::now();
  auto credit = [&] {  // every part gets max(its count, the bytes streamed over it)
    for (size_t j = first_open; j < parts_.size() && parts_[j].offset < pos; ++j) {
      int64_t have = std::min(parts_[j].size, pos - parts_[j].offset);
      if (have > done_[j].load()) done_[j].store(have);
      if (have == parts_[j].size && j == first_open) ++first_open;
    }
  };
  auto write_states = [&] {
    for (size_t j = 0; j < parts_.size(); ++j) OLLA_RETURN_IF_ERROR(WriteState(j, false));
    return Status::Ok();
  };
  req.on_body = [&](std::string_view chunk, const HttpResponse& head) -> Status {
    if (pos < 0) {
      std::optional<std::string> cr = head.headers.Get("Content-Range");
      if (head.status == 206) {
        OLLA_ASSIGN_OR_RETURN(pos, BodyOffset(206, cr, 0, layer_.size - 1, layer_.size));
        if (pos != 0) return Status::Corrupt("registry sent a range that was not requested");
      }
      pos = 0;
    }
    if (pos + static_cast<int64_t>(chunk.size()) > layer_.size) {
      return Status::Corrupt(StrCat("blob ", layer_.digest.String(),
                                    " is larger than its manifest size of ", layer_.size,
                                    " bytes"));
    }
    OLLA_RETURN_IF_ERROR(WriteAt(chunk.data(), chunk.size(), pos));
    pos += static_cast<int64_t>(chunk.size());
    credit();
    if (auto now = std::chrono::steady_clock::now(); now - state_written >= kStateInterval) {
      state_written = now;
      OLLA_RETURN_IF_ERROR(write_states());
    }
    return Status::Ok();
  };
  Result<HttpResponse> resp = client_.SendFollow(std::move(req));
  Status state = write_states();
  if (!resp.ok()) return resp.status();
  if (resp->status < 200 || resp->status > 299) return Client::StatusError(*resp);
  OLLA_RETURN_IF_ERROR(state);
  if (pos < layer_.size) {
    return Status::Unavailable(StrCat("unexpected EOF in ", layer_.digest.hex().substr(0, 12),
                                      " at byte ", std::max<int64_t>(pos, 0)));
  }
  return Status::Ok();
}

}  // namespace olla::registry::internal
