#include "server/answer.h"

#include "server/reply_json.h"

namespace olla::server {

using nlohmann::json;

json DoneWithoutOutput(const AnswerShape& shape, const char* done_reason) {
  json done = shape.object(true);
  done["done_reason"] = done_reason;
  return done;
}

NativeReply Answer(ServerContext& ctx, std::shared_ptr<runtime::PreparedRequest> prepared,
                   bool stream, AnswerShape shape, runtime::Clock::time_point start,
                   std::stop_token stop) {
  const std::stop_token shutdown = ctx.shutdown.get_token();
  // The last object: what the shaper held back, done_reason and the metrics.
  auto finish = [shape, start, prepared](const runtime::GenerateStats& stats,
                                         const runtime::OutputPart& part) {
    json done = shape.object(true);
    shape.put_part(done, part, shape.logprobs);
    done["done_reason"] = runtime::DoneReasonName(stats.done_reason);
    if (shape.put_end) shape.put_end(done, stats);
    AddMetrics(done, stats, runtime::Clock::now() - start, prepared->load_duration());
    return done;
  };
  if (!stream) {
    runtime::OutputPart all;
    auto finished = prepared->Run(
        [&](const runtime::OutputPart& part) {
          all.Append(part);
          return true;
        },
        stop);
    if (!finished.ok()) return NativeReply::Error(finished.status());
    if (shutdown.stop_requested()) return NativeReply::Error(503, kShuttingDown);
    all.Append(std::move(finished->last));
    NativeReply reply = NativeReply::Json(finish(finished->stats, all));
    reply.key_order = ToolCallKeyOrder(all);
    return reply;
  }
  return NativeReply::Stream([prepared, shape, finish, stop, shutdown](ChunkWriter& w) {
    LinkedStop linked(w.stop_token(), stop);
    auto finished = prepared->Run(
        [&](const runtime::OutputPart& part) {
          json chunk = shape.object(false);
          shape.put_part(chunk, part, shape.logprobs);
          return w.WriteOrdered(chunk, ToolCallKeyOrder(part));
        },
        linked.token());
    if (!finished.ok()) {
      w.Write({{"error", finished.status().message()}});
      return;
    }
    if (shutdown.stop_requested()) {
      w.Write({{"error", std::string(kShuttingDown)}});
      return;
    }
    w.WriteOrdered(finish(finished->stats, finished->last), ToolCallKeyOrder(finished->last));
  });
}

NativeReply PrepareAndAnswer(ServerContext& ctx, const ResolvedModel& model,
                             const PromptRequest& request,
                             std::variant<runtime::GenerateJob, runtime::ChatJob> input,
                             const AnswerShape& shape, runtime::Clock::time_point start,
                             std::stop_token cancel) {
  auto job = MakePromptJob(ctx, model, request, std::move(input));
  if (!job.ok()) return NativeReply::Error(job.status());
  const std::stop_token stop = cancel.stop_possible() ? cancel : ctx.shutdown.get_token();
  auto prepared = runtime::Prepare(*ctx.scheduler, *job, stop);
  if (!prepared.ok()) return NativeReply::Error(prepared.status());
  if (prepared->load_only()) return NativeReply::Json(DoneWithoutOutput(shape, "load"));
  return Answer(ctx, std::make_shared<runtime::PreparedRequest>(std::move(*prepared)),
                request.stream, shape, start, stop);
}

}  // namespace olla::server
