#include "chat/tool_call_parser.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <random>

namespace olla::chat {

using ordered_json = nlohmann::ordered_json;

namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

size_t FirstNonSpace(std::string_view s, size_t from = 0) {
  for (size_t i = from; i < s.size(); ++i)
    if (!IsSpace(s[i])) return i;
  return std::string_view::npos;
}

// Whether `s` (non-empty) is a proper prefix of `of`.
bool IsProperPrefix(std::string_view s, std::string_view of) {
  return s.size() < of.size() && of.starts_with(s);
}

// The length of the longest suffix of `s` that is a proper prefix of `tag`.
size_t PartialTagSuffix(std::string_view s, std::string_view tag) {
  for (size_t n = std::min(s.size(), tag.size() - 1); n > 0; --n)
    if (tag.starts_with(s.substr(s.size() - n))) return n;
  return 0;
}

enum class Scan { kComplete, kIncomplete, kBad };

// Deeper JSON is refused: no real call nests like this, and nlohmann's dump() (and the
// template engines that later read the arguments) recurse once per level.
constexpr size_t kMaxJsonDepth = 128;

// Finds the end of the JSON object or array that starts at s[begin] ('{' or '['): *end is one
// past its closing bracket. Strings (with escapes) are skipped; mismatched brackets and nesting
// deeper than kMaxJsonDepth are kBad. `state` carries the scan across calls, so that a call
// streamed in small chunks is scanned once, not once per chunk; it must be reset when the text
// before s.size() changes.
Scan ScanJson(std::string_view s, size_t begin, size_t* end, JsonScanState& state) {
  if (state.begin != begin) state = JsonScanState{.begin = begin, .pos = begin};
  for (size_t& i = state.pos; i < s.size(); ++i) {
    const char c = s[i];
    if (state.in_string) {
      if (state.escaped)
        state.escaped = false;
      else if (c == '\\')
        state.escaped = true;
      else if (c == '"')
        state.in_string = false;
      continue;
    }
    switch (c) {
      case '"':
        state.in_string = true;
        break;
      case '{':
      case '[':
        if (state.closers.size() >= kMaxJsonDepth) return Scan::kBad;
        state.closers.push_back(c == '{' ? '}' : ']');
        break;
      case '}':
      case ']':
        if (state.closers.empty() || state.closers.back() != c) return Scan::kBad;
        state.closers.pop_back();
        if (state.closers.empty()) {
          *end = i + 1;
          return Scan::kComplete;
        }
        break;
      default:
        break;
    }
  }
  return Scan::kIncomplete;
}

// Whether the brackets of JSON text `s` (outside strings) nest at most kMaxJsonDepth deep.
bool NestingWithinLimit(std::string_view s) {
  size_t depth = 0;
  bool in_string = false, escaped = false;
  for (const char c : s) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxJsonDepth) return false;
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return true;
}

// The arguments of a call: an object, or a string that holds one.
bool ArgumentsJson(const ordered_json& v, std::string* out) {
  if (v.is_object()) {
    *out = v.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
    return true;
  }
  if (v.is_string()) {
    if (!NestingWithinLimit(v.get_ref<const std::string&>())) return false;
    try {
      const ordered_json parsed = ordered_json::parse(v.get<std::string>());
      if (!parsed.is_object()) return false;
      *out = parsed.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
      return true;
    } catch (const ordered_json::exception&) {
      return false;
    }
  }
  return false;
}

bool KnownName(const std::vector<std::string>& names, const std::string& name) {
  return !name.empty() &&
         (names.empty() || std::find(names.begin(), names.end(), name) != names.end());
}

bool ExtractOne(const ordered_json& obj, const std::vector<std::string>& names,
                std::vector<ToolCall>& out) {
  if (!obj.is_object()) return false;
  if (auto fn = obj.find("function"); fn != obj.end() && fn->is_object())
    return ExtractOne(*fn, names, out);
  auto name = obj.find("name");
  if (name == obj.end() || !name->is_string() || !KnownName(names, name->get<std::string>()))
    return false;
  auto args = obj.find("arguments");
  if (args == obj.end()) args = obj.find("parameters");
  ToolCall call;
  call.name = name->get<std::string>();
  if (args == obj.end() || !ArgumentsJson(*args, &call.arguments_json)) return false;
  out.push_back(std::move(call));
  return true;
}

