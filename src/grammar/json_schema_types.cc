// JSON Schema -> GBNF, per type: numbers, strings, arrays, objects; and the public entry points.

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "base/str_cat.h"
#include "base/utf8.h"
#include "grammar/json_schema.h"
#include "grammar/json_schema_internal.h"

namespace olla::grammar {
namespace internal {
namespace {

constexpr std::string_view kFormats[] = {"date", "time", "date-time", "uuid", "ipv4"};
constexpr std::string_view kQuote = R"("\"")";  // GBNF for a double quote

constexpr int64_t kUnbounded = -1;

// The repetition suffix for [lo, hi] copies (hi kUnbounded: no limit); "" for exactly one.
std::string RepeatOp(int64_t lo, int64_t hi) {
  if (hi == kUnbounded) return lo == 0 ? "*" : lo == 1 ? "+" : StrCat("{", lo, ",}");
  if (lo == hi) return lo == 1 ? "" : StrCat("{", lo, "}");
  if (lo == 0 && hi == 1) return "?";
  return StrCat("{", lo, ",", hi, "}");
}

}  // namespace

Result<std::string> SchemaCompiler::NumberBody(const Json& s, bool integer,
                                               const std::string& path) {
  const char* keys[] = {"minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"};
  if (std::none_of(std::begin(keys), std::end(keys),
                   [&](const char* k) { return s.contains(k); })) {
    return Prim(integer ? "integer" : "number");
  }
  NumberBounds b;
  // Tightens the bound on one side with `d` (exclusive or not); integers get inclusive bounds.
  auto apply = [&](const char* key, double d, bool lower, bool exclusive) -> Status {
    if (!std::isfinite(d) || std::fabs(d) > 9e15)
      return Err(path, StrCat("'", key, "' outside the supported range"));
    if (!integer && d != std::floor(d))
      return Err(path, StrCat("a non-integer '", key, "' for a number is not supported"));
    int64_t bound = static_cast<int64_t>(d);
    if (integer) {
      bound = static_cast<int64_t>(lower ? (exclusive ? std::floor(d) + 1 : std::ceil(d))
                                         : (exclusive ? std::ceil(d) - 1 : std::floor(d)));
      exclusive = false;
    }
    std::optional<int64_t>& cur = lower ? b.lo : b.hi;
    bool& cur_ex = lower ? b.lo_exclusive : b.hi_exclusive;
    if (!cur || (lower ? bound > *cur : bound < *cur) || (bound == *cur && exclusive)) {
      cur = bound;
      cur_ex = exclusive;
    }
    return Status::Ok();
  };
  for (const char* key : keys) {
    if (!s.contains(key)) continue;
    const Json& v = s[key];
    const bool lower = std::string_view(key).ends_with("inimum");
    const bool exclusive = key[0] == 'e';
    if (exclusive && v.is_boolean()) continue;  // draft 4 flag, read with minimum/maximum
    if (!v.is_number()) return Err(path, StrCat("'", key, "' must be a number"));
    // Draft 4: "exclusiveMinimum": true makes "minimum" exclusive.
    const char* flag = lower ? "exclusiveMinimum" : "exclusiveMaximum";
    const bool draft4 = !exclusive && s.contains(flag) && s[flag] == Json(true);
    OLLA_RETURN_IF_ERROR(apply(key, v.get<double>(), lower, exclusive || draft4));
  }
  auto range = NumberInRange(b, integer);
  if (!range.ok()) return Err(path, range.status().message());
  return StrCat(*range, " ", Prim("space"));
}

Result<std::string> SchemaCompiler::StringBody(const Json& s, const std::string& path) {
  const bool has_min = s.contains("minLength"), has_max = s.contains("maxLength");
  const std::string quote(kQuote);
  if (s.contains("format")) {
    if (!s["format"].is_string()) return Err(path, "'format' must be a string");
    const std::string f = s["format"].get<std::string>();
    if (std::find(std::begin(kFormats), std::end(kFormats), f) == std::end(kFormats)) {
      return Err(path, StrCat("unsupported string format '", f, "' (keyword 'format')"));
    }
    if (s.contains("pattern") || has_min || has_max) {
      return Err(path,
                 "'format' together with 'pattern', 'minLength' or 'maxLength' is not supported");
    }
    return StrCat(quote, " ", Prim(f), " ", quote, " ", Prim("space"));
  }
  if (s.contains("pattern")) {
    if (!s["pattern"].is_string()) return Err(path, "'pattern' must be a string");
    if (has_min || has_max)
      return Err(path, "'pattern' together with 'minLength' or 'maxLength' is not supported");
    auto expr = PatternToGbnf(s["pattern"].get<std::string>());
    if (!expr.ok()) return Err(path, StrCat(expr.status().message(), " (keyword 'pattern')"));
    Prim("char");
    return StrCat(quote, " ", *expr, " ", quote, " ", Prim("space"));
  }
  const int64_t min = has_min ? s["minLength"].get<int64_t>() : 0;
  const int64_t max = has_max ? s["maxLength"].get<int64_t>() : kUnbounded;
  if (has_max && max < min) return Err(path, "'maxLength' is below 'minLength'");
  if (max == 0) return StrCat(quote, " ", quote, " ", Prim("space"));
  return StrCat(quote, " ", Prim("char"), RepeatOp(min, max), " ", quote, " ", Prim("space"));
}

Result<std::string> SchemaCompiler::ArrayBody(const Json& s, const std::string& name,
                                              const std::string& path, int depth) {
  const int64_t min = s.contains("minItems") ? s["minItems"].get<int64_t>() : 0;
  const int64_t max = s.contains("maxItems") ? s["maxItems"].get<int64_t>() : kUnbounded;
  if (max != kUnbounded && max < min) return Err(path, "'maxItems' is below 'minItems'");
  bool items_given = s.contains("items"), items_false = false;
  std::string item;
  if (!items_given || s["items"] == Json(true)) {
    item = Prim("value");
  } else if (s["items"] == Json(false)) {
    items_false = true;
  } else if (s["items"].is_object()) {
    OLLA_ASSIGN_OR_RETURN(item, Rule(s["items"], name + "-item", path + "/items", depth));
  } else {
    return Err(path, "'items' must be a schema (for tuples use 'prefixItems')");
  }
  const std::string space = Prim("space"), comma = StrCat("\",\" ", space);
  const std::string open = StrCat("\"[\" ", space), close = StrCat("\"]\" ", space);
  std::vector<std::string> prefix;
  if (s.contains("prefixItems")) {
    if (!s["prefixItems"].is_array()) return Err(path, "'prefixItems' must be an array");
    for (size_t k = 0; k < s["prefixItems"].size(); ++k) {
      OLLA_ASSIGN_OR_RETURN(std::string r, Rule(s["prefixItems"][k], StrCat(name, "-", k),
                                                StrCat(path, "/prefixItems/", k), depth));
      prefix.push_back(std::move(r));
    }
  }
  const int64_t n = static_cast<int64_t>(prefix.size());
  if (n > 0) {  // all prefix items, then what `items` allows (absent: only what minItems needs)
    if (max != kUnbounded && max < n)
      return Err(path, "'maxItems' below the number of 'prefixItems' is not supported");
    const int64_t extra_min = std::max<int64_t>(0, min - n);
    int64_t extra_max = max == kUnbounded ? kUnbounded : max - n;
    if (items_false) extra_max = 0;
    if (!items_given) extra_max = extra_min;
    if (extra_max != kUnbounded && extra_max < extra_min)
      return Err(path, "'minItems' needs more items than 'items' allows");
    std::string out = StrCat(open, " ", prefix[0]);
    for (int64_t k = 1; k < n; ++k) StrAppend(out, " ", comma, " ", prefix[k]);
    if (extra_max != 0) StrAppend(out, " (", comma, " ", item, ")", RepeatOp(extra_min, extra_max));
    return StrCat(out, " ", close);
  }
  if (items_false || max == 0) {
    if (min > 0) return Err(path, "'minItems' above 0 with no items allowed");
    return StrCat(open, " ", close);
  }
  const int64_t rest = max == kUnbounded ? kUnbounded : max - 1;  // items after the first
  const std::string tail = rest == 0 ? ""
                                     : StrCat(" (", comma, " ", item, ")",
                                              RepeatOp(std::max<int64_t>(min - 1, 0), rest));
  if (min == 0) return StrCat(open, " (", item, tail, ")? ", close);
  return StrCat(open, " ", item, tail, " ", close);
}

Result<std::string> SchemaCompiler::ObjectBody(const Json& s, const std::string& name,
                                               const std::string& path, int depth) {
  const bool has_props = s.contains("properties"), has_req = s.contains("required");
  const bool has_addl = s.contains("additionalProperties");
  if (!has_props && !has_req && !has_addl) return Prim("object");
  if (has_props && !s["properties"].is_object()) return Err(path, "'properties' must be an object");
  std::set<std::string> required;
  if (has_req) {
    if (!s["required"].is_array()) return Err(path, "'required' must be an array of strings");
    for (const Json& r : s["required"]) {
      if (!r.is_string()) return Err(path, "'required' must be an array of strings");
      required.insert(r.get<std::string>());
    }
  }
  // Absent additionalProperties: no other keys (llama.cpp's choice, which Ollama inherits).
  bool extra = false;
  std::string extra_value;
  if (has_addl) {
    const Json& a = s["additionalProperties"];
    if (a.is_boolean()) {
      extra = a.get<bool>();
      extra_value = Prim("value");
    } else if (a.is_object()) {
      extra = true;
      OLLA_ASSIGN_OR_RETURN(extra_value,
                            Rule(a, name + "-additional", path + "/additionalProperties", depth));
    } else {
      return Err(path, "'additionalProperties' must be a boolean or a schema");
    }
  }
  const std::string space = Prim("space"), comma = StrCat("\",\" ", space);
  struct Prop {
    std::string key, kv;
    bool required;
  };
  std::vector<Prop> props;
  auto add = [&](const std::string& key, const std::string& value, bool req) {
    const std::string kv =
        NewRule(StrCat(name, "-", key, "-kv"),
                StrCat(GbnfLiteral(Json(key).dump()), " ", space, " \":\" ", space, " ", value));
    props.push_back({key, kv, req});
  };
  std::set<std::string> listed;
  if (has_props) {
    for (const auto& [key, sub] : s["properties"].items()) {
      OLLA_ASSIGN_OR_RETURN(std::string value, Rule(sub, StrCat(name, "-", key),
                                                    StrCat(path, "/properties/", key), depth));
      add(key, value, required.contains(key));
      listed.insert(key);
    }
  }
  for (const std::string& key : required) {  // required but not listed: any value allowed there
    if (listed.contains(key)) continue;
    if (has_addl && !extra)
      return Err(path,
                 StrCat("required property '", key, "' is not allowed by additionalProperties"));
    add(key, extra ? extra_value : Prim("value"), true);
  }
  std::string extra_kv;
  if (extra) {
    std::vector<std::string> names;
    for (const Prop& p : props) names.push_back(p.key);
    const std::string key_rule =
        names.empty() ? Prim("string") : KeyExcluding(names, name + "-key");
    extra_kv =
        NewRule(name + "-additional-kv", StrCat(key_rule, " \":\" ", space, " ", extra_value));
  }
  const std::string more_extra = extra ? StrCat(" (", comma, " ", extra_kv, ")*") : "";
  std::string inner;
  auto first_req =
      std::find_if(props.begin(), props.end(), [](const Prop& p) { return p.required; });
  if (first_req != props.end()) {
    // Optional ones before the first required one carry their comma after them.
    for (auto it = props.begin(); it != props.end(); ++it) {
      if (!inner.empty()) inner += " ";
      if (it < first_req) {
        StrAppend(inner, "(", it->kv, " ", comma, ")?");
      } else if (it == first_req || it->required) {
        StrAppend(inner, it == first_req ? "" : comma + " ", it->kv);
      } else {
        StrAppend(inner, "(", comma, " ", it->kv, ")?");
      }
    }
    inner += more_extra;
  } else if (props.empty()) {
    if (extra) inner = StrCat("(", extra_kv, more_extra, ")?");
  } else {
    // Any ordered subset: opt_i ::= kv_i tail_(i+1) | opt_(i+1); tail_j ::= ("," kv_j)? tail_(j+1).
    const size_t n = props.size();
    std::vector<std::string> tail(n + 1), opt(n);
    for (size_t j = n - 1; j >= 1; --j) {
      tail[j] = NewRule(
          StrCat(name, "-tail-", j),
          StrCat("(", comma, " ", props[j].kv, ")?", tail[j + 1].empty() ? "" : " " + tail[j + 1]));
    }
    opt[n - 1] = props[n - 1].kv;
    for (size_t i = n - 1; i-- > 0;) {
      opt[i] = NewRule(StrCat(name, "-opt-", i),
                       StrCat(props[i].kv, " ", tail[i + 1], " | ", opt[i + 1]));
    }
    inner = extra ? StrCat("(", opt[0], more_extra, " | ", extra_kv, more_extra, ")?")
                  : StrCat(opt[0], "?");
  }
  return StrCat("\"{\" ", space, " ", inner, inner.empty() ? "" : " ", "\"}\" ", space);
}

std::string SchemaCompiler::KeyExcluding(const std::vector<std::string>& names,
                                         const std::string& name) {
  // A trie of the names; at each node the key may leave the trie (then any characters
  // follow), step to a child, or end, unless a name ends exactly there.
  struct Node {
    std::map<uint32_t, size_t> children;
    bool terminal = false;
  };
  std::vector<Node> trie(1);
  for (const std::string& n : names) {
    std::vector<uint32_t> cps;
    bool spellable = true;  // a name with a quote, backslash or control character cannot collide
    for (size_t pos = 0; pos < n.size();) {
      const uint32_t cp = utf8::DecodeNext(n, &pos);
      spellable = spellable && cp >= 0x20 && cp != '"' && cp != '\\' && cp != 0x7F;
      cps.push_back(cp);
    }
    if (!spellable) continue;
    size_t v = 0;
    for (uint32_t cp : cps) {
      auto it = trie[v].children.find(cp);
      if (it == trie[v].children.end()) {
        trie.emplace_back();
        it = trie[v].children.emplace(cp, trie.size() - 1).first;
      }
      v = it->second;
    }
    trie[v].terminal = true;
  }
  const std::string key_char = Prim("key-char");
  std::vector<std::string> rule(trie.size());
  for (size_t v = 0; v < trie.size(); ++v) rule[v] = Unique(StrCat(name, "-", v));
  for (size_t v = 0; v < trie.size(); ++v) {
    std::vector<std::pair<uint32_t, uint32_t>> excluded = {
        {0, 0x1F}, {'"', '"'}, {'\\', '\\'}, {0x7F, 0x7F}};
    std::string body;
    for (const auto& [cp, child] : trie[v].children) {
      std::string ch;
      utf8::Append(ch, cp);
      StrAppend(body, body.empty() ? "" : " | ", GbnfLiteral(ch), " ", rule[child]);
      excluded.emplace_back(cp, cp);
    }
    StrAppend(body, body.empty() ? "" : " | ", GbnfClass(CharClass::Make(excluded, true).ranges),
              " ", key_char, "*");
    if (!trie[v].terminal) body += " | \"\"";
    rules_.emplace_back(rule[v], std::move(body));
  }
  return StrCat(kQuote, " ", rule[0], " ", kQuote, " ", Prim("space"));
}

}  // namespace internal

