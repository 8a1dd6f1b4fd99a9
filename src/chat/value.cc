#include "chat/value.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "base/go_json_format.h"
#include "base/utf8.h"

namespace olla::chat {

// ---- MarkedString ----

MarkedString::MarkedString(std::string text, bool input) : text_(std::move(text)) {
  if (input && !text_.empty()) input_.emplace_back(0, text_.size());
}

void MarkedString::AddRange(size_t b, size_t e) {
  if (b >= e) return;
  if (!input_.empty() && input_.back().second >= b) {
    input_.back().second = std::max(input_.back().second, e);
  } else {
    input_.emplace_back(b, e);
  }
}

void MarkedString::Append(const MarkedString& other) {
  size_t base = text_.size();
  text_ += other.text_;
  for (const auto& [b, e] : other.input_) AddRange(base + b, base + e);
}

void MarkedString::Append(std::string_view text, bool input) {
  size_t base = text_.size();
  text_.append(text);
  if (input) AddRange(base, text_.size());
}

MarkedString MarkedString::Substr(size_t pos, size_t n) const {
  MarkedString out;
  if (pos >= text_.size()) return out;
  size_t end = n == std::string::npos ? text_.size() : std::min(text_.size(), pos + n);
  out.text_ = text_.substr(pos, end - pos);
  for (const auto& [b, e] : input_) {
    size_t cb = std::max(b, pos), ce = std::min(e, end);
    if (cb < ce) out.AddRange(cb - pos, ce - pos);
  }
  return out;
}

MarkedString MarkedString::Derive(std::string text) const {
  return MarkedString(std::move(text), has_input());
}

// ---- MapData / Value ----

const Value* MapData::Find(std::string_view key) const {
  for (const auto& [k, v] : entries) {
    if (k == key) return &v;
  }
  return nullptr;
}

Value* MapData::Find(std::string_view key) {
  for (auto& [k, v] : entries) {
    if (k == key) return &v;
  }
  return nullptr;
}

void MapData::Set(std::string key, Value v) {
  depth = std::max(depth, v.depth() + 1);
  if (Value* existing = Find(key)) {
    *existing = std::move(v);
  } else {
    entries.emplace_back(std::move(key), std::move(v));
  }
}

std::vector<const std::pair<std::string, Value>*> MapData::Iteration() const {
  std::vector<const std::pair<std::string, Value>*> out;
  out.reserve(entries.size());
  for (const auto& e : entries) out.push_back(&e);
  if (!ordered) {
    std::stable_sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->first < b->first; });
  }
  return out;
}

Value Value::List(std::vector<Value> items, GoTraits go) {
  Value v;
  v.kind_ = Kind::kList;
  uint32_t depth = 1;
  for (const Value& item : items) depth = std::max(depth, item.depth() + 1);
  v.v_ = std::make_shared<ListData>(ListData{std::move(items), std::move(go), depth});
  return v;
}

Value Value::Map(std::shared_ptr<MapData> map) {
  map->depth = 1;
  for (const auto& e : map->entries) map->depth = std::max(map->depth, e.second.depth() + 1);
  Value v;
  v.kind_ = Kind::kMap;
  v.v_ = std::move(map);
  return v;
}

Value Value::EmptyMap(bool ordered) {
  auto m = std::make_shared<MapData>();
  m->ordered = ordered;
  return Map(std::move(m));
}

Value Value::Function(std::shared_ptr<Callable> fn) {
  Value v;
  v.kind_ = Kind::kCallable;
  v.v_ = std::move(fn);
  return v;
}

const GoTraits& Value::go() const {
  static const GoTraits kNone;
  if (is_list()) return list_data().go;
  if (is_map()) return map().go;
  return kNone;
}

uint32_t Value::depth() const {
  if (is_list()) return list_data().depth;
  if (is_map()) return map().depth;
  return 0;
}

const Value* Value::Get(std::string_view key) const { return is_map() ? map().Find(key) : nullptr; }

