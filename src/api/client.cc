#include "api/client.h"

#include <httplib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>

#include "base/str_cat.h"

namespace olla::api {

using nlohmann::json;

struct Client::Impl {
  explicit Impl(const std::string& host, int port) : http(host, port) {
    http.set_connection_timeout(5, 0);
    http.set_read_timeout(24 * 3600, 0);  // generations can be long; Ctrl-C ends them
    http.set_write_timeout(3600, 0);
  }
  httplib::Client http;
};

namespace {
constexpr const char* kUserAgent = "ollama/0.1.0 (amd64 linux) olla";

std::string ErrorMessage(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (!j.is_discarded() && j.is_object() && j.contains("error") && j["error"].is_string())
    return j["error"].get<std::string>();
  return body;
}

Status FromHttp(int status, const std::string& message) {
  if (status == 404) return Status::NotFound(message);
  if (status == 400) return Status::InvalidArgument(message);
  if (status == 503) return Status::Unavailable(message);
  return Status::Internal(message);
}

std::string StatusLine(int status) {
  const char* text = "";
  switch (status) {
    case 400:
      text = "Bad Request";
      break;
    case 401:
      text = "Unauthorized";
      break;
    case 403:
      text = "Forbidden";
      break;
    case 404:
      text = "Not Found";
      break;
    case 405:
      text = "Method Not Allowed";
      break;
    case 429:
      text = "Too Many Requests";
      break;
    case 499:
      text = "status code 499";
      break;
    case 500:
      text = "Internal Server Error";
      break;
    case 503:
      text = "Service Unavailable";
      break;
    default:
      break;
  }
  return StrCat(status, " ", text);
}

Status ConnectError() {
  return Status::Unavailable("could not connect to ollama server, run 'ollama serve' to start it");
}
}  // namespace

Result<Client> Client::FromEnv() {
  std::string host = "127.0.0.1";
  int port = 11434;
  const char* env = std::getenv("OLLAMA_HOST");
  std::string v = env ? env : "";
  for (const char* scheme : {"http://", "https://"})
    if (v.rfind(scheme, 0) == 0) v = v.substr(std::string(scheme).size());
  if (auto slash = v.find('/'); slash != std::string::npos) v = v.substr(0, slash);
  if (!v.empty()) {
    std::string h = v, p;
    if (v[0] == '[') {
      auto close = v.find(']');
      if (close == std::string::npos)
        return Status::InvalidArgument(StrCat("invalid OLLAMA_HOST ", env));
      h = v.substr(1, close - 1);
      if (close + 1 < v.size() && v[close + 1] == ':') p = v.substr(close + 2);
    } else if (auto colon = v.rfind(':'); colon != std::string::npos) {
      h = v.substr(0, colon);
      p = v.substr(colon + 1);
    }
    if (!h.empty()) host = h;
    if (host == "0.0.0.0") host = "127.0.0.1";
    if (!p.empty()) port = std::atoi(p.c_str());
  }
  return Client(host, port);
}

Client::Client(std::string host, int port)
    : impl_(std::make_unique<Impl>(host, port)), host_(std::move(host)), port_(port) {}
Client::~Client() = default;
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;

Status Client::Heartbeat() {
  auto r = impl_->http.Head("/", httplib::Headers{{"User-Agent", kUserAgent}});
  if (!r) return ConnectError();
  return Status::Ok();
}

Result<json> Client::Call(const std::string& method, const std::string& path, const json* body) {
  httplib::Headers headers{{"User-Agent", kUserAgent}, {"Accept", "application/json"}};
  const std::string payload = body ? body->dump() : "";
  auto send = [&]() {
    if (method == "GET") return impl_->http.Get(path.c_str(), headers);
    if (method == "DELETE")
      return impl_->http.Delete(path.c_str(), headers, payload, "application/json");
    return impl_->http.Post(path.c_str(), headers, payload, "application/json");
  };
  httplib::Result r = send();
  if (!r) return ConnectError();
  last_status_ = r->status;
  if (r->status >= 400) return FromHttp(r->status, ErrorMessage(r->body));
  if (r->body.empty()) return json(nullptr);
  json j = json::parse(r->body, nullptr, false);
  if (j.is_discarded())
    return Status::Internal(StrCat("invalid JSON from server: ", r->body.substr(0, 200)));
  return j;
}

Result<int> Client::Head(const std::string& path) {
  auto r = impl_->http.Head(path.c_str(), httplib::Headers{{"User-Agent", kUserAgent}});
  if (!r) return ConnectError();
  last_status_ = r->status;
  return r->status;
}

Status Client::PostFile(const std::string& path, const std::string& file_path,
                        const std::function<void(uint64_t, uint64_t)>& on_progress) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(file_path.c_str(), "rb"), &std::fclose);
  if (!f) return Status::IoError(StrCat("open ", file_path, ": ", std::strerror(errno)));
  if (std::fseek(f.get(), 0, SEEK_END) != 0) return Status::IoError(StrCat("seek ", file_path));
  const long end = std::ftell(f.get());
  if (end < 0 || std::fseek(f.get(), 0, SEEK_SET) != 0)
    return Status::IoError(StrCat("seek ", file_path));
  const uint64_t total = static_cast<uint64_t>(end);
  Status read_status;
  std::string buf(1 << 20, '\0');
  uint64_t sent = 0;
  auto provider = [&](size_t offset, size_t length, httplib::DataSink& sink) {
    if (offset != sent) return false;  // httplib reads sequentially
    const size_t n = std::fread(buf.data(), 1, std::min(length, buf.size()), f.get());
    if (n == 0) {
      read_status = Status::IoError(StrCat("read ", file_path, ": unexpected end of file"));
      return false;
    }
    if (!sink.write(buf.data(), n)) return false;
    sent += n;
    if (on_progress) on_progress(sent, total);
    return true;
  };
  httplib::Headers headers{{"User-Agent", kUserAgent}, {"Accept", "application/json"}};
  auto r = impl_->http.Post(path.c_str(), headers, static_cast<size_t>(total), provider,
                            "application/octet-stream");
  if (!read_status.ok()) return read_status;
  if (!r) return ConnectError();
  last_status_ = r->status;
  if (r->status >= 400) return FromHttp(r->status, ErrorMessage(r->body));
  return Status::Ok();
}

