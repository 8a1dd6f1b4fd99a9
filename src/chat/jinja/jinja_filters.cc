// Jinja builtin filters (the subset chat templates use), as a table keyed by name: one small
// function per filter. Filters that transform text keep input marking where the result is made
// of input pieces (trim, join) and otherwise mark the whole result as input if any input went in
// (MarkedString::Derive).

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <iterator>
#include <memory>

#include "base/ascii.h"
#include "base/str_cat.h"
#include "base/utf8.h"
#include "chat/jinja/jinja_runtime.h"

namespace olla::chat::jinja {
namespace {

// One filter application: `v | name(args..., kwargs...)`.
struct FilterCall {
  Interpreter& in;
  std::string_view name;  // as called, for the functions that serve several names
  const Value& v;
  const std::vector<Value>& args;
  const Kwargs& kwargs;
};

using FilterFn = Result<Value> (*)(const FilterCall& c);

// ---- Helpers ----

bool BoolArg(const std::vector<Value>& args, const Kwargs& kwargs, size_t i,
             std::string_view name) {
  const Value* v = Arg(args, kwargs, i, name);
  return v && Truthy(*v);
}

// Resolves a dotted attribute path ("a.b", "0") on a value; Undefined if absent.
Value GetAttrPath(const Value& v, const std::string& path) {
  Value cur = v;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('.', i);
    if (j == std::string::npos) j = path.size();
    std::string part = path.substr(i, j - i);
    if (cur.is_map()) {
      const Value* f = cur.map().Find(part);
      cur = f ? *f : Value::Undefined();
    } else if (cur.is_list() && !part.empty() && std::all_of(part.begin(), part.end(), ::isdigit)) {
      size_t idx = std::stoul(part);
      cur = idx < cur.list().size() ? cur.list()[idx] : Value::Undefined();
    } else {
      return Value::Undefined();
    }
    i = j + 1;
  }
  return cur;
}

int64_t PyLen(const Value& v) {
  if (v.is_string()) {
    int64_t n = 0;
    const std::string& s = v.str().str();
    for (size_t pos = 0; pos < s.size(); ++n) utf8::DecodeNext(s, &pos);
    return n;
  }
  if (v.is_list()) return static_cast<int64_t>(v.list().size());
  if (v.is_map()) return static_cast<int64_t>(v.map().entries.size());
  return 0;
}

// The key a sort/unique/min/max filter compares by.
Value SortKey(const Value& v, const Value* attribute, bool case_sensitive) {
  Value k = attribute && attribute->is_string() ? GetAttrPath(v, attribute->str().str()) : v;
  if (!case_sensitive && k.is_string()) return Value::Str(AsciiToLower(k.str().str()));
  return k;
}

Result<std::vector<Value>> SortedItems(std::vector<Value> items, const Value* attribute,
                                       bool case_sensitive, bool reverse) {
  Status err;
  std::stable_sort(items.begin(), items.end(), [&](const Value& a, const Value& b) {
    Result<int> c =
        PyCompare(SortKey(a, attribute, case_sensitive), SortKey(b, attribute, case_sensitive));
    if (!c.ok()) {
      if (err.ok()) err = c.status();
      return false;
    }
    return reverse ? *c > 0 : *c < 0;
  });
  if (!err.ok()) return err;
  return items;
}

std::string HtmlEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&#34;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string IndentLines(const std::string& s, int width, bool first, bool blank) {
  std::string pad(static_cast<size_t>(width), ' ');
  std::string out;
  size_t i = 0;
  bool is_first = true;
  while (i <= s.size()) {
    size_t j = s.find('\n', i);
    std::string line = s.substr(i, j == std::string::npos ? std::string::npos : j - i);
    bool indent = is_first ? first : (blank || !line.empty());
    if (indent && !(line.empty() && !blank && !is_first)) out += pad;
    out += line;
    if (j == std::string::npos) break;
    out += '\n';
    i = j + 1;
    is_first = false;
  }
  return out;
}

