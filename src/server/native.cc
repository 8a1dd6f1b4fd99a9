#include "server/native.h"

#include <memory>

#include "api/json_order.h"
#include "api/json_request.h"

#include "server/routes.h"
#include "server/status_http.h"

namespace olla::server {

NativeReply NativeReply::Error(int http_status, std::string_view message) {
  return {http_status, nlohmann::json{{"error", std::string(message)}}, nullptr};
}

NativeReply NativeReply::Error(const Status& status) {
  return Error(HttpStatusFor(status), status.message());
}

void AddMetrics(nlohmann::json& j, const runtime::GenerateStats& s, runtime::Duration total,
                runtime::Duration load) {
  auto put = [&](const char* k, int64_t v) {
    if (v > 0) j[k] = v;
  };
  put("total_duration", total.count());
  put("load_duration", load.count());
  put("prompt_eval_count", static_cast<int64_t>(s.prompt_tokens));
  put("prompt_truncated_count", static_cast<int64_t>(s.prompt_truncated));  // olla: what §10.6 cut
  put("prompt_eval_duration", s.prompt_eval_duration.count());
  put("eval_count", static_cast<int64_t>(s.eval_count));
  put("eval_duration", s.eval_duration.count());
}

void KeepUntilSent(NativeReply& reply, std::shared_ptr<void> owner) {
  if (!reply.stream) return;
  reply.stream = [inner = std::move(reply.stream), owner = std::move(owner)](ChunkWriter& w) {
    inner(w);
  };
}

void SendNative(httplib::Response& res, NativeReply reply) {
  if (!reply.stream && !reply.key_order.empty()) {
    res.status = reply.status;
    res.set_content(api::GoEscapeHtml(api::DumpWithKeyOrderOf(reply.body, reply.key_order)),
                    "application/json; charset=utf-8");
    return;
  }
  if (!reply.stream) return ReplyJson(res, reply.body, reply.status);
  auto produce = std::make_shared<StreamProducer>(std::move(reply.stream));
  StreamNdjson(res, [produce](NdjsonWriter& w) { (*produce)(w); });
}

}  // namespace olla::server
