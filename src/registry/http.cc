#include "registry/http.h"

#include <curl/curl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>

#include "base/ascii.h"
#include "base/str_cat.h"

namespace olla::registry {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

// The URL without its query and fragment: pre-signed URLs carry secrets in the query, and
// error messages end up in logs and API responses.
std::string UrlForMessage(std::string_view url) {
  size_t cut = url.find_first_of("?#");
  return std::string(url.substr(0, cut));
}

// curl_global_init is not thread-safe; run it once before the first handle.
void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

// State shared with the libcurl callbacks of one transfer.
struct Transfer {
  const HttpRequest* req = nullptr;
  HttpResponse resp;
  Status sink_status;       // why on_body or a limit aborted the transfer
  size_t header_bytes = 0;  // of the current response
  size_t header_lines = 0;
  int64_t upload_pos = 0;  // bytes of the request body handed to curl
  int64_t upload_size = 0;
};

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t len = size * n;
  std::string_view line(data, len);
  if (line.substr(0, 5) == "HTTP/") {  // a new response (after 1xx or a previous hop): reset
    t->resp.headers.clear();
    t->header_bytes = 0;
    t->header_lines = 0;
    size_t sp = line.find(' ');
    t->resp.status =
        sp == std::string_view::npos ? 0 : std::strtol(line.data() + sp + 1, nullptr, 10);
  }
  t->header_bytes += len;
  ++t->header_lines;
  if (t->header_bytes > t->req->limits.max_header_bytes ||
      t->header_lines > t->req->limits.max_headers) {
    t->sink_status = Status::Corrupt(
        StrCat("response headers from ", UrlForMessage(t->req->url), " exceed the limit"));
    return 0;  // aborts with CURLE_WRITE_ERROR
  }
  size_t colon = line.find(':');
  if (colon != std::string_view::npos && line.substr(0, 5) != "HTTP/") {
    t->resp.headers.Add(std::string(Trim(line.substr(0, colon))),
                        std::string(Trim(line.substr(colon + 1))));
  }
  return len;
}

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t len = size * n;
  t->resp.body_bytes += static_cast<int64_t>(len);
  if (t->req->on_body && (t->resp.status < 200 || t->resp.status > 299)) {
    constexpr size_t kKeep = 4 << 10;
    if (t->resp.body.size() < kKeep) {
      t->resp.body.append(data, std::min(len, kKeep - t->resp.body.size()));
    }
    return len;
  }
  if (t->req->on_body) {
    Status s = t->req->on_body(std::string_view(data, len), t->resp);
    if (!s.ok()) {
      t->sink_status = std::move(s);
      return 0;
    }
    return len;
  }
  if (t->resp.body.size() + len > t->req->limits.max_body) {
    t->sink_status = Status::Corrupt(StrCat("response from ", UrlForMessage(t->req->url),
                                            " is larger than ", t->req->limits.max_body, " bytes"));
    return 0;
  }
  t->resp.body.append(data, len);
  return len;
}

size_t OnRead(char* buf, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t cap = size * n;
  int64_t left = t->upload_size - t->upload_pos;
  if (left <= 0) return 0;
  size_t want = static_cast<size_t>(std::min<int64_t>(left, static_cast<int64_t>(cap)));
  if (t->req->file) {
    const FileSlice& f = *t->req->file;
    ssize_t got;
    do {
      got = ::pread(f.fd, buf, want, f.offset + t->upload_pos);
    } while (got < 0 && errno == EINTR);
    if (got <= 0) {
      t->sink_status = Status::IoError(
          StrCat("read upload body: ", got == 0 ? "unexpected end of file" : std::strerror(errno)));
      return CURL_READFUNC_ABORT;
    }
    want = static_cast<size_t>(got);
  } else {
    std::memcpy(buf, t->req->body.data() + t->upload_pos, want);
  }
  t->upload_pos += static_cast<int64_t>(want);
  return want;
}

int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t ulnow) {
  auto* t = static_cast<Transfer*>(user);
  if (t->req->stop.stop_requested()) return 1;
  if (t->req->on_upload && ulnow > 0) t->req->on_upload(static_cast<int64_t>(ulnow));
  return 0;
}

Status CurlError(const HttpRequest& req, CURLcode code, const char* detail) {
  std::string what = StrCat(req.method, " ", UrlForMessage(req.url), ": ",
                            (detail && *detail) ? detail : curl_easy_strerror(code));
  switch (code) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_HTTP3:
      return Status::Unavailable(std::move(what));
    default:
      return Status::IoError(std::move(what));
  }
}

}  // namespace

std::optional<std::string> Headers::Get(std::string_view name) const {
  for (const auto& [k, v] : entries_) {
    if (EqualsIgnoreAsciiCase(k, name)) return v;
  }
  return std::nullopt;
}

std::vector<std::string> Headers::GetAll(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : entries_) {
    if (EqualsIgnoreAsciiCase(k, name)) out.push_back(v);
  }
  return out;
}

Result<HttpResponse> HttpDo(const HttpRequest& req) {
  if (req.url.rfind("http://", 0) != 0 && req.url.rfind("https://", 0) != 0) {
    return Status::InvalidArgument(StrCat("unsupported URL scheme: ", UrlForMessage(req.url)));
  }
  if (req.stop.stop_requested()) return Status::Cancelled("request cancelled");
  GlobalInit();
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return Status::Internal("curl_easy_init failed");
  CURL* c = curl.get();

  Transfer t;
  t.req = &req;
  char errbuf[CURL_ERROR_SIZE] = {0};

  curl_slist* list = nullptr;
  bool has_content_type = false;
  for (const auto& [k, v] : req.headers) {
    if (EqualsIgnoreAsciiCase(k, "Content-Type")) has_content_type = true;
    list = curl_slist_append(list, StrCat(k, ": ", v).c_str());
  }
  list = curl_slist_append(list, "Expect:");  // no 100-continue round trip
  if (!has_content_type) list = curl_slist_append(list, "Content-Type:");
  std::unique_ptr<curl_slist, SlistDeleter> header_list(list);

  curl_easy_setopt(c, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, header_list.get());
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, req.tls_insecure ? 0L : 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, req.tls_insecure ? 0L : 2L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(req.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(req.total_timeout.count()));
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, static_cast<long>(req.stall_timeout.count()));
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, &OnProgress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &t);
  // No Accept-Encoding: bodies arrive as stored, so no decompression bomb can inflate them.

  const bool has_body = req.method != "GET" && req.method != "HEAD" &&
                        (req.file.has_value() || !req.body.empty() || req.method == "POST" ||
                         req.method == "PUT" || req.method == "PATCH");
  t.upload_size = req.file ? req.file->size : static_cast<int64_t>(req.body.size());
  if (req.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else if (req.method == "GET") {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else if (req.method == "POST") {
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t.upload_size));
    curl_easy_setopt(c, CURLOPT_READFUNCTION, &OnRead);
    curl_easy_setopt(c, CURLOPT_READDATA, &t);
  } else if (has_body) {
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(t.upload_size));
    curl_easy_setopt(c, CURLOPT_READFUNCTION, &OnRead);
    curl_easy_setopt(c, CURLOPT_READDATA, &t);
    if (req.method != "PUT") curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  } else {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  }

  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    if (!t.sink_status.ok()) return t.sink_status;
    if (req.stop.stop_requested()) return Status::Cancelled("request cancelled");
    return CurlError(req, rc, errbuf);
  }
  long code = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  t.resp.status = code;
  return std::move(t.resp);
}

}  // namespace olla::registry
