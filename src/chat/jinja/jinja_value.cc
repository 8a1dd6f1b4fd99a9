// Python value semantics for the Jinja interpreter, and the methods of str, dict and list that
// chat templates call (content.strip(), tool.items(), ...). String results keep input marking
// wherever they are made of pieces of the input (strip, split, replace, join).

#include <algorithm>
#include <cctype>

#include "base/str_cat.h"
#include "base/utf8.h"
#include "chat/jinja/jinja_runtime.h"

namespace olla::chat::jinja {

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

namespace {

constexpr std::string_view kPyWhitespace = " \t\n\r\f\v";

Status NeedString(const Value* v, std::string_view what) {
  if (!v || !v->is_string())
    return Status::InvalidArgument(StrCat(what, " requires a string argument"));
  return Status::Ok();
}

MarkedString Strip(const MarkedString& s, const Value* chars, bool left, bool right) {
  std::string_view set =
      chars && chars->is_string() ? std::string_view(chars->str().str()) : kPyWhitespace;
  const std::string& t = s.str();
  size_t b = 0, e = t.size();
  if (left) {
    while (b < e && set.find(t[b]) != std::string_view::npos) ++b;
  }
  if (right) {
    while (e > b && set.find(t[e - 1]) != std::string_view::npos) --e;
  }
  return s.Substr(b, e - b);
}

Value Split(const MarkedString& s, const Value* sep, int64_t maxsplit) {
  std::vector<Value> parts;
  const std::string& t = s.str();
  if (!sep || sep->is_none()) {
    size_t i = 0;
    while (i < t.size()) {
      while (i < t.size() && kPyWhitespace.find(t[i]) != std::string_view::npos) ++i;
      if (i >= t.size()) break;
      if (maxsplit >= 0 && static_cast<int64_t>(parts.size()) == maxsplit) {
        size_t e = t.size();
        while (e > i && kPyWhitespace.find(t[e - 1]) != std::string_view::npos) --e;
        parts.push_back(Value(s.Substr(i, e - i)));
        break;
      }
      size_t j = i;
      while (j < t.size() && kPyWhitespace.find(t[j]) == std::string_view::npos) ++j;
      parts.push_back(Value(s.Substr(i, j - i)));
      i = j;
    }
    return Value::List(std::move(parts));
  }
  const std::string& d = sep->str().str();
  size_t i = 0;
  while (true) {
    size_t j = (maxsplit >= 0 && static_cast<int64_t>(parts.size()) >= maxsplit) ? std::string::npos
                                                                                 : t.find(d, i);
    if (j == std::string::npos) {
      parts.push_back(Value(s.Substr(i)));
      break;
    }
    parts.push_back(Value(s.Substr(i, j - i)));
    i = j + d.size();
  }
  return Value::List(std::move(parts));
}

std::string CaseMap(const std::string& s, int mode) {  // 0 lower, 1 upper, 2 title, 3 capitalize
  std::string out = s;
  bool word_start = true;
  for (size_t i = 0; i < out.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(out[i]);
    bool alpha = std::isalpha(c) != 0;
    if (mode == 0) out[i] = static_cast<char>(std::tolower(c));
    if (mode == 1) out[i] = static_cast<char>(std::toupper(c));
    if (mode == 2) out[i] = static_cast<char>(word_start ? std::toupper(c) : std::tolower(c));
    if (mode == 3) out[i] = static_cast<char>(i == 0 ? std::toupper(c) : std::tolower(c));
    word_start = !alpha && !(c & 0x80);
  }
  return out;
}

Value Replace(const MarkedString& s, const MarkedString& old, const MarkedString& repl,
              int64_t count) {
  const std::string& t = s.str();
  MarkedString out;
  size_t i = 0;
  int64_t done = 0;
  if (old.empty()) {
    // Python inserts `repl` between characters (and at both ends).
    size_t pos = 0;
    while (pos <= t.size() && (count < 0 || done < count)) {
      out.Append(repl);
      ++done;
      if (pos == t.size()) {
        pos = t.size() + 1;
        break;
      }
      size_t next = pos;
      utf8::DecodeNext(t, &next);
      out.Append(s.Substr(pos, next - pos));
      pos = next;
    }
    if (pos <= t.size()) out.Append(s.Substr(pos));
    return Value(std::move(out));
  }
  while (count < 0 || done < count) {
    size_t j = t.find(old.str(), i);
    if (j == std::string::npos) break;
    out.Append(s.Substr(i, j - i));
    out.Append(repl);
    i = j + old.size();
    ++done;
  }
  out.Append(s.Substr(i));
  return Value(std::move(out));
}

bool MatchesAffix(const std::string& s, const Value& affix, bool prefix) {
  auto one = [&](const Value& a) {
    if (!a.is_string()) return false;
    const std::string& x = a.str().str();
    if (x.size() > s.size()) return false;
    return prefix ? s.compare(0, x.size(), x) == 0
                  : s.compare(s.size() - x.size(), x.size(), x) == 0;
  };
  if (affix.is_list()) return std::any_of(affix.list().begin(), affix.list().end(), one);
  return one(affix);
}

}  // namespace

bool Truthy(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kBool:
      return v.bool_value();
    case Value::Kind::kInt:
      return v.int_value() != 0;
    case Value::Kind::kFloat:
      return v.float_value() != 0;
    case Value::Kind::kString:
      return !v.str().empty();
    case Value::Kind::kList:
      return !v.list().empty();
    case Value::Kind::kMap:
      return !v.map().entries.empty() || v.map().is_namespace;
    case Value::Kind::kCallable:
      return true;
    default:
      return false;
  }
}

