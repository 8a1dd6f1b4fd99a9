#include "chat/go/go_data.h"

#include <memory>
#include <nlohmann/json.hpp>

#include "base/go_json_format.h"
#include "base/str_cat.h"

namespace olla::chat {
namespace {

using Json = nlohmann::ordered_json;

constexpr int kMaxSchemaDepth = 64;

Value Str(const std::string& s) { return Value::Str(s, true); }

// `j` if it is an object, else an empty object. Never copies: copying a JSON value recurses, and
// tool schemas come from outside.
const Json& ObjectOrEmpty(const Json& j) {
  static const Json kEmpty = Json::object();
  return j.is_object() ? j : kEmpty;
}

const Json& Member(const Json& j, const char* key) {
  static const Json kNull;
  auto it = j.find(key);
  return it == j.end() ? kNull : *it;
}

// A Go struct value: named fields, optional String() output and json.Marshal output.
Value Struct(std::vector<std::pair<std::string, Value>> fields, std::string json, bool stringer) {
  auto m = std::make_shared<MapData>();
  m->entries = std::move(fields);
  m->go.is_struct = true;
  auto shared_json = std::make_shared<const std::string>(std::move(json));
  m->go.json = shared_json;
  if (stringer) m->go.printed = shared_json;
  return Value::Map(std::move(m));
}

std::string JsonString(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool Present(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && !it->is_null();
}

// A Go `any` decoded from JSON: objects become map[string]any (sorted), nil if absent.
Value Any(const Json& j, const char* key) {
  return Present(j, key) ? ValueFromJson(j[key], true, false) : Value();
}

std::string GoJson(const Value& v) {
  std::string out;
  AppendGoJson(out, v);
  return out;
}

std::vector<std::string> StringList(const Json& j, const char* key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& e : *it) {
    if (e.is_string()) out.push_back(e.get<std::string>());
  }
  return out;
}

Value StringListValue(const std::vector<std::string>& items) {
  std::vector<Value> v;
  for (const auto& s : items) v.push_back(Str(s));
  return Value::List(std::move(v));
}

void AppendField(std::string& out, const char* key, const std::string& json_value) {
  if (out.size() > 1) out += ',';
  AppendGoJsonString(out, key);
  out += ':';
  out += json_value;
}

Value PropertyValue(const Json& p, int depth);

// A ToolPropertiesMap: name -> ToolProperty in declaration order; prints as its JSON.
Value PropertiesValue(const Json& props, std::string* json_out, int depth) {
  auto m = std::make_shared<MapData>();
  m->ordered = true;
  std::string json = "{";
  if (props.is_object()) {
    for (const auto& [name, p] : props.items()) {
      Value pv = PropertyValue(ObjectOrEmpty(p), depth + 1);
      AppendField(json, name.c_str(), *pv.go().json);
      m->Set(name, std::move(pv));
    }
  }
  json += '}';
  auto shared = std::make_shared<const std::string>(json);
  m->go.json = shared;
  m->go.printed = shared;
  *json_out = std::move(json);
  return Value::Map(std::move(m));
}

// api.ToolProperty. Its `Type` is a PropertyType: prints "string" or "[string null]", marshals
// as "string" or ["string","null"]. Schemas nested deeper than kMaxSchemaDepth are cut.
Value PropertyValue(const Json& p_in, int depth) {
  static const Json kEmpty = Json::object();
  const Json& p = depth > kMaxSchemaDepth ? kEmpty : p_in;
  std::string json = "{";
  std::vector<Value> any_of;
  if (auto it = p.find("anyOf"); it != p.end() && it->is_array()) {
    std::string list = "[";
    for (const auto& e : *it) {
      Value v = PropertyValue(ObjectOrEmpty(e), depth + 1);
      if (list.size() > 1) list += ',';
      list += *v.go().json;
      any_of.push_back(std::move(v));
    }
    if (!any_of.empty()) AppendField(json, "anyOf", list + "]");
  }
  std::vector<std::string> types;
  if (auto it = p.find("type"); it != p.end()) {
    if (it->is_string())
      types.push_back(it->get<std::string>());
    else
      types = StringList(p, "type");
  }
  GoTraits type_traits;
  if (!types.empty()) {
    std::string tj;
    std::string printed;
    if (types.size() == 1) {
      AppendGoJsonString(tj, types[0]);
      printed = types[0];
    } else {
      tj = "[";
      printed = "[";
      for (size_t i = 0; i < types.size(); ++i) {
        if (i > 0) tj += ',', printed += ' ';
        AppendGoJsonString(tj, types[i]);
        printed += types[i];
      }
      tj += ']';
      printed += ']';
    }
    AppendField(json, "type", tj);
    type_traits.json = std::make_shared<const std::string>(tj);
    type_traits.printed = std::make_shared<const std::string>(printed);
  } else {
    type_traits.printed = std::make_shared<const std::string>("");
  }
  Value items = Any(p, "items");
  if (!items.is_none()) AppendField(json, "items", GoJson(items));
  std::string description = JsonString(p, "description");
  if (!description.empty()) {
    std::string d;
    AppendGoJsonString(d, description);
    AppendField(json, "description", d);
  }
  Value enum_v = Present(p, "enum") && p["enum"].is_array() ? ValueFromJson(p["enum"], true, false)
                                                            : Value::List({});
  if (!enum_v.list().empty()) AppendField(json, "enum", GoJson(enum_v));
  Value props;
  if (Present(p, "properties")) {
    std::string pj;
    props = PropertiesValue(p["properties"], &pj, depth + 1);
    AppendField(json, "properties", pj);
  }
  std::vector<std::string> required = StringList(p, "required");
  Value required_v = StringListValue(required);
  if (!required.empty()) AppendField(json, "required", GoJson(required_v));
  json += '}';
  std::vector<Value> type_items;
  for (const auto& t : types) type_items.push_back(Str(t));
  return Struct({{"AnyOf", Value::List(std::move(any_of))},
                 {"Type", Value::List(std::move(type_items), std::move(type_traits))},
                 {"Items", items},
                 {"Description", Str(description)},
                 {"Enum", enum_v},
                 {"Properties", props},
                 {"Required", required_v}},
                std::move(json), false);
}

Value ParametersValue(const Json& p) {
  std::string json = "{";
  std::string type = JsonString(p, "type");
  std::string tj;
  AppendGoJsonString(tj, type);
  AppendField(json, "type", tj);
  Value defs = Any(p, "$defs");
  if (!defs.is_none()) AppendField(json, "$defs", GoJson(defs));
  Value items = Any(p, "items");
  if (!items.is_none()) AppendField(json, "items", GoJson(items));
  std::vector<std::string> required = StringList(p, "required");
  Value required_v = StringListValue(required);
  if (!required.empty()) AppendField(json, "required", GoJson(required_v));
  Value props;
  if (Present(p, "properties")) {
    std::string pj;
    props = PropertiesValue(p["properties"], &pj, 0);
    AppendField(json, "properties", pj);
  } else {
    AppendField(json, "properties", "null");
  }
  json += '}';
  return Struct({{"Type", Str(type)},
                 {"Defs", defs},
                 {"Items", items},
                 {"Required", required_v},
                 {"Properties", props}},
                std::move(json), true);
}

Value ToolValue(const Json& t) {
  const Json& fn = ObjectOrEmpty(Member(t, "function"));
  const Json& params = ObjectOrEmpty(Member(fn, "parameters"));
  Value params_v = ParametersValue(params);
  std::string name = JsonString(fn, "name"), description = JsonString(fn, "description");
  std::string fj = "{";
  std::string s;
  AppendGoJsonString(s, name);
  AppendField(fj, "name", s);
  if (!description.empty()) {
    s.clear();
    AppendGoJsonString(s, description);
    AppendField(fj, "description", s);
  }
  AppendField(fj, "parameters", *params_v.go().json);
  fj += '}';
  Value fn_v = Struct(
      {{"Name", Str(name)}, {"Description", Str(description)}, {"Parameters", params_v}}, fj, true);
  std::string type = JsonString(t, "type");
  Value items = Any(t, "items");
  std::string tj = "{";
  s.clear();
  AppendGoJsonString(s, type);
  AppendField(tj, "type", s);
  if (!items.is_none()) AppendField(tj, "items", GoJson(items));
  AppendField(tj, "function", fj);
  tj += '}';
  return Struct({{"Type", Str(type)}, {"Items", items}, {"Function", fn_v}}, std::move(tj), true);
}

}  // namespace

Result<Value> GoMessageValue(const Message& m) {
  std::vector<Value> calls;
  std::string calls_json = "[";
  for (const ToolCall& tc : m.tool_calls) {
    Json args = Json::parse(tc.arguments_json.empty() ? std::string("{}") : tc.arguments_json,
                            nullptr, false);
    if (args.is_discarded() || !args.is_object()) {
      return Status::InvalidArgument(
          StrCat("tool call '", tc.name, "': arguments are not a JSON object"));
    }
    // Arguments keep their key order (an ordered map whose String() is its JSON); nested objects
    // are Go maps.
    auto am = std::make_shared<MapData>();
    am->ordered = true;
    for (const auto& [k, v] : args.items()) am->Set(k, ValueFromJson(v, true, false));
    std::string aj = GoJson(Value::Map(am));
    am->go.json = std::make_shared<const std::string>(aj);
    am->go.printed = am->go.json;
    std::string fj = "{";
    AppendField(fj, "index", std::to_string(tc.index));
    std::string s;
    AppendGoJsonString(s, tc.name);
    AppendField(fj, "name", s);
    AppendField(fj, "arguments", aj);
    fj += '}';
    Value fn =
        Struct({{"Index", Value(tc.index)}, {"Name", Str(tc.name)}, {"Arguments", Value::Map(am)}},
               fj, false);
    std::string cj = "{";
    if (!tc.id.empty()) {
      s.clear();
      AppendGoJsonString(s, tc.id);
      AppendField(cj, "id", s);
    }
    AppendField(cj, "function", fj);
    cj += '}';
    if (calls_json.size() > 1) calls_json += ',';
    calls_json += cj;
    calls.push_back(Struct({{"ID", Str(tc.id)}, {"Function", fn}}, cj, false));
  }
  calls_json += ']';
  std::vector<Value> images;
  for (const auto& img : m.images) images.push_back(Str(img));
  std::string json = "{";
  auto add_str = [&json](const char* key, const std::string& v, bool omitempty) {
    if (omitempty && v.empty()) return;
    std::string s;
    AppendGoJsonString(s, v);
    AppendField(json, key, s);
  };
  add_str("role", m.role, false);
  add_str("content", m.content, false);
  add_str("thinking", m.thinking, true);
  if (!images.empty()) AppendField(json, "images", GoJson(Value::List(images)));
  if (!calls.empty()) AppendField(json, "tool_calls", calls_json);
  add_str("tool_name", m.tool_name, true);
  add_str("tool_call_id", m.tool_call_id, true);
  json += '}';
  return Struct({{"Role", Str(m.role)},
                 {"Content", Str(m.content)},
                 {"Thinking", Str(m.thinking)},
                 {"Images", Value::List(std::move(images))},
                 {"ToolCalls", Value::List(std::move(calls))},
                 {"ToolName", Str(m.tool_name)},
                 {"ToolCallID", Str(m.tool_call_id)}},
                std::move(json), false);
}

Result<Value> GoToolsValue(std::string_view tools_json) {
  if (tools_json.empty()) {  // a nil api.Tools: prints "[]", marshals as null
    GoTraits nil_traits;
    nil_traits.json = std::make_shared<const std::string>("null");
    return Value::List({}, std::move(nil_traits));
  }
  Json tools = Json::parse(tools_json, nullptr, false);
  if (tools.is_discarded() || !(tools.is_array() || tools.is_null())) {
    return Status::InvalidArgument("tools: not a JSON array");
  }
  std::vector<Value> items;
  std::string json = "[";
  if (tools.is_array()) {
    for (const auto& t : tools) {
      Value tv = ToolValue(ObjectOrEmpty(t));
      if (json.size() > 1) json += ',';
      json += *tv.go().json;
      items.push_back(std::move(tv));
    }
  }
  json += ']';
  GoTraits traits;
  traits.json = std::make_shared<const std::string>(json);
  traits.printed = traits.json;
  return Value::List(std::move(items), std::move(traits));
}

}  // namespace olla::chat
