// Jinja builtin filters, tests and global functions (the subset chat templates use), plus the
// Hugging Face additions raise_exception and strftime_now. Filters that transform text keep input
// marking where the result is made of input pieces (trim, join) and otherwise mark the whole
// result as input if any input went in (MarkedString::Derive).

#include <algorithm>
#include <cmath>
#include <ctime>
#include <functional>

#include "base/str_cat.h"
#include "base/utf8.h"
#include "chat/jinja/jinja_runtime.h"

namespace olla::chat::jinja {
namespace {

const Value* Kwarg(const Kwargs& kwargs, std::string_view name) {
  for (const auto& [k, v] : kwargs) {
    if (k == name) return &v;
  }
  return nullptr;
}

const Value* Arg(const std::vector<Value>& args, const Kwargs& kwargs, size_t i,
                 std::string_view name) {
  if (i < args.size()) return &args[i];
  return Kwarg(kwargs, name);
}

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

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The key a sort/unique/min/max filter compares by.
Value SortKey(const Value& v, const Value* attribute, bool case_sensitive) {
  Value k = attribute && attribute->is_string() ? GetAttrPath(v, attribute->str().str()) : v;
  if (!case_sensitive && k.is_string()) return Value::Str(Lower(k.str().str()));
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

// select/reject/selectattr/rejectattr.
Result<Value> SelectFilter(Interpreter& in, std::string_view name, const Value& v,
                           const std::vector<Value>& args) {
  bool by_attr = name == "selectattr" || name == "rejectattr";
  bool keep_if = name == "select" || name == "selectattr";
  OLLA_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(v));
  size_t next = 0;
  std::string attr;
  if (by_attr) {
    if (args.empty() || !args[0].is_string())
      return Status::InvalidArgument(StrCat(name, " needs an attribute name"));
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
      OLLA_ASSIGN_OR_RETURN(pass, in.ApplyTest(test, x, test_args, Pos{}));
    }
    if (pass == keep_if) out.push_back(item);
  }
  return Value::List(std::move(out));
}

Result<Value> ToJson(const Value& v, const Kwargs& kwargs, const std::vector<Value>& args) {
  const Value* indent = Arg(args, kwargs, 0, "indent");
  const Value* sort_keys = Kwarg(kwargs, "sort_keys");
  Value src = v;
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
    src = sorted(v);
  }
  std::string out;
  AppendPyJson(out, src,
               indent && indent->is_int()
                   ? static_cast<int>(std::clamp<int64_t>(indent->int_value(), 0, 64))
                   : -1);
  return Value(MarkedString(std::move(out), HasInput(v)));
}

std::string Indent(const std::string& s, int width, bool first, bool blank) {
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

}  // namespace

bool IsGlobalFunction(std::string_view name) {
  return name == "range" || name == "namespace" || name == "dict" || name == "raise_exception" ||
         name == "strftime_now";
}

