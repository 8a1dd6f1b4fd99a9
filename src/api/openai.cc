#include "api/openai.h"

#include <cctype>
#include <cstring>
#include <nlohmann/json.hpp>

#include "base/ascii.h"
#include "base/base64.h"
#include "api/json_request.h"
#include "base/str_cat.h"

namespace olla::api::openai {

using nlohmann::json;

namespace {

constexpr const char* kFingerprint = "fp_ollama";

// Go's %T of a decoded JSON value (encoding/json into interface{}).
std::string_view GoTypeName(const json& v) {
  if (v.is_null()) return "<nil>";
  if (v.is_string()) return "string";
  if (v.is_boolean()) return "bool";
  if (v.is_number()) return "float64";
  if (v.is_array()) return "[]interface {}";
  return "map[string]interface {}";
}

const json* Get(const json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}

std::string StringOr(const json& obj, const char* key, std::string fallback = "") {
  const json* v = Get(obj, key);
  return v && v->is_string() ? v->get<std::string>() : fallback;
}

int64_t IntOr(const json& obj, const char* key, int64_t fallback = 0) {
  const json* v = Get(obj, key);
  return v && v->is_number() ? v->get<int64_t>() : fallback;
}

// `stop`: a string → [s]; an array → its strings (others dropped, or an error when `strict`).
Result<json> StopList(const json& stop, bool strict) {
  json out = json::array();
  if (stop.is_string()) {
    out.push_back(stop);
  } else if (stop.is_array()) {
    for (const auto& s : stop) {
      if (s.is_string()) {
        out.push_back(s);
      } else if (strict) {
        return Status::InvalidArgument(StrCat("invalid type for 'stop' field: ", GoTypeName(s)));
      }
    }
  } else if (strict) {
    return Status::InvalidArgument(StrCat("invalid type for 'stop' field: ", GoTypeName(stop)));
  }
  return out;
}

Status ReadStreamOptions(const Fields& f, StreamOptions* stream) {
  OLLA_ASSIGN_OR_RETURN(auto s, f.Bool("stream"));
  stream->stream = s.value_or(false);
  if (const json* so = f.Raw("stream_options"); so && so->is_object())
    stream->include_usage = so->value("include_usage", false) == true;
  return Status::Ok();
}

// Copies a number field of the request into options[key] when present.
Status CopyNumber(const Fields& f, const char* from, json& options, const char* to) {
  OLLA_ASSIGN_OR_RETURN(auto v, f.Number(from));
  if (v) options[to] = *v;
  return Status::Ok();
}

Status CopyInt(const Fields& f, const char* from, json& options, const char* to) {
  OLLA_ASSIGN_OR_RETURN(auto v, f.Int(from));
  if (v) options[to] = *v;
  return Status::Ok();
}

}  // namespace

Status MergeNativeOptions(const json& request, json& options) {
  const auto it = request.find("options");
  if (it == request.end() || it->is_null()) return Status::Ok();
  if (!it->is_object()) return Status::InvalidArgument("options must be a JSON object");
  for (const auto& [key, value] : it->items()) options[key] = value;
  return Status::Ok();
}

namespace {

// Assistant tool calls of a request message → native tool calls with parsed arguments.
Result<json> NativeToolCalls(const json& calls) {
  json out = json::array();
  if (!calls.is_array()) return Status::InvalidArgument("invalid message format");
  int index = 0;
  for (const auto& c : calls) {
    if (!c.is_object()) return Status::InvalidArgument("invalid message format");
    const json fn = c.value("function", json::object());
    json args = json::object();
    if (const json* a = Get(fn, "arguments")) {
      if (a->is_string()) {
        args = json::parse(a->get<std::string>(), nullptr, false);
        if (args.is_discarded() || !args.is_object())
          return Status::InvalidArgument("invalid tool call arguments");
      } else if (a->is_object()) {
        args = *a;
      } else {
        return Status::InvalidArgument("invalid tool call arguments");
      }
    }
    json native_fn = {
        {"index", index++}, {"name", StringOr(fn, "name")}, {"arguments", std::move(args)}};
    json tc = {{"function", std::move(native_fn)}};
    if (std::string id = StringOr(c, "id"); !id.empty()) tc["id"] = id;
    out.push_back(std::move(tc));
  }
  return out;
}

// One content part of a message → a native message of `role` (§4.2 "content array").
Result<json> PartMessage(const std::string& role, const json& part) {
  if (!part.is_object() || !part.contains("type") || !part["type"].is_string())
    return Status::InvalidArgument("invalid message format");
  const std::string type = part["type"].get<std::string>();
  if (type == "text") {
    const json* text = Get(part, "text");
    if (!text || !text->is_string()) return Status::InvalidArgument("invalid message format");
    return json{{"role", role}, {"content", *text}};
  }
  if (type == "image_url") {
    const json* image = Get(part, "image_url");
    std::string url;
    if (image && image->is_string()) {
      url = image->get<std::string>();
    } else if (image && image->is_object() && image->contains("url") &&
               (*image)["url"].is_string()) {
      url = (*image)["url"].get<std::string>();
    } else {
      return Status::InvalidArgument("invalid message format");
    }
    OLLA_ASSIGN_OR_RETURN(std::string data, ImageFromUrl(url));
    return json{{"role", role}, {"content", ""}, {"images", json::array({data})}};
  }
  if (type == "input_audio") {
    const json* audio = Get(part, "input_audio");
    if (!audio || !audio->is_object()) return Status::InvalidArgument("invalid input_audio format");
    const json* data = Get(*audio, "data");
    if (!data || !data->is_string() || data->get<std::string>().empty())
      return Status::InvalidArgument("invalid input_audio format: missing data");
    auto bytes = Base64Decode(data->get<std::string>());
    if (!bytes.ok())
      return Status::InvalidArgument(
          StrCat("invalid input_audio base64 data: ", bytes.status().message()));
    return json{{"role", role}, {"content", ""}, {"images", json::array({Base64Encode(*bytes)})}};
  }
  return Status::InvalidArgument("invalid message format");
}

// OpenAI messages → native messages (§4.2 "Message conversion").
Result<json> NativeMessages(const json& messages) {
  json out = json::array();
  for (const auto& m : messages) {
    if (!m.is_object()) return Status::InvalidArgument("invalid message format");
    const std::string role = StringOr(m, "role");
    const json* content = Get(m, "content");
    const json* calls = Get(m, "tool_calls");
    const size_t first = out.size();
    if (content && content->is_string()) {
      out.push_back({{"role", role}, {"content", *content}});
    } else if (content && content->is_array()) {
      for (const auto& part : *content) {
        OLLA_ASSIGN_OR_RETURN(json msg, PartMessage(role, part));
        out.push_back(std::move(msg));
      }
    } else if (!content && calls) {
      out.push_back({{"role", role}, {"content", ""}});
    } else {
      return Status::InvalidArgument(
          StrCat("invalid message content type: ",
                 content ? GoTypeName(*content) : std::string_view("<nil>")));
    }
    if (out.size() == first) continue;  // an empty parts array adds nothing
    json& last = out.back();            // tool calls, ids and reasoning go with the last part
    if (std::string reasoning = StringOr(m, "reasoning"); !reasoning.empty())
      last["thinking"] = reasoning;
    if (calls) {
      OLLA_ASSIGN_OR_RETURN(json native_calls, NativeToolCalls(*calls));
      if (!native_calls.empty()) last["tool_calls"] = std::move(native_calls);
    }
    const std::string call_id = StringOr(m, "tool_call_id");
    if (!call_id.empty()) last["tool_call_id"] = call_id;
    if (role == "tool") {
      std::string tool_name = StringOr(m, "name");
      if (tool_name.empty() && !call_id.empty()) {
        // The name of the assistant's call with this id; the last match wins.
        for (const auto& prev : out)
          if (prev.contains("tool_calls"))
            for (const auto& tc : prev["tool_calls"])
              if (tc.value("id", "") == call_id) tool_name = tc["function"].value("name", "");
      }
      if (!tool_name.empty()) last["tool_name"] = tool_name;
    }
  }
  return out;
}

// Native logprobs array → OpenAI's {"content":[...]}; nullptr when absent.
const json* NativeLogprobs(const json& native) {
  const json* lp = Get(native, "logprobs");
  return lp && lp->is_array() ? lp : nullptr;
}

}  // namespace

// ---- errors and shared pieces

const char* ErrorType(int http_status) {
  if (http_status == 400) return "invalid_request_error";
  if (http_status == 404) return "not_found_error";
  return "api_error";
}

json ErrorObject(int http_status, std::string_view message) {
  return {{"error",
           {{"message", std::string(message)},
            {"type", ErrorType(http_status)},
            {"param", nullptr},
            {"code", nullptr}}}};
}

json Usage(const json& native) {
  const int64_t p = IntOr(native, "prompt_eval_count"), c = IntOr(native, "eval_count");
  return {{"prompt_tokens", p}, {"completion_tokens", c}, {"total_tokens", p + c}};
}

json FinishReason(std::string_view done_reason, bool has_tool_calls) {
  if (done_reason.empty()) return nullptr;
  if (done_reason == "stop" && has_tool_calls) return "tool_calls";
  return std::string(done_reason);
}

json ToToolCalls(const json& native_tool_calls) {
  json out = json::array();
  if (!native_tool_calls.is_array()) return out;
  int index = 0;
  for (const auto& tc : native_tool_calls) {
    const json fn = tc.value("function", json::object());
    const json args = fn.contains("arguments") ? fn["arguments"] : json::object();
    out.push_back({{"id", tc.value("id", "")},
                   {"index", fn.value("index", index)},
                   {"type", "function"},
                   {"function", {{"name", fn.value("name", "")}, {"arguments", DumpGo(args)}}}});
    ++index;
  }
  return out;
}

Result<json> ThinkFromEffort(std::string_view effort) {
  if (effort.empty()) return json(nullptr);
  if (effort == "none") return json(false);
  if (effort == "minimal") return json("low");
  if (effort == "low" || effort == "medium" || effort == "high" || effort == "max")
    return json(std::string(effort));
  if (effort == "xhigh" || effort == "ultra") return json("max");
  return Status::InvalidArgument(
      StrCat("invalid reasoning value: \"", effort,
             "\" (must be \"minimal\", \"low\", \"medium\", \"high\", \"xhigh\", "
             "\"ultra\", \"max\", or \"none\")"));
}

Result<std::string> ImageFromUrl(std::string_view url) {
  if (url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0)
    return Status::InvalidArgument(
        "image URLs are not currently supported, please use base64 encoded data instead");
  for (const char* prefix :
       {"data:image/jpeg;base64,", "data:image/jpg;base64,", "data:image/png;base64,",
        "data:image/webp;base64,", "data:;base64,"}) {
    if (url.rfind(prefix, 0) != 0) continue;
    auto bytes = Base64Decode(url.substr(std::strlen(prefix)));
    if (!bytes.ok()) break;
    return Base64Encode(*bytes);
  }
  return Status::InvalidArgument("invalid image input");
}

// ---- chat completions

Status FromChatCompletionRequest(const json& request, json* native, StreamOptions* stream) {
  Fields f(request, "ChatCompletionRequest");
  OLLA_ASSIGN_OR_RETURN(auto model, f.String("model"));
  OLLA_RETURN_IF_ERROR(ReadStreamOptions(f, stream));
  const json* messages = f.Raw("messages");
  if (messages && !messages->is_array())
    return f.TypeError("messages", *messages, "[]openai.Message");
  if (!messages || messages->empty())
    return Status::InvalidArgument("[] is too short - 'messages'");
  OLLA_ASSIGN_OR_RETURN(json native_messages, NativeMessages(*messages));

  json options = json::object();
  OLLA_RETURN_IF_ERROR(CopyInt(f, "max_tokens", options, "num_predict"));
  OLLA_RETURN_IF_ERROR(CopyInt(f, "seed", options, "seed"));
  if (const json* stop = f.Raw("stop")) {
    OLLA_ASSIGN_OR_RETURN(json list, StopList(*stop, /*strict=*/false));
    options["stop"] = std::move(list);
  }
  OLLA_ASSIGN_OR_RETURN(auto temperature, f.Number("temperature"));
  options["temperature"] = temperature.value_or(1.0);
  OLLA_ASSIGN_OR_RETURN(auto top_p, f.Number("top_p"));
  options["top_p"] = top_p.value_or(1.0);
  OLLA_RETURN_IF_ERROR(CopyNumber(f, "frequency_penalty", options, "frequency_penalty"));
  OLLA_RETURN_IF_ERROR(CopyNumber(f, "presence_penalty", options, "presence_penalty"));
  OLLA_RETURN_IF_ERROR(MergeNativeOptions(request, options));

  json out = {{"model", model.value_or("")},
              {"messages", std::move(native_messages)},
              {"options", std::move(options)},
              {"stream", stream->stream}};
  if (const json* rf = f.Raw("response_format"); rf && rf->is_object()) {
    const std::string type = AsciiToLower(StringOr(*rf, "type"));
    if (type == "json_object") {
      out["format"] = "json";
    } else if (type == "json_schema") {
      if (const json* js = Get(*rf, "json_schema"); js && js->is_object())
        if (const json* schema = Get(*js, "schema")) out["format"] = *schema;
    }
  }
  if (const json* tools = f.Raw("tools")) out["tools"] = *tools;
  std::string effort;
  if (const json* r = f.Raw("reasoning"); r && r->is_object() && Get(*r, "effort")) {
    effort = StringOr(*r, "effort");
  } else {
    effort = StringOr(request, "reasoning_effort");
  }
  OLLA_ASSIGN_OR_RETURN(json think, ThinkFromEffort(effort));
  if (!think.is_null()) out["think"] = think;
  OLLA_ASSIGN_OR_RETURN(auto logprobs, f.Bool("logprobs"));
  if (logprobs) out["logprobs"] = *logprobs;
  OLLA_ASSIGN_OR_RETURN(auto top_logprobs, f.Int("top_logprobs"));
  if (top_logprobs) out["top_logprobs"] = *top_logprobs;
  OLLA_ASSIGN_OR_RETURN(auto debug, f.Bool("_debug_render_only"));
  if (debug && *debug) out["_debug_render_only"] = true;
  *native = std::move(out);
  return Status::Ok();
}

json ToChatCompletion(const json& native, std::string_view id, int64_t created) {
  const json msg = native.value("message", json::object());
  json message = {{"role", "assistant"}, {"content", msg.value("content", "")}};
  if (std::string thinking = msg.value("thinking", ""); !thinking.empty())
    message["reasoning"] = thinking;
  const bool has_calls =
      msg.contains("tool_calls") && msg["tool_calls"].is_array() && !msg["tool_calls"].empty();
  if (has_calls) message["tool_calls"] = ToToolCalls(msg["tool_calls"]);
  json choice = {{"index", 0},
                 {"message", std::move(message)},
                 {"finish_reason", FinishReason(native.value("done_reason", ""), has_calls)}};
  if (const json* lp = NativeLogprobs(native)) choice["logprobs"] = {{"content", *lp}};
  return {{"id", std::string(id)},
          {"object", "chat.completion"},
          {"created", created},
          {"model", native.value("model", "")},
          {"system_fingerprint", kFingerprint},
          {"choices", json::array({std::move(choice)})},
          {"usage", Usage(native)}};
}

json StreamConverter::Error(std::string_view message) { return ErrorObject(500, message); }

json ChatStream::Chunk(json delta, const json* logprobs) const {
  json choice = {{"index", 0}, {"delta", std::move(delta)}, {"finish_reason", nullptr}};
  if (logprobs) choice["logprobs"] = {{"content", *logprobs}};
  return {{"id", id_},
          {"object", "chat.completion.chunk"},
          {"created", created_},
          {"model", model_},
          {"system_fingerprint", kFingerprint},
          {"choices", json::array({std::move(choice)})}};
}

std::vector<json> ChatStream::Add(const json& native) {
  if (model_.empty()) model_ = native.value("model", "");
  const json msg = native.value("message", json::object());
  const std::string content = msg.value("content", ""), thinking = msg.value("thinking", "");
  const bool has_calls =
      msg.contains("tool_calls") && msg["tool_calls"].is_array() && !msg["tool_calls"].empty();
  saw_tool_calls_ = saw_tool_calls_ || has_calls;
  if (native.value("done", false)) {
    done_reason_ = native.value("done_reason", "");
    prompt_tokens_ = IntOr(native, "prompt_eval_count");
    completion_tokens_ = IntOr(native, "eval_count");
    // The final metrics-only object is not a content chunk, unless nothing came before it.
    if (content.empty() && thinking.empty() && !has_calls && !first_) return {};
  }
  const json* logprobs = NativeLogprobs(native);
  std::vector<json> out;
  auto start = [&](json delta) {
    if (first_) delta["role"] = "assistant";
    first_ = false;
    return delta;
  };
  if (!thinking.empty() && (!content.empty() || has_calls)) {
    // Reasoning and content in one native chunk become two chunks, reasoning first.
    out.push_back(Chunk(start({{"content", ""}, {"reasoning", thinking}}), nullptr));
    json delta = start({{"content", content}});
    if (has_calls) delta["tool_calls"] = ToToolCalls(msg["tool_calls"]);
    out.push_back(Chunk(std::move(delta), logprobs));
    return out;
  }
  json delta = start({{"content", content}});
  if (!thinking.empty()) delta["reasoning"] = thinking;
  if (has_calls) delta["tool_calls"] = ToToolCalls(msg["tool_calls"]);
  out.push_back(Chunk(std::move(delta), logprobs));
  return out;
}

std::vector<json> ChatStream::Finish() {
  json finish = Chunk(json::object(), nullptr);
  json reason = FinishReason(done_reason_.empty() ? "stop" : done_reason_, saw_tool_calls_);
  finish["choices"][0]["finish_reason"] = std::move(reason);
  std::vector<json> out = {std::move(finish)};
  if (include_usage_) {
    json usage = Chunk(json::object(), nullptr);
    usage["choices"] = json::array();
    usage["usage"] = {{"prompt_tokens", prompt_tokens_},
                      {"completion_tokens", completion_tokens_},
                      {"total_tokens", prompt_tokens_ + completion_tokens_}};
    out.push_back(std::move(usage));
  }
  return out;
}

// ---- completions

Status FromCompletionRequest(const json& request, json* native, StreamOptions* stream) {
  Fields f(request, "CompletionRequest");
  OLLA_ASSIGN_OR_RETURN(auto model, f.String("model"));
  OLLA_ASSIGN_OR_RETURN(auto prompt, f.String("prompt"));
  OLLA_ASSIGN_OR_RETURN(auto suffix, f.String("suffix"));
  OLLA_RETURN_IF_ERROR(ReadStreamOptions(f, stream));
  json options = json::object();
  OLLA_RETURN_IF_ERROR(CopyInt(f, "max_tokens", options, "num_predict"));
  OLLA_RETURN_IF_ERROR(CopyInt(f, "seed", options, "seed"));
  if (const json* stop = f.Raw("stop")) {
    OLLA_ASSIGN_OR_RETURN(json list, StopList(*stop, /*strict=*/true));
    options["stop"] = std::move(list);
  }
  OLLA_ASSIGN_OR_RETURN(auto temperature, f.Number("temperature"));
  options["temperature"] = temperature.value_or(1.0);
  OLLA_ASSIGN_OR_RETURN(auto top_p, f.Number("top_p"));
  options["top_p"] = top_p && *top_p != 0 ? *top_p : 1.0;
  OLLA_ASSIGN_OR_RETURN(auto frequency, f.Number("frequency_penalty"));
  options["frequency_penalty"] = frequency.value_or(0.0);
  OLLA_ASSIGN_OR_RETURN(auto presence, f.Number("presence_penalty"));
  options["presence_penalty"] = presence.value_or(0.0);
  OLLA_RETURN_IF_ERROR(MergeNativeOptions(request, options));

  json out = {{"model", model.value_or("")},
              {"prompt", prompt.value_or("")},
              {"options", std::move(options)},
              {"stream", stream->stream}};
  if (suffix && !suffix->empty()) out["suffix"] = *suffix;
  OLLA_ASSIGN_OR_RETURN(auto logprobs, f.Int("logprobs"));
  if (logprobs && *logprobs > 0) {
    out["logprobs"] = true;
    out["top_logprobs"] = *logprobs;
  }
  OLLA_ASSIGN_OR_RETURN(auto debug, f.Bool("_debug_render_only"));
  if (debug && *debug) out["_debug_render_only"] = true;
  *native = std::move(out);
  return Status::Ok();
}

namespace {

json CompletionObject(const json& native, std::string_view id, int64_t created,
                      json finish_reason) {
  json choice = {{"text", native.value("response", "")},
                 {"index", 0},
                 {"finish_reason", std::move(finish_reason)}};
  if (const json* lp = NativeLogprobs(native)) choice["logprobs"] = {{"content", *lp}};
  return {{"id", std::string(id)},
          {"object", "text_completion"},
          {"created", created},
          {"model", native.value("model", "")},
          {"system_fingerprint", kFingerprint},
          {"choices", json::array({std::move(choice)})}};
}

}  // namespace

json ToCompletion(const json& native, std::string_view id, int64_t created) {
  json out =
      CompletionObject(native, id, created, FinishReason(native.value("done_reason", ""), false));
  out["usage"] = Usage(native);
  return out;
}

std::vector<json> CompletionStream::Add(const json& native) {
  if (model_.empty()) model_ = native.value("model", "");
  const bool done = native.value("done", false);
  json reason = nullptr;
  if (done) {
    prompt_tokens_ = IntOr(native, "prompt_eval_count");
    completion_tokens_ = IntOr(native, "eval_count");
    reason = FinishReason(native.value("done_reason", ""), false);
  }
  json chunk = CompletionObject(native, id_, created_, std::move(reason));
  // Upstream quirk (§4.3): with include_usage every chunk carries a zero usage object.
  if (include_usage_)
    chunk["usage"] = {{"prompt_tokens", 0}, {"completion_tokens", 0}, {"total_tokens", 0}};
  return {std::move(chunk)};
}

std::vector<json> CompletionStream::Finish() {
  if (!include_usage_) return {};
  json chunk = {{"id", id_},
                {"object", "text_completion"},
                {"created", created_},
                {"model", model_},
                {"system_fingerprint", kFingerprint},
                {"choices", json::array()},
                {"usage",
                 {{"prompt_tokens", prompt_tokens_},
                  {"completion_tokens", completion_tokens_},
                  {"total_tokens", prompt_tokens_ + completion_tokens_}}}};
  return {std::move(chunk)};
}

// ---- embeddings

Status FromEmbeddingRequest(const json& request, json* native, bool* base64) {
  Fields f(request, "EmbedRequest");
  OLLA_ASSIGN_OR_RETURN(auto model, f.String("model"));
  json inputs = json::array();
  const json* input = f.Raw("input");
  if (input && input->is_string()) {
    inputs.push_back(*input);  // "" is one empty input, not none
  } else if (input && input->is_array() && !input->empty()) {
    for (const auto& s : *input) {
      if (!s.is_string())
        return Status::InvalidArgument("invalid input");  // token arrays are not supported
      inputs.push_back(s);
    }
  } else {
    return Status::InvalidArgument("invalid input");
  }
  OLLA_ASSIGN_OR_RETURN(auto encoding, f.String("encoding_format"));
  const std::string format = AsciiToLower(encoding.value_or(""));
  if (!format.empty() && format != "float" && format != "base64")
    return Status::InvalidArgument(StrCat("Invalid value for 'encoding_format' = ", *encoding,
                                          ". Supported values: ['float', 'base64']."));
  *base64 = format == "base64";
  OLLA_ASSIGN_OR_RETURN(auto dimensions, f.Int("dimensions"));
  json out = {{"model", model.value_or("")}, {"input", std::move(inputs)}};
  if (dimensions) out["dimensions"] = *dimensions;
  json options = json::object();
  OLLA_RETURN_IF_ERROR(MergeNativeOptions(request, options));
  if (!options.empty()) out["options"] = std::move(options);
  *native = std::move(out);
  return Status::Ok();
}

json ToEmbeddingList(const json& native, bool base64) {
  json data = json::array();
  const json embeddings = native.value("embeddings", json::array());
  for (size_t i = 0; i < embeddings.size(); ++i) {
    json vec = embeddings[i];
    if (base64) {
      std::string bytes;
      bytes.reserve(vec.size() * 4);
      for (const auto& x : vec) {
        const float v = x.get<float>();
        uint32_t bits = 0;
        std::memcpy(&bits, &v, 4);
        for (int b = 0; b < 4; ++b)
          bytes.push_back(static_cast<char>((bits >> (8 * b)) & 0xff));  // little-endian
      }
      vec = Base64Encode(bytes);
    }
    data.push_back({{"object", "embedding"}, {"embedding", std::move(vec)}, {"index", i}});
  }
  const int64_t tokens = IntOr(native, "prompt_eval_count");
  return {{"object", "list"},
          {"data", std::move(data)},
          {"model", native.value("model", "")},
          {"usage", {{"prompt_tokens", tokens}, {"total_tokens", tokens}}}};
}

// ---- models

json ToModel(std::string_view id, int64_t created, std::string_view owned_by) {
  return {{"id", std::string(id)},
          {"object", "model"},
          {"created", created},
          {"owned_by", std::string(owned_by)}};
}

json ToModelList(const std::vector<json>& models) {
  json data = json::array();
  for (const auto& m : models) data.push_back(m);
  return {{"object", "list"}, {"data", std::move(data)}};
}

}  // namespace olla::api::openai