namespace {

// Go's %q of the raw bytes, as Ollama's message prints them.
std::string GoQuote(std::string_view raw) {
  std::string out = "\"";
  for (char c : raw) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out.append(c == '\n'   ? "\\n"
                 : c == '\t' ? "\\t"
                 : c == '\r' ? "\\r"
                             : StrFormat("\\x%02x", c));
    } else {
      out.push_back(c);
    }
  }
  return out + "\"";
}

Status InvalidFormat(std::string_view raw) {
  return Status::InvalidArgument(StrCat("invalid format: ", GoQuote(raw),
                                        "; expected \"json\" or a valid JSON Schema object"));
}

}  // namespace

std::string JsonObjectGbnf() { return *JsonSchemaToGbnf(R"({"type": "object"})"); }
std::string JsonValueGbnf() { return *JsonSchemaToGbnf("{}"); }

Result<std::string> JsonSchemaToGbnf(std::string_view schema_json) {
  internal::Json root;
  try {
    root = internal::Json::parse(schema_json);
  } catch (const internal::Json::exception& e) {
    return Status::InvalidArgument(StrCat("json schema: not valid JSON: ", e.what()));
  }
  return internal::SchemaCompiler(root).Compile();
}

Result<std::string> FormatToGbnf(std::string_view format_json) {
  const size_t b = format_json.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return std::string();
  internal::Json v;
  try {
    v = internal::Json::parse(format_json);
  } catch (const internal::Json::exception&) {
    return InvalidFormat(format_json);
  }
  if (v.is_null() || v == internal::Json("")) return std::string();
  if (v == internal::Json("json")) return JsonObjectGbnf();
  if (!v.is_object()) return InvalidFormat(format_json);
  return internal::SchemaCompiler(v).Compile();
}

Result<std::shared_ptr<const Grammar>> GrammarForFormat(std::string_view format_json) {
  OLLA_ASSIGN_OR_RETURN(std::string text, FormatToGbnf(format_json));
  if (text.empty()) return std::shared_ptr<const Grammar>();
  auto g = ParseGbnf(text);
  if (!g.ok())
    return Status::InvalidArgument(
        StrCat("json schema: cannot be compiled: ", g.status().message()));
  return *g;
}

}  // namespace olla::grammar
