#pragma once
// Streaming a native answer through a response converter (api/openai.h StreamConverter): the /v1
// OpenAI routes and the Anthropic /v1/messages route send native chunks this way.

#include <httplib.h>

#include <memory>

#include "api/openai.h"
#include "server/native.h"

namespace olla::server {

// Feeds `reply` (a stream, or one object such as a load-only answer) through `conv` as server-sent
// events: conv->Start(), conv->Add() per native object, then conv->Finish(). A native error object
// after the start becomes conv->Error() and ends the stream. Events are "data: <json>" ending with
// "data: [DONE]", or, when conv->named_events(), "event: <type>\ndata: <json>" with no [DONE].
// Stops early when the client goes away.
void StreamConverted(httplib::Response& res, NativeReply reply,
                     std::shared_ptr<api::openai::StreamConverter> conv);

}  // namespace olla::server
