#include "server/stream.h"

#include <memory>

#include "api/json_request.h"

namespace olla::server {

bool NdjsonWriter::Write(const nlohmann::json& obj) {
  if (stop_.stop_requested()) return false;
  std::string line = api::DumpGo(obj);
  line += '\n';
  if (!sink_.is_writable() || !sink_.write(line.data(), line.size())) {
    stop_.request_stop();
    return false;
  }
  return true;
}

void StreamNdjson(httplib::Response& res, std::function<void(NdjsonWriter&)> produce) {
  auto fn = std::make_shared<std::function<void(NdjsonWriter&)>>(std::move(produce));
  res.set_chunked_content_provider("application/x-ndjson", [fn](size_t, httplib::DataSink& sink) {
    NdjsonWriter w(sink);
    (*fn)(w);
    sink.done();
    return true;
  });
}

}  // namespace olla::server
