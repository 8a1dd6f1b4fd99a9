#pragma once
// Routes whose body is a JSON document (every POST/DELETE route but the blob upload) read it
// through here: decoded (gzip, deflate, br) and at most `max_body` bytes of the decoded text
// (OLLA_MAX_BODY), however it is framed (Content-Length or chunked). A longer body is answered
// 413 {"error": "request body too large: ..."} as soon as the limit is passed, without reading or
// decompressing the rest, and its connection is closed after the answer (issue #17).

#include <httplib.h>

#include <cstddef>
#include <functional>
#include <string>

namespace olla::server {

using BodyHandler = std::function<void(const httplib::Request&, httplib::Response&)>;

// Registers `handler` for `method` ("POST" or "DELETE") and `pattern`; the handler sees the
// decoded body in req.body.
void HandleWithBody(httplib::Server& http, const char* method, const std::string& pattern,
                    size_t max_body, BodyHandler handler);

// Answers 404 for POST, PUT, PATCH and DELETE requests that no route took, without reading their
// body (httplib would read it whole into memory first). Register after every route.
void RefuseUnroutedBodies(httplib::Server& http);

// The message of a 413.
std::string BodyTooLargeMessage(size_t max_body);

}  // namespace olla::server