bool PyEquals(const Value& a, const Value& b) {
  auto numeric = [](const Value& v) { return v.is_number() || v.is_bool(); };
  if (numeric(a) && numeric(b)) {
    auto num = [](const Value& v) {
      return v.is_bool() ? static_cast<double>(v.bool_value()) : v.number_value();
    };
    if ((a.is_int() || a.is_bool()) && (b.is_int() || b.is_bool())) {
      int64_t x = a.is_bool() ? a.bool_value() : a.int_value(),
              y = b.is_bool() ? b.bool_value() : b.int_value();
      return x == y;
    }
    return num(a) == num(b);
  }
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Value::Kind::kUndefined:
    case Value::Kind::kNone:
      return true;
    case Value::Kind::kString:
      return a.str().str() == b.str().str();
    case Value::Kind::kList: {
      if (a.list().size() != b.list().size()) return false;
      for (size_t i = 0; i < a.list().size(); ++i) {
        if (!PyEquals(a.list()[i], b.list()[i])) return false;
      }
      return true;
    }
    case Value::Kind::kMap: {
      if (a.map().entries.size() != b.map().entries.size()) return false;
      for (const auto& [k, v] : a.map().entries) {
        const Value* o = b.map().Find(k);
        if (!o || !PyEquals(v, *o)) return false;
      }
      return true;
    }
    case Value::Kind::kCallable:
      return a.callable() == b.callable();
    default:
      return false;
  }
}

Result<int> PyCompare(const Value& a, const Value& b) {
  auto numeric = [](const Value& v) { return v.is_number() || v.is_bool(); };
  if (numeric(a) && numeric(b)) {
    double x = a.is_bool() ? a.bool_value() : a.number_value(),
           y = b.is_bool() ? b.bool_value() : b.number_value();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (a.is_string() && b.is_string()) {
    int c = a.str().str().compare(b.str().str());
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  }
  if (a.is_list() && b.is_list()) {
    for (size_t i = 0; i < std::min(a.list().size(), b.list().size()); ++i) {
      if (PyEquals(a.list()[i], b.list()[i])) continue;
      return PyCompare(a.list()[i], b.list()[i]);
    }
    return a.list().size() < b.list().size() ? -1 : a.list().size() > b.list().size() ? 1 : 0;
  }
  return Status::InvalidArgument(StrCat("'<' not supported between instances of '", PyTypeName(a),
                                        "' and '", PyTypeName(b), "'"));
}

bool HasInput(const Value& v) {
  if (v.is_string()) return v.str().has_input();
  if (v.is_list()) return std::any_of(v.list().begin(), v.list().end(), HasInput);
  if (v.is_map()) {
    return std::any_of(v.map().entries.begin(), v.map().entries.end(),
                       [](const auto& e) { return HasInput(e.second); });
  }
  return false;
}

MarkedString ToMarked(const Value& v) {
  if (v.is_string()) return v.str();
  return MarkedString(PyStr(v), HasInput(v));
}

std::string PyTypeName(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kUndefined:
      return "Undefined";
    case Value::Kind::kNone:
      return "NoneType";
    case Value::Kind::kBool:
      return "bool";
    case Value::Kind::kInt:
      return "int";
    case Value::Kind::kFloat:
      return "float";
    case Value::Kind::kString:
      return "str";
    case Value::Kind::kList:
      return "list";
    case Value::Kind::kMap:
      return v.map().is_namespace ? "Namespace" : "dict";
    case Value::Kind::kCallable:
      return "function";
  }
  return "object";
}