bool ExtractCalls(const ordered_json& j, const std::vector<std::string>& names,
                  std::vector<ToolCall>& out) {
  if (!j.is_array()) return ExtractOne(j, names, out);
  if (j.empty()) return false;
  for (const auto& item : j)
    if (!ExtractOne(item, names, out)) return false;
  return true;
}

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
}

constexpr std::string_view kMistralTag = "[TOOL_CALLS]";
constexpr std::string_view kMistralArgs = "[ARGS]";

}  // namespace

ToolCallFormat ToolCallFormat::FromTag(std::string_view tag) {
  ToolCallFormat f;
  f.tag = tag.empty() ? "{" : std::string(tag);
  if (f.tag.size() > 2 && f.tag.front() == '<' && f.tag.back() == '>' && f.tag[1] != '/')
    f.end_tag = "</" + f.tag.substr(1);
  return f;
}

ToolCallFormat ToolCallFormatForGo(const GoTemplate& tmpl) {
  return ToolCallFormat::FromTag(tmpl.ToolCallPrefix());
}

ToolCallFormat ToolCallFormatForJinja(std::string_view jinja) {
  if (jinja.find("<tool_call>") != std::string_view::npos)
    return ToolCallFormat::FromTag("<tool_call>");
  if (jinja.find(kMistralTag) != std::string_view::npos)
    return ToolCallFormat::FromTag(kMistralTag);
  return ToolCallFormat::FromTag("{");
}

std::vector<std::string> ToolNames(std::string_view tools_json) {
  std::vector<std::string> names;
  if (tools_json.empty()) return names;
  try {
    const auto tools = nlohmann::json::parse(tools_json);
    if (!tools.is_array()) return names;
    for (const auto& t : tools) {
      if (!t.is_object()) continue;
      auto fn = t.find("function");
      if (fn == t.end() || !fn->is_object()) continue;
      auto name = fn->find("name");
      if (name != fn->end() && name->is_string()) names.push_back(name->get<std::string>());
    }
  } catch (const nlohmann::json::exception&) {
  }
  return names;
}

std::string NewToolCallId() {
  static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  thread_local std::mt19937 rng{std::random_device{}()};
  std::uniform_int_distribution<size_t> pick(0, sizeof(kChars) - 2);
  std::string id = "call_";
  for (int i = 0; i < 8; ++i) id += kChars[pick(rng)];
  return id;
}

ToolCallParser::ToolCallParser(ToolCallFormat format, std::vector<std::string> tool_names)
    : format_(std::move(format)), names_(std::move(tool_names)) {
  if (format_.tag.empty()) format_ = ToolCallFormat::FromTag("{");
}

ToolCallOutput ToolCallParser::Add(std::string_view text) {
  ToolCallOutput out;
  buffer_.append(text);
  Run(out);
  return out;
}

ToolCallOutput ToolCallParser::Flush() {
  ToolCallOutput out;
  switch (state_) {
    case State::kInCall:
      GiveUp(out);
      break;
    case State::kSearching:
      if (!(after_call_ && FirstNonSpace(buffer_) == std::string::npos)) out.content += buffer_;
      break;
    case State::kPassthrough:
      out.content += buffer_;
      break;
  }
  buffer_.clear();
  state_ = State::kPassthrough;
  return out;
}

void ToolCallParser::GiveUp(ToolCallOutput& out) {
  scan_ = {};
  if (!format_.bare()) out.content += format_.tag;
  out.content += buffer_;
  buffer_.clear();
  state_ = State::kPassthrough;
}