Result<Value> CallGlobal(Interpreter& in, std::string_view name, const std::vector<Value>& args,
                         const Kwargs& kwargs) {
  if (name == "raise_exception") {
    return Status::InvalidArgument(args.empty() ? std::string("raise_exception called")
                                                : ToMarked(args[0]).str());
  }
  if (name == "range") {
    int64_t a[3] = {0, 0, 1};
    if (args.empty() || args.size() > 3)
      return Status::InvalidArgument("range expected 1 to 3 arguments");
    for (const Value& x : args) {
      if (!x.is_int()) return Status::InvalidArgument("range() integer argument expected");
    }
    if (args.size() == 1)
      a[1] = args[0].int_value();
    else
      a[0] = args[0].int_value(), a[1] = args[1].int_value();
    if (args.size() == 3) a[2] = args[2].int_value();
    if (a[2] == 0) return Status::InvalidArgument("range() arg 3 must not be zero");
    std::vector<Value> out;
    for (int64_t i = a[0]; a[2] > 0 ? i < a[1] : i > a[1]; i += a[2]) {
      if (out.size() >= 100'000) return Status::InvalidArgument("range too large");
      out.push_back(Value(i));
    }
    return Value::List(std::move(out));
  }
  if (name == "namespace" || name == "dict") {
    auto m = std::make_shared<MapData>();
    m->is_namespace = name == "namespace";
    for (const Value& a : args) {  // namespace({...}) / dict({...}) copy a mapping
      if (a.is_map()) {
        for (const auto& [k, v] : a.map().entries) m->Set(k, v);
      }
    }
    for (const auto& [k, v] : kwargs) m->Set(k, v);
    return Value::Map(std::move(m));
  }
  if (name == "strftime_now") {
    if (args.empty() || !args[0].is_string())
      return Status::InvalidArgument("strftime_now expects a format string");
    std::time_t t = in.limits().now_unix >= 0 ? static_cast<std::time_t>(in.limits().now_unix)
                                              : std::time(nullptr);
    std::tm tm{};
    localtime_r(&t, &tm);
    char buf[256];
    std::string fmt = args[0].str().str().substr(0, 64);
    size_t n = std::strftime(buf, sizeof(buf), fmt.c_str(), &tm);
    return Value::Str(std::string(buf, n));
  }
  return Status::InvalidArgument(StrCat("'", name, "' is undefined"));
}

Result<bool> BuiltinTest(Interpreter& in, std::string_view name, const Value& v,
                         const std::vector<Value>& args, bool* found) {
  (void)in;
  *found = true;
  const Value* a = args.empty() ? nullptr : &args[0];
  if (name == "defined") return !v.is_undefined();
  if (name == "undefined") return v.is_undefined();
  if (name == "none") return v.is_none();
  if (name == "boolean") return v.is_bool();
  if (name == "true") return v.is_bool() && v.bool_value();
  if (name == "false") return v.is_bool() && !v.bool_value();
  if (name == "integer") return v.is_int();
  if (name == "float") return v.is_float();
  if (name == "number") return v.is_number() || v.is_bool();
  if (name == "string") return v.is_string();
  if (name == "mapping") return v.is_map();
  if (name == "iterable") return v.is_list() || v.is_map() || v.is_string() || v.is_undefined();
  if (name == "sequence") return v.is_list() || v.is_map() || v.is_string();
  if (name == "callable") return v.is_callable();
  if (name == "lower") return v.is_string() && v.str().str() == Lower(v.str().str());
  if (name == "upper") {
    if (!v.is_string()) return false;
    std::string u = v.str().str();
    for (char& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return v.str().str() == u;
  }
  if (name == "odd" || name == "even" || name == "divisibleby") {
    if (!v.is_int())
      return Status::InvalidArgument(StrCat("test '", name, "' requires an integer"));
    if (name == "odd") return v.int_value() % 2 != 0;
    if (name == "even") return v.int_value() % 2 == 0;
    if (!a || !a->is_int() || a->int_value() == 0)
      return Status::InvalidArgument("divisibleby needs a non-zero integer");
    return v.int_value() % a->int_value() == 0;
  }
  if (name == "sameas")
    return a && (v.SameObject(*a) ||
                 (!v.is_list() && !v.is_map() && v.kind() == a->kind() && PyEquals(v, *a)));
  if (name == "escaped" || name == "filter" || name == "test") return false;
  if (!a) {
    if (name == "eq" || name == "equalto" || name == "==" || name == "ne" || name == "!=" ||
        name == "in" || name == "lt" || name == "le" || name == "gt" || name == "ge") {
      return Status::InvalidArgument(StrCat("test '", name, "' needs an argument"));
    }
    *found = false;
    return false;
  }
  if (name == "eq" || name == "equalto" || name == "==") return PyEquals(v, *a);
  if (name == "ne" || name == "!=") return !PyEquals(v, *a);
  if (name == "in") {
    if (a->is_string())
      return v.is_string() && a->str().str().find(v.str().str()) != std::string::npos;
    if (a->is_map()) return v.is_string() && a->map().Find(v.str().str()) != nullptr;
    if (a->is_list())
      return std::any_of(a->list().begin(), a->list().end(),
                         [&](const Value& x) { return PyEquals(v, x); });
    return false;
  }
  if (name == "lt" || name == "<" || name == "lessthan" || name == "le" || name == "<=" ||
      name == "gt" || name == ">" || name == "greaterthan" || name == "ge" || name == ">=") {
    OLLA_ASSIGN_OR_RETURN(int c, PyCompare(v, *a));
    if (name == "lt" || name == "<" || name == "lessthan") return c < 0;
    if (name == "le" || name == "<=") return c <= 0;
    if (name == "gt" || name == ">" || name == "greaterthan") return c > 0;
    return c >= 0;
  }
  *found = false;
  return false;
}

Result<Value> BuiltinFilter(Interpreter& in, std::string_view name, const Value& v,
                            const std::vector<Value>& args, const Kwargs& kwargs, bool* found) {
  *found = true;
  if (name == "default" || name == "d") {
    const Value* dflt = Arg(args, kwargs, 0, "default_value");
    bool boolean = BoolArg(args, kwargs, 1, "boolean");
    if (v.is_undefined() || (boolean && !Truthy(v))) return dflt ? *dflt : Value::Str("");
    return v;
  }
  if (name == "safe") return v;
  if (name == "length" || name == "count") {
    if (!v.is_string() && !v.is_list() && !v.is_map() && !v.is_undefined()) {
      return Status::InvalidArgument(StrCat("object of type '", PyTypeName(v), "' has no len()"));
    }
    return Value(PyLen(v));
  }
  if (name == "string") return Value(ToMarked(v));
  if (name == "tojson") return ToJson(v, kwargs, args);
  if (name == "list") {
    OLLA_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(v));
    return Value::List(std::move(items));
  }
  if (name == "items") {
    if (v.is_undefined()) return Value::List({});
    if (!v.is_map())
      return Status::InvalidArgument(
          StrCat("items filter requires a mapping, got ", PyTypeName(v)));
    bool dummy;
    return CallMethod(v, "items", {}, {}, &dummy);
  }
  if (name == "dictsort") {
    if (!v.is_map()) return Status::InvalidArgument("dictsort requires a mapping");
    bool dummy;
    OLLA_ASSIGN_OR_RETURN(Value items, CallMethod(v, "items", {}, {}, &dummy));
    const bool by_value = Arg(args, kwargs, 1, "by") && Arg(args, kwargs, 1, "by")->is_string() &&
                          Arg(args, kwargs, 1, "by")->str().str() == "value";
    Value attr = Value::Str(by_value ? "1" : "0");
    OLLA_ASSIGN_OR_RETURN(
        std::vector<Value> sorted,
        SortedItems(items.list(), &attr, BoolArg(args, kwargs, 0, "case_sensitive"),
                    BoolArg(args, kwargs, 2, "reverse")));
    return Value::List(std::move(sorted));
  }
  if (name == "trim") {
    bool dummy;
    return CallMethod(v.is_string() ? v : Value(ToMarked(v)), "strip", args, {}, &dummy);
  }
  if (name == "upper" || name == "lower" || name == "title" || name == "capitalize") {
    bool dummy;
    return CallMethod(v.is_string() ? v : Value(ToMarked(v)), name, {}, {}, &dummy);
  }
  if (name == "replace") {
    bool dummy;
    return CallMethod(v.is_string() ? v : Value(ToMarked(v)), "replace", args, kwargs, &dummy);
  }
  if (name == "escape" || name == "e") {
    MarkedString s = ToMarked(v);
    return Value(s.Derive(HtmlEscape(s.str())));
  }
  if (name == "indent") {
    const Value* width = Arg(args, kwargs, 0, "width");
    MarkedString s = ToMarked(v);
    int w = width && width->is_int()
                ? static_cast<int>(std::clamp<int64_t>(width->int_value(), 0, 256))
                : 4;
    return Value(s.Derive(
        Indent(s.str(), w, BoolArg(args, kwargs, 1, "first"), BoolArg(args, kwargs, 2, "blank"))));
  }
  if (name == "join") {
    OLLA_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(v));
    const Value* sep = Arg(args, kwargs, 0, "d");
    const Value* attribute = Arg(args, kwargs, 1, "attribute");
    MarkedString out;
    for (size_t i = 0; i < items.size(); ++i) {
      if (i > 0 && sep) out.Append(ToMarked(*sep));
      out.Append(ToMarked(attribute && attribute->is_string()
                              ? GetAttrPath(items[i], attribute->str().str())
                              : items[i]));
    }
    return Value(std::move(out));
  }
  if (name == "first" || name == "last") {
    OLLA_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(v));
    if (items.empty()) return Value::Undefined();
    return name == "first" ? items.front() : items.back();
  }
  if (name == "reverse") {
    OLLA_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(v));
    std::reverse(items.begin(), items.end());
    if (!v.is_string()) return Value::List(std::move(items));
    MarkedString s;
    for (const Value& c : items) s.Append(c.str());
    return Value(std::move(s));
  }
  if (name == "select" || name == "reject" || name == "selectattr" || name == "rejectattr") {
    return SelectFilter(in, name, v, args);
  }
  if (name == "map") {
    OLLA_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(v));
    const Value* attribute = Kwarg(kwargs, "attribute");
    std::vector<Value> out;
    for (const Value& item : items) {
      if (attribute && attribute->is_string()) {
        Value x = GetAttrPath(item, attribute->str().str());
        const Value* dflt = Kwarg(kwargs, "default");
        out.push_back(x.is_undefined() && dflt ? *dflt : x);
      } else if (!args.empty() && args[0].is_string()) {
        std::vector<Value> rest(args.begin() + 1, args.end());
        OLLA_ASSIGN_OR_RETURN(Value x, in.ApplyFilter(args[0].str().str(), item, rest, {}, Pos{}));
        out.push_back(std::move(x));
      } else {
        return Status::InvalidArgument("map needs a filter name or attribute=");
      }
    }
    return Value::List(std::move(out));
  }
  if (name == "sort" || name == "unique" || name == "min" || name == "max") {
    OLLA_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(v));
    const Value* attribute = Kwarg(kwargs, "attribute");
    bool cs = name == "sort" ? BoolArg(args, kwargs, 1, "case_sensitive")
                             : BoolArg(args, kwargs, 0, "case_sensitive");
    if (name == "unique") {
      std::vector<Value> out, keys;
      for (const Value& item : items) {
        Value k = SortKey(item, attribute, cs);
        if (std::none_of(keys.begin(), keys.end(),
                         [&](const Value& x) { return PyEquals(x, k); })) {
          keys.push_back(k);
          out.push_back(item);
        }
      }
      return Value::List(std::move(out));
    }
    OLLA_ASSIGN_OR_RETURN(std::vector<Value> sorted,
                          SortedItems(std::move(items), attribute, cs,
                                      name == "sort" && BoolArg(args, kwargs, 0, "reverse")));
    if (name == "sort") return Value::List(std::move(sorted));
    if (sorted.empty()) return Value::Undefined();
    return name == "min" ? sorted.front() : sorted.back();
  }
  if (name == "sum") {
    OLLA_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(v));
    const Value* attribute = Kwarg(kwargs, "attribute");
    const Value* start = Kwarg(kwargs, "start");
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
  if (name == "abs") {
    if (v.is_int())
      return Value(v.int_value() == INT64_MIN || v.int_value() >= 0 ? v.int_value()
                                                                    : -v.int_value());
    if (v.is_float()) return Value(std::fabs(v.float_value()));
    return Status::InvalidArgument(StrCat("bad operand type for abs(): '", PyTypeName(v), "'"));
  }
  if (name == "int" || name == "float") {
    const Value* dflt = Arg(args, kwargs, 0, "default");
    Value fallback = dflt ? *dflt : (name == "int" ? Value(int64_t{0}) : Value(0.0));
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
    if (name == "float") return Value(d);
    if (v.is_int()) return v;
    if (!std::isfinite(d) || std::fabs(d) > 9.2e18) return fallback;
    return Value(static_cast<int64_t>(d));
  }
  if (name == "round") {
    if (!v.is_number()) return Status::InvalidArgument("round filter needs a number");
    const Value* precision = Arg(args, kwargs, 0, "precision");
    const Value* method = Arg(args, kwargs, 1, "method");
    int p = precision && precision->is_int()
                ? static_cast<int>(std::clamp<int64_t>(precision->int_value(), -20, 20))
                : 0;
    double scale = std::pow(10.0, p), x = v.number_value() * scale;
    std::string m = method && method->is_string() ? method->str().str() : "common";
    x = m == "ceil" ? std::ceil(x) : m == "floor" ? std::floor(x) : std::round(x);
    return Value(x / scale);
  }
  if (name == "attr") {
    if (args.empty() || !args[0].is_string()) return Status::InvalidArgument("attr needs a name");
    const Value* f = v.Get(args[0].str().str());
    return f ? *f : Value::Undefined();
  }
  if (name == "wordcount") {
    bool dummy;
    OLLA_ASSIGN_OR_RETURN(Value words, CallMethod(Value(ToMarked(v)), "split", {}, {}, &dummy));
    return Value(static_cast<int64_t>(words.list().size()));
  }
  if (name == "center" || name == "batch" || name == "slice" || name == "truncate" ||
      name == "format") {
    return Status::Unsupported(StrCat("filter '", name, "' is not supported"));
  }
  *found = false;
  return Value::Undefined();
}

}  // namespace olla::chat::jinja
