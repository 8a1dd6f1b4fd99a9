#include "server/request_body.h"

#include <cstdlib>

#include "base/str_cat.h"
#include "server/http_listener.h"
#include "server/routes.h"

namespace olla::server {

std::string BodyTooLargeMessage(size_t max_body) {
  return StrCat("request body too large: the limit is ", max_body, " bytes (OLLA_MAX_BODY)");
}

namespace {

// Reads the body into `out`; false after answering the request (413 or 400).
bool ReadBody(const httplib::Request& req, httplib::Response& res,
              const httplib::ContentReader& reader, size_t max_body, std::string* out) {
  // A declared length over the limit is refused before anything is read.
  const std::string declared = req.get_header_value("Content-Length");
  if (!declared.empty()) {
    char* end = nullptr;
    const unsigned long long n = std::strtoull(declared.c_str(), &end, 10);
    if (*end == '\0' && n > max_body && req.get_header_value("Content-Encoding").empty()) {
      CloseConnectionAfterResponse();
      ReplyError(res, 413, BodyTooLargeMessage(max_body));
      return false;
    }
    if (*end == '\0' && n <= max_body) out->reserve(static_cast<size_t>(n));
  }
  bool too_large = false;
  const bool complete = reader([&](const char* data, size_t n) {
    // Called per decoded chunk (16 KiB at most for compressed bodies): stops the decompressor
    // as soon as the limit is passed, so a bomb never expands in memory.
    if (n > max_body - out->size()) {
      too_large = true;
      return false;
    }
    out->append(data, n);
    return true;
  });
  if (complete) return true;
  CloseConnectionAfterResponse();
  if (too_large) {
    ReplyError(res, 413, BodyTooLargeMessage(max_body));
  } else {
    // httplib's status for what went wrong: 415 an unknown encoding, 400 a broken or cut body.
    const int status = res.status >= 400 ? res.status : 400;
    ReplyError(res, status, "error reading the request body");
  }
  return false;
}

}  // namespace

void HandleWithBody(httplib::Server& http, const char* method, const std::string& pattern,
                    size_t max_body, BodyHandler handler) {
  auto with_body = [max_body, handler](const httplib::Request& req, httplib::Response& res,
                                       const httplib::ContentReader& reader) {
    httplib::Request copy = req;  // req.matches point into req.path, which outlives the call
    copy.body.clear();
    if (!ReadBody(req, res, reader, max_body, &copy.body)) return;
    handler(copy, res);
  };
  // httplib sends a request without a body (no Content-Length, not chunked) to the plain ones.
  if (std::string_view(method) == "DELETE") {
    http.Delete(pattern, with_body);
    http.Delete(pattern, handler);
  } else {
    http.Post(pattern, with_body);
    http.Post(pattern, handler);
  }
}

void RefuseUnroutedBodies(httplib::Server& http) {
  auto not_found = [](const httplib::Request&, httplib::Response& res,
                      const httplib::ContentReader&) {
    CloseConnectionAfterResponse();
    res.status = 404;
    res.set_content("404 page not found", "text/plain; charset=utf-8");
  };
  http.Post(".*", not_found);
  http.Put(".*", not_found);
  http.Patch(".*", not_found);
  http.Delete(".*", not_found);
}

}  // namespace olla::server