void ToolCallParser::Run(ToolCallOutput& out) {
  for (;;) {
    switch (state_) {
      case State::kPassthrough:
        out.content += buffer_;
        buffer_.clear();
        return;
      case State::kInCall:
        if (!TakeCall(out)) return;
        break;
      case State::kSearching: {
        if (after_call_) {
          // Between calls: whitespace and the end tag are dropped.
          const size_t p = FirstNonSpace(buffer_);
          if (p == std::string::npos) return;
          std::string_view rest = std::string_view(buffer_).substr(p);
          if (!format_.end_tag.empty() && rest.starts_with(format_.end_tag)) {
            buffer_.erase(0, p + format_.end_tag.size());
            continue;
          }
          if (!format_.end_tag.empty() && IsProperPrefix(rest, format_.end_tag)) return;
          if (!format_.bare() && IsProperPrefix(rest, format_.tag)) return;
          if (rest.starts_with(format_.tag)) {
            buffer_.erase(0, format_.bare() ? p : p + format_.tag.size());
            state_ = State::kInCall;
            continue;
          }
          buffer_.erase(0, p);
          state_ = State::kPassthrough;  // text after the calls is content
          continue;
        }
        if (format_.bare()) {
          const size_t p = FirstNonSpace(buffer_);
          if (p == std::string::npos) return;  // only whitespace so far: wait
          if (buffer_[p] == format_.tag[0]) {
            buffer_.erase(0, p);
            state_ = State::kInCall;
          } else {
            state_ = State::kPassthrough;
          }
          continue;
        }
        const size_t i = buffer_.find(format_.tag);
        if (i != std::string::npos) {
          out.content += buffer_.substr(0, i);
          buffer_.erase(0, i + format_.tag.size());
          state_ = State::kInCall;
          continue;
        }
        const size_t hold = PartialTagSuffix(buffer_, format_.tag);
        out.content += buffer_.substr(0, buffer_.size() - hold);
        buffer_.erase(0, buffer_.size() - hold);
        return;
      }
    }
  }
}

bool ToolCallParser::TakeCall(ToolCallOutput& out) {
  size_t begin = FirstNonSpace(buffer_);
  if (begin == std::string::npos) return false;
  std::string mistral_name;
  if (buffer_[begin] != '{' && buffer_[begin] != '[') {
    // Mistral's newer form: [TOOL_CALLS]name[ARGS]{...}
    if (format_.tag != kMistralTag) {
      GiveUp(out);
      return true;
    }
    size_t q = begin;
    while (q < buffer_.size() && IsNameChar(buffer_[q])) ++q;
    if (q == buffer_.size()) return false;
    std::string_view rest = std::string_view(buffer_).substr(q);
    if (q == begin || !rest.starts_with(kMistralArgs)) {
      if (q > begin && IsProperPrefix(rest, kMistralArgs)) return false;
      GiveUp(out);
      return true;
    }
    mistral_name = buffer_.substr(begin, q - begin);
    begin = FirstNonSpace(buffer_, q + kMistralArgs.size());
    if (begin == std::string::npos) return false;
    if (buffer_[begin] != '{') {
      GiveUp(out);
      return true;
    }
  }
  size_t end = 0;
  switch (ScanJson(buffer_, begin, &end, scan_)) {
    case Scan::kIncomplete:
      return false;
    case Scan::kBad:
      GiveUp(out);
      return true;
    case Scan::kComplete:
      scan_ = {};
      break;
  }
  std::vector<ToolCall> calls;
  bool ok = false;
  try {
    const ordered_json j =
        ordered_json::parse(std::string_view(buffer_).substr(begin, end - begin));
    if (!mistral_name.empty()) {
      ToolCall call;
      call.name = mistral_name;
      ok = KnownName(names_, mistral_name) && ArgumentsJson(j, &call.arguments_json);
      if (ok) calls.push_back(std::move(call));
    } else {
      ok = ExtractCalls(j, names_, calls);
    }
  } catch (const ordered_json::exception&) {
    ok = false;
  }
  if (!ok) {
    GiveUp(out);
    return true;
  }
  for (auto& c : calls) {
    c.index = next_index_++;
    out.calls.push_back(std::move(c));
  }
  buffer_.erase(0, end);
  after_call_ = true;
  state_ = State::kSearching;
  return true;
}

ToolCallOutput ParseToolCalls(const ToolCallFormat& format,
                              const std::vector<std::string>& tool_names, std::string_view text) {
  ToolCallParser p(format, tool_names);
  ToolCallOutput out = p.Add(text);
  ToolCallOutput rest = p.Flush();
  out.content += rest.content;
  for (auto& c : rest.calls) out.calls.push_back(std::move(c));
  return out;
}

}  // namespace olla::chat