Status Client::Stream(const std::string& path, const json& body,
                      const std::function<bool(const json&)>& on_object, std::stop_token stop) {
  if (stop.stop_requested()) return Status::Cancelled("stopped");
  httplib::Headers headers{{"User-Agent", kUserAgent}, {"Accept", "application/x-ndjson"}};
  std::string buffer;
  Status stream_status;
  bool stopped = false;
  int http_status = 0;
  httplib::Request req;
  req.method = "POST";
  req.path = path;
  req.headers = headers;
  req.body = body.dump();
  req.set_header("Content-Type", "application/json");
  req.response_handler = [&](const httplib::Response& res) {
    http_status = res.status;
    return true;
  };
  req.content_receiver = [&](const char* data, size_t len, uint64_t, uint64_t) {
    if (stop.stop_requested()) return false;
    buffer.append(data, len);
    size_t nl;
    while ((nl = buffer.find('\n')) != std::string::npos) {
      std::string line = buffer.substr(0, nl);
      buffer.erase(0, nl + 1);
      if (line.empty()) continue;
      if (line.size() > 8000000) {
        stream_status = Status::Internal("stream line too long");
        return false;
      }
      json j = json::parse(line, nullptr, false);
      if (http_status >= 400) {
        std::string msg = !j.is_discarded() && j.is_object() && j.contains("error")
                              ? j["error"].get<std::string>()
                              : line;
        stream_status = FromHttp(http_status, StrCat(StatusLine(http_status), ": ", msg));
        return false;
      }
      if (j.is_discarded()) {
        stream_status = Status::Internal(line);
        return false;
      }
      if (j.is_object() && j.contains("error") && j["error"].is_string() &&
          !j["error"].get<std::string>().empty()) {
        stream_status = Status::Internal(j["error"].get<std::string>());
        return false;
      }
      if (!on_object(j)) {
        stopped = true;
        return false;
      }
    }
    return true;
  };
  httplib::Response res;
  httplib::Error err = httplib::Error::Success;
  bool ok = false;
  {
    // Shuts the socket down from the thread that requests the stop; send() then fails.
    std::stop_callback on_stop(stop, [this] { impl_->http.stop(); });
    ok = impl_->http.send(req, res, err);
  }
  last_status_ = http_status;
  if (stop.stop_requested()) return Status::Cancelled("stopped");
  if (!stream_status.ok()) return stream_status;
  if (stopped) return Status::Cancelled("stopped");
  if (!ok && err == httplib::Error::Connection) return ConnectError();
  if (http_status >= 400) {
    std::string msg = ErrorMessage(buffer.empty() ? res.body : buffer);
    return FromHttp(http_status, StrCat(StatusLine(http_status), ": ", msg));
  }
  if (!ok && err != httplib::Error::Canceled)
    return Status::Unavailable(StrCat("connection to server failed: ", httplib::to_string(err)));
  return Status::Ok();
}

}  // namespace olla::api
