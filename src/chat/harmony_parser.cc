#include "chat/harmony_parser.h"

#include <nlohmann/json.hpp>

#include "base/str_cat.h"

namespace olla::chat {

namespace {

using ordered_json = nlohmann::ordered_json;

constexpr std::string_view kStart = "<|start|>";
constexpr std::string_view kMessage = "<|message|>";
constexpr std::string_view kEnd = "<|end|>";
constexpr std::string_view kChannel = "<|channel|>";
constexpr std::string_view kConstrain = "<|constrain|>";

bool IsBuiltinTool(std::string_view name) {
  return name == "browser.open" || name == "browser.search" || name == "browser.find" ||
         name == "python";
}

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> Fields(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && IsSpace(s[i])) ++i;
    size_t j = i;
    while (j < s.size() && !IsSpace(s[j])) ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

// The longest suffix of `s` that is a prefix of `tag` (Ollama's overlap()).
size_t Overlap(std::string_view s, std::string_view tag) {
  for (size_t n = std::min(s.size(), tag.size()); n > 0; --n)
    if (s.ends_with(tag.substr(0, n))) return n;
  return 0;
}

// Go's strings.Map of convertToValidChars.
std::string ValidChars(std::string_view name) {
  std::string out;
  for (char c : name) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (c == ' ' || c == '-' || c == '.') {
      out += '_';
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '$' || u >= 0x80) {
      out += c;
    }
  }
  if (out.empty()) return "unnamed";
  if (out[0] >= '0' && out[0] <= '9') out.insert(out.begin(), '_');
  return out;
}

// What Go's json.Unmarshal into api.ToolCallFunctionArguments (a map) says of `raw`; "" if it
// is an object (or null, which Go accepts as an empty map).
std::string ArgumentsError(std::string_view raw, std::string* arguments_json) {
  if (Trim(raw).empty()) return "unexpected end of JSON input";
  ordered_json j = ordered_json::parse(raw, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return "invalid JSON";
  if (j.is_null()) j = ordered_json::object();
  if (!j.is_object()) {
    const char* kind = j.is_array()     ? "array"
                       : j.is_string()  ? "string"
                       : j.is_boolean() ? "bool"
                                        : "number";
    return StrCat("json: cannot unmarshal ", kind,
                  " into Go value of type api.ToolCallFunctionArguments");
  }
  *arguments_json = j.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
  return "";
}

}  // namespace

std::string HarmonyFunctionNames::Add(std::string_view user_name) {
  std::string name;
  if (IsBuiltinTool(user_name)) {
    name = std::string(user_name);
  } else {
    const std::string base = ValidChars(user_name);
    name = base;
    // Duplicates get _2, _3, ...: the first keeps its name.
    for (int n = 2; harmony_to_user_.contains(name); ++n) name = StrCat(base, "_", n);
  }
  harmony_to_user_[name] = std::string(user_name);
  return name;
}

std::string HarmonyFunctionNames::Original(std::string_view harmony_name) const {
  auto it = harmony_to_user_.find(harmony_name);
  return it == harmony_to_user_.end() ? std::string(harmony_name) : it->second;
}

std::string RenameHarmonyTools(std::string_view tools_json, HarmonyFunctionNames& names) {
  if (tools_json.empty()) return "";
  ordered_json tools = ordered_json::parse(tools_json, nullptr, /*allow_exceptions=*/false);
  if (tools.is_discarded() || !tools.is_array()) return std::string(tools_json);
  for (auto& t : tools) {
    if (!t.is_object()) continue;
    auto fn = t.find("function");
    if (fn == t.end() || !fn->is_object()) continue;
    auto name = fn->find("name");
    if (name == fn->end() || !name->is_string() || name->get<std::string>().empty()) continue;
    *name = names.Add(name->get<std::string>());
  }
  return tools.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

HarmonyHeader ParseHarmonyHeader(std::string_view raw_view) {
  HarmonyHeader h;
  std::string raw(raw_view);
  // "<|constrain|>" may follow the recipient without a space; make it its own field.
  if (size_t c = raw.find(kConstrain); c != std::string::npos) {
    raw.insert(c, " ");
    raw = std::string(Trim(raw));
  }
  if (size_t c = raw.find(kChannel); c != std::string::npos) {
    std::string_view after = std::string_view(raw).substr(c + kChannel.size());
    size_t end = 0;
    while (end < after.size() && !IsSpace(after[end])) ++end;
    h.channel = std::string(after.substr(0, end));
    raw = std::string(Trim(StrCat(std::string_view(raw).substr(0, c), after.substr(end))));
  }
  std::vector<std::string_view> tokens = Fields(raw);
  if (tokens.empty()) return h;
  if (tokens[0].starts_with("to=")) {
    h.recipient = std::string(tokens[0].substr(3));
    h.role = "tool";
  } else {
    h.role = std::string(tokens[0]);
  }
  if (h.recipient.empty() && tokens.size() > 1 && tokens[1].starts_with("to="))
    h.recipient = std::string(tokens[1].substr(3));
  return h;
}

HarmonyParser::HarmonyParser(HarmonyFunctionNames names, const Message* last_message)
    : names_(std::move(names)) {
  // The prompt ended with "<|start|>assistant" (or, when continuing an assistant message, inside
  // its open channel), which the model does not repeat.
  buffer_ = "<|start|>assistant";
  if (last_message && last_message->role == "assistant") {
    if (!last_message->content.empty())
      buffer_ = "<|start|>assistant<|channel|>final<|message|>";
    else if (!last_message->thinking.empty())
      buffer_ = "<|start|>assistant<|channel|>analysis<|message|>";
  }
}

void HarmonyParser::OnHeader(const HarmonyHeader& h) {
  // Any other channel (or none) leaves the target as it was, as Ollama does.
  if (h.channel == "analysis" || h.channel == "commentary") {
    if (!h.recipient.empty()) {
      target_ = Target::kTool;
      has_tool_ = true;
      tool_name_ = h.recipient;
    } else {
      target_ = h.channel == "analysis" ? Target::kThinking : Target::kContent;
    }
  } else if (h.channel == "final") {
    target_ = Target::kContent;
  }
}

void HarmonyParser::Emit(std::string_view text, HarmonyOutput& out) {
  switch (target_) {
    case Target::kContent:
      out.content += text;
      break;
    case Target::kThinking:
      out.thinking += text;
      break;
    case Target::kTool:
      tool_args_ += text;
      break;
  }
}

bool HarmonyParser::Step(HarmonyOutput& out) {
  switch (state_) {
    case State::kLookingForStart: {
      const size_t at = buffer_.find(kStart);
      if (at == std::string::npos) return false;  // keeps accumulating, as Ollama does
      buffer_.erase(0, at + kStart.size());
      state_ = State::kHeader;
      return true;
    }
    case State::kHeader: {
      const size_t at = buffer_.find(kMessage);
      if (at == std::string::npos) return false;
      OnHeader(ParseHarmonyHeader(std::string_view(buffer_).substr(0, at)));
      buffer_.erase(0, at + kMessage.size());
      state_ = State::kContent;
      return true;
    }
    case State::kContent: {
      const size_t at = buffer_.find(kEnd);
      if (at != std::string::npos) {
        Emit(std::string_view(buffer_).substr(0, at), out);
        buffer_.erase(0, at + kEnd.size());
        state_ = State::kLookingForStart;
        target_ = Target::kContent;
        return true;
      }
      // Everything but a possible beginning of "<|end|>" is message text already.
      const size_t keep = Overlap(buffer_, kEnd);
      Emit(std::string_view(buffer_).substr(0, buffer_.size() - keep), out);
      buffer_.erase(0, buffer_.size() - keep);
      return false;
    }
  }
  return false;
}

HarmonyOutput HarmonyParser::Add(std::string_view text) {
  HarmonyOutput out;
  buffer_.append(text);
  while (Step(out)) {
  }
  return out;
}

Result<HarmonyOutput> HarmonyParser::Finish() {
  HarmonyOutput out;
  // What is held back (a partial "<|end|>", an unfinished header) is dropped, as in Ollama.
  buffer_.clear();
  if (!has_tool_) return out;
  ToolCall call;
  std::string_view name = tool_name_;
  if (name.starts_with("functions.")) name.remove_prefix(std::string_view("functions.").size());
  call.name = names_.Original(name);
  const std::string err = ArgumentsError(tool_args_, &call.arguments_json);
  if (!err.empty())
    return Status::InvalidArgument(
        StrCat("error parsing tool call: raw='", tool_args_, "', err=", err));
  out.calls.push_back(std::move(call));
  has_tool_ = false;
  return out;
}

}  // namespace olla::chat