// ---- Filters ----

// default / d
Result<Value> Default(const FilterCall& c) {
  const Value* dflt = Arg(c.args, c.kwargs, 0, "default_value");
  bool boolean = BoolArg(c.args, c.kwargs, 1, "boolean");
  if (c.v.is_undefined() || (boolean && !Truthy(c.v))) return dflt ? *dflt : Value::Str("");
  return c.v;
}

Result<Value> Safe(const FilterCall& c) { return c.v; }

// length / count
Result<Value> Length(const FilterCall& c) {
  const Value& v = c.v;
  if (!v.is_string() && !v.is_list() && !v.is_map() && !v.is_undefined()) {
    return Status::InvalidArgument(StrCat("object of type '", PyTypeName(v), "' has no len()"));
  }
  return Value(PyLen(v));
}

Result<Value> String(const FilterCall& c) { return Value(ToMarked(c.v)); }

Result<Value> ToJson(const FilterCall& c) {
  const Value* indent = Arg(c.args, c.kwargs, 0, "indent");
  const Value* sort_keys = Kwarg(c.kwargs, "sort_keys");
  Value src = c.v;
  if (sort_keys && Truthy(*sort_keys)) {
    // Re-key every map in sorted order.
    std::function<Value(const Value&)> sorted = [&](const Value& x) -> Value {
      if (x.is_list()) {
        std::vector<Value> items;
        for (const Value& e : x.list()) items.push_back(sorted(e));
        return Value::List(std::move(items));
      }
      if (!x.is_map()) return x;
      auto m = std::make_shared<MapData>();
      for (const auto* e : x.map().Iteration())
        m->entries.emplace_back(e->first, sorted(e->second));
      std::sort(m->entries.begin(), m->entries.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      return Value::Map(std::move(m));
    };
    src = sorted(c.v);
  }
  std::string out;
  AppendPyJson(out, src,
               indent && indent->is_int()
                   ? static_cast<int>(std::clamp<int64_t>(indent->int_value(), 0, 64))
                   : -1);
  return Value(MarkedString(std::move(out), HasInput(c.v)));
}

Result<Value> List(const FilterCall& c) {
  OLLA_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(c.v));
  return Value::List(std::move(items));
}

Result<Value> Items(const FilterCall& c) {
  if (c.v.is_undefined()) return Value::List({});
  if (!c.v.is_map())
    return Status::InvalidArgument(
        StrCat("items filter requires a mapping, got ", PyTypeName(c.v)));
  bool dummy;
  return CallMethod(c.v, "items", {}, {}, &dummy);
}

Result<Value> DictSort(const FilterCall& c) {
  const std::vector<Value>& args = c.args;
  const Kwargs& kwargs = c.kwargs;
  if (!c.v.is_map()) return Status::InvalidArgument("dictsort requires a mapping");
  bool dummy;
  OLLA_ASSIGN_OR_RETURN(Value items, CallMethod(c.v, "items", {}, {}, &dummy));
  const bool by_value = Arg(args, kwargs, 1, "by") && Arg(args, kwargs, 1, "by")->is_string() &&
                        Arg(args, kwargs, 1, "by")->str().str() == "value";
  Value attr = Value::Str(by_value ? "1" : "0");
  OLLA_ASSIGN_OR_RETURN(std::vector<Value> sorted,
                        SortedItems(items.list(), &attr, BoolArg(args, kwargs, 0, "case_sensitive"),
                                    BoolArg(args, kwargs, 2, "reverse")));
  return Value::List(std::move(sorted));
}

Result<Value> Trim(const FilterCall& c) {
  bool dummy;
  return CallMethod(c.v.is_string() ? c.v : Value(ToMarked(c.v)), "strip", c.args, {}, &dummy);
}

// upper / lower / title / capitalize: the str method of the same name.
Result<Value> CaseMethod(const FilterCall& c) {
  bool dummy;
  return CallMethod(c.v.is_string() ? c.v : Value(ToMarked(c.v)), c.name, {}, {}, &dummy);
}

