#pragma once
// Route groups and the helpers they share. Handlers stay short: parse, convert, call the
// runtime, respond (CONVENTIONS.md C11).

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <string_view>

#include "server/request_body.h"
#include "server/server.h"

namespace olla::server {

void RegisterMiscRoutes(httplib::Server& http, ServerContext& ctx);      // /, version, ps, tags
void RegisterGenerateRoutes(httplib::Server& http, ServerContext& ctx);  // generate
void RegisterModelRoutes(httplib::Server& http, ServerContext& ctx);     // show, copy, delete
void RegisterEmbedRoutes(httplib::Server& http, ServerContext& ctx);     // embed, embeddings
void RegisterChatRoutes(httplib::Server& http, ServerContext& ctx);      // chat
void RegisterCreateRoutes(httplib::Server& http, ServerContext& ctx);    // create, blobs
void RegisterRegistryRoutes(httplib::Server& http, ServerContext& ctx);  // pull, push
void RegisterOpenAiRoutes(httplib::Server& http, ServerContext& ctx);    // /v1 (OpenAI-compatible)
void RegisterAnthropicRoutes(httplib::Server& http,
                             ServerContext& ctx);  // /v1/messages (Anthropic-compatible)

// HandleWithBody for a route that generates or embeds: ServerContext::inference_in_flight counts
// it while it runs (running and queued), for /ready.
void HandleInference(httplib::Server& http, ServerContext& ctx, const std::string& pattern,
                     BodyHandler handler);

// Writes {"error": message} with the status mapped from `status`.
void ReplyError(httplib::Response& res, const Status& status);
void ReplyError(httplib::Response& res, int http_status, std::string_view message);
// Writes a JSON body with Go's escaping.
void ReplyJson(httplib::Response& res, const nlohmann::json& body, int http_status = 200,
               const char* content_type = "application/json; charset=utf-8");

}  // namespace olla::server
