#include "server/stream.h"

#include <memory>

#include "api/json_order.h"
#include "api/json_request.h"

namespace olla::server {

namespace {

bool WriteBytes(httplib::DataSink& sink, std::stop_source& stop, std::string_view bytes) {
  if (stop.stop_requested()) return false;
  if (!sink.is_writable() || !sink.write(bytes.data(), bytes.size())) {
    stop.request_stop();
    return false;
  }
  return true;
}

}  // namespace

bool NdjsonWriter::Write(const nlohmann::json& obj) {
  std::string line = api::DumpGo(obj);
  line += '\n';
  return WriteBytes(sink_, stop_, line);
}

bool NdjsonWriter::WriteOrdered(const nlohmann::json& obj, std::string_view key_order) {
  if (key_order.empty()) return Write(obj);
  std::string line = api::GoEscapeHtml(api::DumpWithKeyOrderOf(obj, key_order));
  line += '\n';
  return WriteBytes(sink_, stop_, line);
}

bool SseWriter::Write(const nlohmann::json& obj) {
  std::string event = "data: " + api::DumpGo(obj);
  event += "\n\n";
  return WriteBytes(sink_, stop_, event);
}

bool SseWriter::WriteRaw(std::string_view bytes) { return WriteBytes(sink_, stop_, bytes); }

void StreamNdjson(httplib::Response& res, std::function<void(NdjsonWriter&)> produce) {
  auto fn = std::make_shared<std::function<void(NdjsonWriter&)>>(std::move(produce));
  res.set_chunked_content_provider("application/x-ndjson", [fn](size_t, httplib::DataSink& sink) {
    NdjsonWriter w(sink);
    (*fn)(w);
    sink.done();
    return true;
  });
}

void StreamSse(httplib::Response& res, std::function<void(SseWriter&)> produce) {
  auto fn = std::make_shared<std::function<void(SseWriter&)>>(std::move(produce));
  res.set_header("Cache-Control", "no-cache");
  res.set_chunked_content_provider("text/event-stream", [fn](size_t, httplib::DataSink& sink) {
    SseWriter w(sink);
    (*fn)(w);
    sink.done();
    return true;
  });
}

}  // namespace olla::server