bool Value::SameObject(const Value& o) const {
  if (is_list() && o.is_list()) return &list_data() == &o.list_data();
  if (is_map() && o.is_map()) return &map() == &o.map();
  return false;
}

namespace {

Value FromJson(const nlohmann::ordered_json& j, bool input, bool ordered_objects, int depth) {
  // Deeper nesting than any tool schema needs is cut (as null) so recursion stays bounded.
  if (depth > 256) return Value();
  switch (j.type()) {
    case nlohmann::ordered_json::value_t::boolean:
      return Value(j.get<bool>());
    case nlohmann::ordered_json::value_t::number_integer:
      return Value(j.get<int64_t>());
    case nlohmann::ordered_json::value_t::number_unsigned: {
      uint64_t u = j.get<uint64_t>();
      if (u <= static_cast<uint64_t>(INT64_MAX)) return Value(static_cast<int64_t>(u));
      return Value(static_cast<double>(u));
    }
    case nlohmann::ordered_json::value_t::number_float:
      return Value(j.get<double>());
    case nlohmann::ordered_json::value_t::string:
      return Value::Str(j.get<std::string>(), input);
    case nlohmann::ordered_json::value_t::array: {
      std::vector<Value> items;
      items.reserve(j.size());
      for (const auto& e : j) items.push_back(FromJson(e, input, ordered_objects, depth + 1));
      return Value::List(std::move(items));
    }
    case nlohmann::ordered_json::value_t::object: {
      auto m = std::make_shared<MapData>();
      m->ordered = ordered_objects;
      for (const auto& [k, e] : j.items())
        m->entries.emplace_back(k, FromJson(e, input, ordered_objects, depth + 1));
      return Value::Map(std::move(m));
    }
    default:
      return Value();
  }
}

}  // namespace

Value ValueFromJson(const nlohmann::ordered_json& j, bool input, bool ordered_objects) {
  return FromJson(j, input, ordered_objects, 0);
}

// ---- Go encoding/json ----

namespace {

const char kHex[] = "0123456789abcdef";

void AppendU4(std::string& out, uint32_t cp) {
  out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(cp >> shift) & 0xF];
}

// Shortest round-trip digits of `d` in the given format.
std::string ToChars(double d, std::chars_format fmt) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), d, fmt);
  return std::string(buf, res.ptr);
}

// Decimal exponent of the shortest scientific form ("1.5e-07" -> -7).
int SciExponent(const std::string& sci) {
  size_t e = sci.find('e');
  return e == std::string::npos ? 0 : std::atoi(sci.c_str() + e + 1);
}

}  // namespace

void AppendGoJson(std::string& out, const Value& v) {
  if (const auto& json = v.go().json) {
    out += *json;
    return;
  }
  switch (v.kind()) {
    case Value::Kind::kBool:
      out += v.bool_value() ? "true" : "false";
      break;
    case Value::Kind::kInt:
      out += std::to_string(v.int_value());
      break;
    case Value::Kind::kFloat:
      AppendGoFloat64(out, v.float_value());
      break;
    case Value::Kind::kString:
      AppendGoJsonString(out, v.str().str());
      break;
    case Value::Kind::kList: {
      out += '[';
      bool first = true;
      for (const Value& e : v.list()) {
        if (!first) out += ',';
        first = false;
        AppendGoJson(out, e);
      }
      out += ']';
      break;
    }
    case Value::Kind::kMap: {
      out += '{';
      bool first = true;
      for (const auto* e : v.map().Iteration()) {
        if (!first) out += ',';
        first = false;
        AppendGoJsonString(out, e->first);
        out += ':';
        AppendGoJson(out, e->second);
      }
      out += '}';
      break;
    }
    default:
      out += "null";
      break;
  }
}

// ---- Python formatting ----