Result<Value> Replace(const FilterCall& c) {
  bool dummy;
  return CallMethod(c.v.is_string() ? c.v : Value(ToMarked(c.v)), "replace", c.args, c.kwargs,
                    &dummy);
}

// escape / e
Result<Value> Escape(const FilterCall& c) {
  MarkedString s = ToMarked(c.v);
  return Value(s.Derive(HtmlEscape(s.str())));
}

Result<Value> Indent(const FilterCall& c) {
  const std::vector<Value>& args = c.args;
  const Kwargs& kwargs = c.kwargs;
  const Value* width = Arg(args, kwargs, 0, "width");
  MarkedString s = ToMarked(c.v);
  int w = width && width->is_int()
              ? static_cast<int>(std::clamp<int64_t>(width->int_value(), 0, 256))
              : 4;
  return Value(s.Derive(IndentLines(s.str(), w, BoolArg(args, kwargs, 1, "first"),
                                    BoolArg(args, kwargs, 2, "blank"))));
}

Result<Value> Join(const FilterCall& c) {
  OLLA_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(c.v));
  const Value* sep = Arg(c.args, c.kwargs, 0, "d");
  const Value* attribute = Arg(c.args, c.kwargs, 1, "attribute");
  MarkedString out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0 && sep) out.Append(ToMarked(*sep));
    out.Append(ToMarked(attribute && attribute->is_string()
                            ? GetAttrPath(items[i], attribute->str().str())
                            : items[i]));
  }
  return Value(std::move(out));
}

// first / last
Result<Value> FirstOrLast(const FilterCall& c) {
  OLLA_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(c.v));
  if (items.empty()) return Value::Undefined();
  return c.name == "first" ? items.front() : items.back();
}

Result<Value> Reverse(const FilterCall& c) {
  OLLA_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(c.v));
  std::reverse(items.begin(), items.end());
  if (!c.v.is_string()) return Value::List(std::move(items));
  MarkedString s;
  for (const Value& x : items) s.Append(x.str());
  return Value(std::move(s));
}

// select / reject / selectattr / rejectattr
Result<Value> Select(const FilterCall& c) {
  const std::vector<Value>& args = c.args;
  bool by_attr = c.name == "selectattr" || c.name == "rejectattr";
  bool keep_if = c.name == "select" || c.name == "selectattr";
  OLLA_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(c.v));
  size_t next = 0;
  std::string attr;
  if (by_attr) {
    if (args.empty() || !args[0].is_string())
      return Status::InvalidArgument(StrCat(c.name, " needs an attribute name"));
    attr = args[0].str().str();
    next = 1;
  }
  std::string test = next < args.size() && args[next].is_string() ? args[next].str().str() : "";
  std::vector<Value> test_args(
      args.begin() + static_cast<std::ptrdiff_t>(std::min(args.size(), next + 1)), args.end());
  std::vector<Value> out;
  for (const Value& item : items) {
    Value x = by_attr ? GetAttrPath(item, attr) : item;
    bool pass;
    if (test.empty()) {
      pass = Truthy(x);
    } else {
      OLLA_ASSIGN_OR_RETURN(pass, c.in.ApplyTest(test, x, test_args, Pos{}));
    }
    if (pass == keep_if) out.push_back(item);
  }
  return Value::List(std::move(out));
}

Result<Value> Map(const FilterCall& c) {
  OLLA_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(c.v));
  const Value* attribute = Kwarg(c.kwargs, "attribute");
  std::vector<Value> out;
  for (const Value& item : items) {
    if (attribute && attribute->is_string()) {
      Value x = GetAttrPath(item, attribute->str().str());
      const Value* dflt = Kwarg(c.kwargs, "default");
      out.push_back(x.is_undefined() && dflt ? *dflt : x);
    } else if (!c.args.empty() && c.args[0].is_string()) {
      std::vector<Value> rest(c.args.begin() + 1, c.args.end());
      OLLA_ASSIGN_OR_RETURN(Value x,
                            c.in.ApplyFilter(c.args[0].str().str(), item, rest, {}, Pos{}));
      out.push_back(std::move(x));
    } else {
      return Status::InvalidArgument("map needs a filter name or attribute=");
    }
  }
  return Value::List(std::move(out));
}

