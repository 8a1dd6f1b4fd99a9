#pragma once
// Streaming responses. NDJSON (spec §3.1): one compact JSON object per line, flushed per object.
// SSE (spec §4.2): "data: <json>\n\n" events for the /v1 routes. A failed write means the client
// went away: the writer's stop token fires so generation stops promptly.

#include <httplib.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <stop_token>
#include <string_view>

namespace olla::server {

// Where a handler writes the objects of a streamed response.
class ChunkWriter {
 public:
  virtual ~ChunkWriter() = default;
  // Writes one object; false (and stop requested) if the client disconnected.
  virtual bool Write(const nlohmann::json& obj) = 0;
  // As Write, keeping the key order of the objects of `key_order` (JSON text) where they occur in
  // `obj` (api/json_order.h). Writers that cannot keep it write `obj` as Write does.
  virtual bool WriteOrdered(const nlohmann::json& obj, std::string_view key_order) {
    (void)key_order;
    return Write(obj);
  }
  virtual std::stop_token stop_token() const = 0;
};

class NdjsonWriter : public ChunkWriter {
 public:
  explicit NdjsonWriter(httplib::DataSink& sink) : sink_(sink) {}
  bool Write(const nlohmann::json& obj) override;
  bool WriteOrdered(const nlohmann::json& obj, std::string_view key_order) override;
  std::stop_token stop_token() const override { return stop_.get_token(); }

 private:
  httplib::DataSink& sink_;
  std::stop_source stop_;
};

// Server-sent events: Write() sends "data: <json>\n\n"; WriteRaw() sends bytes as they are
// (for "data: [DONE]\n\n" and named events).
class SseWriter : public ChunkWriter {
 public:
  explicit SseWriter(httplib::DataSink& sink) : sink_(sink) {}
  bool Write(const nlohmann::json& obj) override;
  bool WriteRaw(std::string_view bytes);
  std::stop_token stop_token() const override { return stop_.get_token(); }

 private:
  httplib::DataSink& sink_;
  std::stop_source stop_;
};

using StreamProducer = std::function<void(ChunkWriter&)>;

// Sets up a chunked application/x-ndjson response whose body `produce` writes.
void StreamNdjson(httplib::Response& res, std::function<void(NdjsonWriter&)> produce);
// Sets up a chunked text/event-stream response whose body `produce` writes.
void StreamSse(httplib::Response& res, std::function<void(SseWriter&)> produce);

}  // namespace olla::server