std::string PyFloat(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d < 0 ? "-inf" : "inf";
  std::string sci = ToChars(d, std::chars_format::scientific);
  int exp = SciExponent(sci);
  if (exp < -4 || exp >= 16) {
    // Python drops a ".0" mantissa fraction the same way to_chars does ("1e+16").
    return sci;
  }
  std::string fixed = ToChars(d, std::chars_format::fixed);
  if (fixed.find('.') == std::string::npos) fixed += ".0";
  return fixed;
}

namespace {

void AppendPyJsonString(std::string& out, std::string_view s) {
  out += '"';
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20) {
          AppendU4(out, c);
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

void AppendNewline(std::string& out, int indent, int depth) {
  out += '\n';
  out.append(static_cast<size_t>(indent) * static_cast<size_t>(depth), ' ');
}

}  // namespace

void AppendPyJson(std::string& out, const Value& v, int indent, int depth) {
  switch (v.kind()) {
    case Value::Kind::kBool:
      out += v.bool_value() ? "true" : "false";
      break;
    case Value::Kind::kInt:
      out += std::to_string(v.int_value());
      break;
    case Value::Kind::kFloat: {
      double d = v.float_value();
      out += std::isnan(d)   ? "NaN"
             : std::isinf(d) ? (d < 0 ? "-Infinity" : "Infinity")
                             : PyFloat(d);
      break;
    }
    case Value::Kind::kString:
      AppendPyJsonString(out, v.str().str());
      break;
    case Value::Kind::kList: {
      const auto& items = v.list();
      out += '[';
      for (size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out += indent >= 0 ? "," : ", ";
        if (indent >= 0) AppendNewline(out, indent, depth + 1);
        AppendPyJson(out, items[i], indent, depth + 1);
      }
      if (indent >= 0 && !items.empty()) AppendNewline(out, indent, depth);
      out += ']';
      break;
    }
    case Value::Kind::kMap: {
      auto entries = v.map().Iteration();
      out += '{';
      for (size_t i = 0; i < entries.size(); ++i) {
        if (i > 0) out += indent >= 0 ? "," : ", ";
        if (indent >= 0) AppendNewline(out, indent, depth + 1);
        AppendPyJsonString(out, entries[i]->first);
        out += ": ";
        AppendPyJson(out, entries[i]->second, indent, depth + 1);
      }
      if (indent >= 0 && !entries.empty()) AppendNewline(out, indent, depth);
      out += '}';
      break;
    }
    default:
      out += "null";
      break;
  }
}

std::string PyRepr(const Value& v) {
  if (!v.is_string()) return PyStr(v);
  const std::string& s = v.str().str();
  char quote = (s.find('\'') != std::string::npos && s.find('"') == std::string::npos) ? '"' : '\'';
  std::string out(1, quote);
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (ch == quote || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (ch == '\n') {
      out += "\\n";
    } else if (ch == '\r') {
      out += "\\r";
    } else if (ch == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7F) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    } else {
      out += ch;
    }
  }
  out += quote;
  return out;
}

std::string PyStr(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kUndefined:
      return "";
    case Value::Kind::kNone:
      return "None";
    case Value::Kind::kBool:
      return v.bool_value() ? "True" : "False";
    case Value::Kind::kInt:
      return std::to_string(v.int_value());
    case Value::Kind::kFloat:
      return PyFloat(v.float_value());
    case Value::Kind::kString:
      return v.str().str();
    case Value::Kind::kList: {
      std::string out = "[";
      bool first = true;
      for (const Value& e : v.list()) {
        if (!first) out += ", ";
        first = false;
        out += PyRepr(e);
      }
      return out + "]";
    }
    case Value::Kind::kMap: {
      std::string out = v.map().is_namespace ? "<Namespace {" : "{";
      bool first = true;
      for (const auto* e : v.map().Iteration()) {
        if (!first) out += ", ";
        first = false;
        out += PyRepr(Value::Str(e->first));
        out += ": ";
        out += PyRepr(e->second);
      }
      return out + (v.map().is_namespace ? "}>" : "}");
    }
    case Value::Kind::kCallable:
      return "<macro>";
  }
  return "";
}

}  // namespace olla::chat
