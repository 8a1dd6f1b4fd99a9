#pragma once
// NDJSON streaming (spec §3.1): one compact JSON object per line, flushed per object. A failed
// write means the client went away: the writer's stop token fires so generation stops promptly.

#include <httplib.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <stop_token>

namespace olla::server {

class NdjsonWriter {
 public:
  explicit NdjsonWriter(httplib::DataSink& sink) : sink_(sink) {}
  // Writes one line; false (and stop requested) if the client disconnected.
  bool Write(const nlohmann::json& obj);
  std::stop_token stop_token() const { return stop_.get_token(); }

 private:
  httplib::DataSink& sink_;
  std::stop_source stop_;
};

// Sets up a chunked application/x-ndjson response whose body `produce` writes.
void StreamNdjson(httplib::Response& res, std::function<void(NdjsonWriter&)> produce);

}  // namespace olla::server