Result<Value> Sort(const FilterCall& c) {
  OLLA_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(c.v));
  const Value* attribute = Kwarg(c.kwargs, "attribute");
  bool cs = BoolArg(c.args, c.kwargs, 1, "case_sensitive");
  OLLA_ASSIGN_OR_RETURN(
      std::vector<Value> sorted,
      SortedItems(std::move(items), attribute, cs, BoolArg(c.args, c.kwargs, 0, "reverse")));
  return Value::List(std::move(sorted));
}

Result<Value> Unique(const FilterCall& c) {
  OLLA_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(c.v));
  const Value* attribute = Kwarg(c.kwargs, "attribute");
  bool cs = BoolArg(c.args, c.kwargs, 0, "case_sensitive");
  std::vector<Value> out, keys;
  for (const Value& item : items) {
    Value k = SortKey(item, attribute, cs);
    if (std::none_of(keys.begin(), keys.end(), [&](const Value& x) { return PyEquals(x, k); })) {
      keys.push_back(k);
      out.push_back(item);
    }
  }
  return Value::List(std::move(out));
}

// min / max
Result<Value> MinOrMax(const FilterCall& c) {
  OLLA_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(c.v));
  const Value* attribute = Kwarg(c.kwargs, "attribute");
  bool cs = BoolArg(c.args, c.kwargs, 0, "case_sensitive");
  OLLA_ASSIGN_OR_RETURN(std::vector<Value> sorted,
                        SortedItems(std::move(items), attribute, cs, /*reverse=*/false));
  if (sorted.empty()) return Value::Undefined();
  return c.name == "min" ? sorted.front() : sorted.back();
}

Result<Value> Sum(const FilterCall& c) {
  OLLA_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(c.v));
  const Value* attribute = Kwarg(c.kwargs, "attribute");
  const Value* start = Kwarg(c.kwargs, "start");
  int64_t si = start && start->is_int() ? start->int_value() : 0;
  double sd = start && start->is_float() ? start->float_value() : 0;
  bool is_float = start && start->is_float();
  for (const Value& item : items) {
    Value x =
        attribute && attribute->is_string() ? GetAttrPath(item, attribute->str().str()) : item;
    if (x.is_int())
      si += x.int_value();
    else if (x.is_float())
      sd += x.float_value(), is_float = true;
    else if (x.is_bool())
      si += x.bool_value();
    else
      return Status::InvalidArgument(
          StrCat("unsupported operand type for sum: '", PyTypeName(x), "'"));
  }
  return is_float ? Value(sd + static_cast<double>(si)) : Value(si);
}

Result<Value> Abs(const FilterCall& c) {
  const Value& v = c.v;
  if (v.is_int())
    return Value(v.int_value() == INT64_MIN || v.int_value() >= 0 ? v.int_value() : -v.int_value());
  if (v.is_float()) return Value(std::fabs(v.float_value()));
  return Status::InvalidArgument(StrCat("bad operand type for abs(): '", PyTypeName(v), "'"));
}

// int / float
Result<Value> ToNumber(const FilterCall& c) {
  const Value& v = c.v;
  const Value* dflt = Arg(c.args, c.kwargs, 0, "default");
  Value fallback = dflt ? *dflt : (c.name == "int" ? Value(int64_t{0}) : Value(0.0));
  double d = 0;
  if (v.is_int() || v.is_bool())
    d = v.is_int() ? static_cast<double>(v.int_value()) : v.bool_value();
  else if (v.is_float())
    d = v.float_value();
  else if (v.is_string()) {
    const std::string& s = v.str().str();
    char* end = nullptr;
    d = std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size()) return fallback;
  } else {
    return fallback;
  }
  if (c.name == "float") return Value(d);
  if (v.is_int()) return v;
  if (!std::isfinite(d) || std::fabs(d) > 9.2e18) return fallback;
  return Value(static_cast<int64_t>(d));
}