Result<std::vector<Value>> Iterate(const Value& v) {
  std::vector<Value> out;
  if (v.is_list()) return v.list();
  if (v.is_undefined()) return out;
  if (v.is_map()) {
    bool input = HasInput(v);
    for (const auto* e : v.map().Iteration()) out.push_back(Value::Str(e->first, input));
    return out;
  }
  if (v.is_string()) {
    const std::string& s = v.str().str();
    for (size_t pos = 0; pos < s.size();) {
      size_t start = pos;
      utf8::DecodeNext(s, &pos);
      out.push_back(Value(v.str().Substr(start, pos - start)));
    }
    return out;
  }
  return Status::InvalidArgument(StrCat("'", PyTypeName(v), "' object is not iterable"));
}

Result<Value> CallMethod(const Value& obj, std::string_view name, const std::vector<Value>& args,
                         const Kwargs& kwargs, bool* found) {
  *found = true;
  if (obj.is_string()) {
    const MarkedString& s = obj.str();
    if (name == "strip" || name == "lstrip" || name == "rstrip") {
      return Value(Strip(s, Arg(args, kwargs, 0, "chars"), name != "rstrip", name != "lstrip"));
    }
    if (name == "split" || name == "rsplit") {
      const Value* sep = Arg(args, kwargs, 0, "sep");
      const Value* maxsplit = Arg(args, kwargs, 1, "maxsplit");
      if (sep && !sep->is_none()) OLLA_RETURN_IF_ERROR(NeedString(sep, "split"));
      if (sep && sep->is_string() && sep->str().empty())
        return Status::InvalidArgument("empty separator");
      return Split(s, sep, maxsplit && maxsplit->is_int() ? maxsplit->int_value() : -1);
    }
    if (name == "splitlines") {
      std::vector<Value> lines;
      const std::string& t = s.str();
      size_t i = 0;
      while (i < t.size()) {
        size_t j = t.find('\n', i);
        if (j == std::string::npos) j = t.size();
        size_t e = (j > i && t[j - 1] == '\r') ? j - 1 : j;
        lines.push_back(Value(s.Substr(i, e - i)));
        i = j + 1;
      }
      return Value::List(std::move(lines));
    }
    if (name == "upper") return Value(s.Derive(CaseMap(s.str(), 1)));
    if (name == "lower") return Value(s.Derive(CaseMap(s.str(), 0)));
    if (name == "title") return Value(s.Derive(CaseMap(s.str(), 2)));
    if (name == "capitalize") return Value(s.Derive(CaseMap(s.str(), 3)));
    if (name == "startswith" || name == "endswith") {
      const Value* affix = Arg(args, kwargs, 0, "prefix");
      if (!affix) return Status::InvalidArgument(StrCat(name, "() takes at least 1 argument"));
      return Value(MatchesAffix(s.str(), *affix, name == "startswith"));
    }
    if (name == "replace") {
      const Value* old = Arg(args, kwargs, 0, "old");
      const Value* repl = Arg(args, kwargs, 1, "new");
      const Value* count = Arg(args, kwargs, 2, "count");
      OLLA_RETURN_IF_ERROR(NeedString(old, "replace"));
      OLLA_RETURN_IF_ERROR(NeedString(repl, "replace"));
      return Replace(s, old->str(), repl->str(),
                     count && count->is_int() ? count->int_value() : -1);
    }
    if (name == "find" || name == "rfind" || name == "count" || name == "index") {
      const Value* sub = Arg(args, kwargs, 0, "sub");
      OLLA_RETURN_IF_ERROR(NeedString(sub, name));
      const std::string& t = s.str();
      const std::string& x = sub->str().str();
      if (name == "count") {
        int64_t n = 0;
        if (x.empty()) return Value(static_cast<int64_t>(t.size() + 1));
        for (size_t p = t.find(x); p != std::string::npos; p = t.find(x, p + x.size())) ++n;
        return Value(n);
      }
      size_t p = name == "rfind" ? t.rfind(x) : t.find(x);
      if (p == std::string::npos && name == "index")
        return Status::InvalidArgument("substring not found");
      return Value(p == std::string::npos ? int64_t{-1} : static_cast<int64_t>(p));
    }
    if (name == "join") {
      const Value* items = Arg(args, kwargs, 0, "iterable");
      if (!items) return Status::InvalidArgument("join() takes exactly one argument");
      OLLA_ASSIGN_OR_RETURN(std::vector<Value> parts, Iterate(*items));
      MarkedString out;
      for (size_t i = 0; i < parts.size(); ++i) {
        if (!parts[i].is_string())
          return Status::InvalidArgument("sequence item: expected str instance");
        if (i > 0) out.Append(s);
        out.Append(parts[i].str());
      }
      return Value(std::move(out));
    }
    if (name == "removeprefix" || name == "removesuffix") {
      const Value* affix = Arg(args, kwargs, 0, "affix");
      OLLA_RETURN_IF_ERROR(NeedString(affix, name));
      size_t n = affix->str().size();
      if (!MatchesAffix(s.str(), *affix, name == "removeprefix")) return obj;
      return Value(name == "removeprefix" ? s.Substr(n) : s.Substr(0, s.size() - n));
    }
    auto all_of = [&](int (*pred)(int)) {
      const std::string& t = s.str();
      return Value(!t.empty() && std::all_of(t.begin(), t.end(), [pred](char c) {
        return pred(static_cast<unsigned char>(c)) != 0;
      }));
    };
    if (name == "isdigit" || name == "isnumeric" || name == "isdecimal") return all_of(::isdigit);
    if (name == "isalpha") return all_of(::isalpha);
    if (name == "isalnum") return all_of(::isalnum);
    if (name == "isspace") return all_of(::isspace);
    if (name == "islower")
      return Value(s.str() == CaseMap(s.str(), 0) && s.str() != CaseMap(s.str(), 1));
    if (name == "isupper")
      return Value(s.str() == CaseMap(s.str(), 1) && s.str() != CaseMap(s.str(), 0));
  } else if (obj.is_map()) {
    const MapData& m = obj.map();
    bool input = HasInput(obj);
    if (name == "items" || name == "keys" || name == "values") {
      std::vector<Value> out;
      for (const auto* e : m.Iteration()) {
        Value k = Value::Str(e->first, input);
        if (name == "items")
          out.push_back(Value::List({k, e->second}));
        else
          out.push_back(name == "keys" ? k : e->second);
      }
      return Value::List(std::move(out));
    }
    if (name == "get") {
      const Value* key = Arg(args, kwargs, 0, "key");
      const Value* dflt = Arg(args, kwargs, 1, "default");
      if (!key) return Status::InvalidArgument("get expected at least 1 argument");
      const Value* v = key->is_string() ? m.Find(key->str().str()) : m.Find(PyStr(*key));
      return v ? *v : (dflt ? *dflt : Value());
    }
  } else if (obj.is_list()) {
    if (name == "index" || name == "count") {
      if (args.empty())
        return Status::InvalidArgument(StrCat(name, "() takes exactly one argument"));
      int64_t n = 0;
      for (size_t i = 0; i < obj.list().size(); ++i) {
        if (!PyEquals(obj.list()[i], args[0])) continue;
        if (name == "index") return Value(static_cast<int64_t>(i));
        ++n;
      }
      if (name == "index") return Status::InvalidArgument("value is not in list");
      return Value(n);
    }
    if (name == "append" || name == "extend" || name == "pop" || name == "insert" ||
        name == "remove") {
      return Status::InvalidArgument(
          StrCat("access to attribute '", name, "' of 'list' object is unsafe"));
    }
  }
  *found = false;
  return Value::Undefined();
}

}  // namespace olla::chat::jinja
