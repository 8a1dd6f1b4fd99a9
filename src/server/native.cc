#include "server/native.h"

#include <memory>

#include "server/routes.h"
#include "server/status_http.h"

namespace olla::server {

bool DefaultShift(const engine::Model& model) {
  auto arch = model.file().metadata().GetStringOr("general.architecture", "");
  return !(arch.ok() && *arch == "deepseek2");
}

NativeReply NativeReply::Error(int http_status, std::string_view message) {
  return {http_status, nlohmann::json{{"error", std::string(message)}}, nullptr};
}

NativeReply NativeReply::Error(const Status& status) { return Error(HttpStatusFor(status), status.message()); }

void SendNative(httplib::Response& res, NativeReply reply) {
  if (!reply.stream) return ReplyJson(res, reply.body, reply.status);
  auto produce = std::make_shared<StreamProducer>(std::move(reply.stream));
  StreamNdjson(res, [produce](NdjsonWriter& w) { (*produce)(w); });
}

}  // namespace olla::server
