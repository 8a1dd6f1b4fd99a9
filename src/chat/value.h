#pragma once
// The dynamic data model shared by the two template engines (Go text/template, Jinja).
//
// Strings carry input marking (CONVENTIONS.md C12, after llama.cpp's jinja::string): every byte
// range that came from outside the template (message content, roles, tool definitions, system
// prompts) is recorded, and concatenation/slicing keep the ranges, so the rendered prompt can tell
// the tokenizer which bytes may contain special tokens (template text) and which may not (data).
//
// Lists and maps are shared, immutable once built; the only mutation is Jinja's
// `{% set ns.attr = v %}` on a namespace() map, which has Python reference semantics.

#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace olla::chat {

// A string with its input (data) byte ranges. Ranges are sorted, disjoint and non-adjacent.
class MarkedString {
 public:
  MarkedString() = default;
  // The whole of `text` is input (data) if `input`, else template text.
  explicit MarkedString(std::string text, bool input = false);

  const std::string& str() const { return text_; }
  size_t size() const { return text_.size(); }
  bool empty() const { return text_.empty(); }
  bool has_input() const { return !input_.empty(); }

  void Append(const MarkedString& other);
  void Append(std::string_view text, bool input);
  // Bytes [pos, pos + n) with their marking (n clamped to the end).
  MarkedString Substr(size_t pos, size_t n = std::string::npos) const;
  // `text` marked wholly as input if any byte of this string is input: the conservative rule for
  // transformations that do not preserve byte positions (upper, replace, json, ...).
  MarkedString Derive(std::string text) const;

  // Calls fn(std::string_view run, bool input) for each maximal run, in order.
  template <typename Fn>
  void ForEachRun(Fn&& fn) const {
    size_t pos = 0;
    for (const auto& [b, e] : input_) {
      if (b > pos) fn(std::string_view(text_).substr(pos, b - pos), false);
      fn(std::string_view(text_).substr(b, e - b), true);
      pos = e;
    }
    if (pos < text_.size()) fn(std::string_view(text_).substr(pos), false);
  }

  bool operator==(const MarkedString& o) const { return text_ == o.text_; }

 private:
  void AddRange(size_t b, size_t e);

  std::string text_;
  std::vector<std::pair<size_t, size_t>> input_;
};

class Value;

// Extra behaviour a Go value has through its type: a String() method (printing), a custom
// MarshalJSON or struct field order (json), struct semantics (unknown fields are errors).
struct GoTraits {
  bool is_struct = false;
  std::shared_ptr<const std::string> printed;  // what {{ . }} prints, if the type has String()
  std::shared_ptr<const std::string> json;     // what json.Marshal writes, if not the default
};

struct ListData {
  std::vector<Value> items;
  GoTraits go;
  uint32_t depth = 1;  // nesting depth: 1 + the deepest child container
};

struct MapData {
  std::vector<std::pair<std::string, Value>> entries;  // insertion order
  // Iteration and JSON order: insertion order if true, else sorted by key (a Go map).
  bool ordered = true;
  bool is_namespace = false;  // Jinja namespace(): attributes may be assigned
  GoTraits go;
  uint32_t depth = 1;  // nesting depth; kept by Value::Map() and Set()

  const Value* Find(std::string_view key) const;
  Value* Find(std::string_view key);
  void Set(std::string key, Value v);  // replaces an existing key in place
  // Entries in iteration order (sorted by key unless `ordered`).
  std::vector<const std::pair<std::string, Value>*> Iteration() const;
};

// Something a Jinja template can call (a macro); defined by the engine that creates it.
class Callable {
 public:
  virtual ~Callable() = default;
};

class Value {
 public:
  enum class Kind : uint8_t {
    kUndefined,
    kNone,
    kBool,
    kInt,
    kFloat,
    kString,
    kList,
    kMap,
    kCallable
  };

