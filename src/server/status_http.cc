#include "server/status_http.h"

namespace olla::server {

int HttpStatusFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
      return 409;
    case StatusCode::kCorrupt:
      return 400;
    case StatusCode::kUnsupported:
      return 400;
    case StatusCode::kResourceExhausted:
      return 500;
    case StatusCode::kCancelled:
      return 499;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kIoError:
      return 500;
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

}  // namespace olla::server