Result<Value> Round(const FilterCall& c) {
  if (!c.v.is_number()) return Status::InvalidArgument("round filter needs a number");
  const Value* precision = Arg(c.args, c.kwargs, 0, "precision");
  const Value* method = Arg(c.args, c.kwargs, 1, "method");
  int p = precision && precision->is_int()
              ? static_cast<int>(std::clamp<int64_t>(precision->int_value(), -20, 20))
              : 0;
  double scale = std::pow(10.0, p), x = c.v.number_value() * scale;
  std::string m = method && method->is_string() ? method->str().str() : "common";
  x = m == "ceil" ? std::ceil(x) : m == "floor" ? std::floor(x) : std::round(x);
  return Value(x / scale);
}

Result<Value> Attr(const FilterCall& c) {
  if (c.args.empty() || !c.args[0].is_string()) return Status::InvalidArgument("attr needs a name");
  const Value* f = c.v.Get(c.args[0].str().str());
  return f ? *f : Value::Undefined();
}

Result<Value> WordCount(const FilterCall& c) {
  bool dummy;
  OLLA_ASSIGN_OR_RETURN(Value words, CallMethod(Value(ToMarked(c.v)), "split", {}, {}, &dummy));
  return Value(static_cast<int64_t>(words.list().size()));
}

// Known to Jinja but not implemented: a clear error rather than "no filter named".
Result<Value> Unsupported(const FilterCall& c) {
  return Status::Unsupported(StrCat("filter '", c.name, "' is not supported"));
}

struct FilterEntry {
  std::string_view name;
  FilterFn fn;
};

// Sorted by name (checked below) for binary search.
constexpr FilterEntry kFilters[] = {
    {"abs", Abs},
    {"attr", Attr},
    {"batch", Unsupported},
    {"capitalize", CaseMethod},
    {"center", Unsupported},
    {"count", Length},
    {"d", Default},
    {"default", Default},
    {"dictsort", DictSort},
    {"e", Escape},
    {"escape", Escape},
    {"first", FirstOrLast},
    {"float", ToNumber},
    {"format", Unsupported},
    {"indent", Indent},
    {"int", ToNumber},
    {"items", Items},
    {"join", Join},
    {"last", FirstOrLast},
    {"length", Length},
    {"list", List},
    {"lower", CaseMethod},
    {"map", Map},
    {"max", MinOrMax},
    {"min", MinOrMax},
    {"reject", Select},
    {"rejectattr", Select},
    {"replace", Replace},
    {"reverse", Reverse},
    {"round", Round},
    {"safe", Safe},
    {"select", Select},
    {"selectattr", Select},
    {"slice", Unsupported},
    {"sort", Sort},
    {"string", String},
    {"sum", Sum},
    {"title", CaseMethod},
    {"tojson", ToJson},
    {"trim", Trim},
    {"truncate", Unsupported},
    {"unique", Unique},
    {"upper", CaseMethod},
    {"wordcount", WordCount},
};
static_assert(std::ranges::is_sorted(kFilters, {}, &FilterEntry::name));

}  // namespace

Result<Value> BuiltinFilter(Interpreter& in, std::string_view name, const Value& v,
                            const std::vector<Value>& args, const Kwargs& kwargs, bool* found) {
  const auto* it = std::ranges::lower_bound(kFilters, name, {}, &FilterEntry::name);
  *found = it != std::end(kFilters) && it->name == name;
  if (!*found) return Value::Undefined();
  return it->fn(FilterCall{in, name, v, args, kwargs});
}

}  // namespace olla::chat::jinja