  Value() = default;  // None (Go nil)
  explicit Value(bool b) : kind_(Kind::kBool), v_(b) {}
  explicit Value(int64_t i) : kind_(Kind::kInt), v_(i) {}
  explicit Value(int i) : kind_(Kind::kInt), v_(static_cast<int64_t>(i)) {}
  explicit Value(double d) : kind_(Kind::kFloat), v_(d) {}
  explicit Value(MarkedString s) : kind_(Kind::kString), v_(std::move(s)) {}
  static Value Undefined() {
    Value v;
    v.kind_ = Kind::kUndefined;
    return v;
  }
  static Value Str(std::string s, bool input = false) {
    return Value(MarkedString(std::move(s), input));
  }
  static Value List(std::vector<Value> items, GoTraits go = {});
  static Value Map(std::shared_ptr<MapData> map);
  static Value EmptyMap(bool ordered = true);
  static Value Function(std::shared_ptr<Callable> fn);

  Kind kind() const { return kind_; }
  bool is_undefined() const { return kind_ == Kind::kUndefined; }
  bool is_none() const { return kind_ == Kind::kNone; }
  bool is_bool() const { return kind_ == Kind::kBool; }
  bool is_int() const { return kind_ == Kind::kInt; }
  bool is_float() const { return kind_ == Kind::kFloat; }
  bool is_number() const { return kind_ == Kind::kInt || kind_ == Kind::kFloat; }
  bool is_string() const { return kind_ == Kind::kString; }
  bool is_list() const { return kind_ == Kind::kList; }
  bool is_map() const { return kind_ == Kind::kMap; }
  bool is_callable() const { return kind_ == Kind::kCallable; }

  // Accessors; calling the wrong one is a programmer bug (std::get throws).
  bool bool_value() const { return std::get<bool>(v_); }
  int64_t int_value() const { return std::get<int64_t>(v_); }
  double float_value() const { return std::get<double>(v_); }
  double number_value() const {
    return is_int() ? static_cast<double>(int_value()) : float_value();
  }
  const MarkedString& str() const { return std::get<MarkedString>(v_); }
  const std::vector<Value>& list() const { return std::get<std::shared_ptr<ListData>>(v_)->items; }
  const ListData& list_data() const { return *std::get<std::shared_ptr<ListData>>(v_); }
  const MapData& map() const { return *std::get<std::shared_ptr<MapData>>(v_); }
  MapData& mutable_map() const { return *std::get<std::shared_ptr<MapData>>(v_); }
  const std::shared_ptr<Callable>& callable() const {
    return std::get<std::shared_ptr<Callable>>(v_);
  }
  // The Go traits of a list or map; empty traits for other kinds.
  const GoTraits& go() const;

  // Map lookup; nullptr if not a map or no such key.
  const Value* Get(std::string_view key) const;
  // Nesting depth of a list or map (1 = no nested containers); 0 for scalars.
  uint32_t depth() const;
  // True if both share the same list/map storage (Python `is` for containers).
  bool SameObject(const Value& o) const;

 private:
  Kind kind_ = Kind::kNone;
  std::variant<std::monostate, bool, int64_t, double, MarkedString, std::shared_ptr<ListData>,
               std::shared_ptr<MapData>, std::shared_ptr<Callable>>
      v_;
};

// Builds a Value from JSON. Strings are marked as input if `input`. Objects keep their key order
// if `ordered_objects`, else iterate sorted (as a Go map[string]any does).
Value ValueFromJson(const nlohmann::ordered_json& j, bool input, bool ordered_objects = true);

// Go's encoding/json output for a value (HTML-safe escaping, shortest floats, map keys sorted
// unless ordered, struct/Marshaler overrides from GoTraits). Undefined/callables write null.
// (A string alone: AppendGoJsonString in base/go_json_format.h.)
void AppendGoJson(std::string& out, const Value& v);

// Python-style json.dumps as Hugging Face's `tojson` filter calls it: ensure_ascii=False, keys in
// insertion order, separators (", ", ": ") or, with indent >= 0, pretty-printed.
void AppendPyJson(std::string& out, const Value& v, int indent = -1, int depth = 0);
// Python str()/repr() of a value: None, True, 1.5, 'text', ['a', 1], {'k': 'v'}.
std::string PyStr(const Value& v);
std::string PyRepr(const Value& v);
// Python repr of a float: shortest round trip, "1.0", "1e+16", "inf", "nan".
std::string PyFloat(double d);

}  // namespace olla::chat
