// Builtin functions of Go templates: text/template's funcs.go plus Ollama's json, currentDate,
// yesterdayDate and toTypeScriptType.

#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "base/str_cat.h"
#include "base/utf8.h"
#include "chat/go/go_exec.h"

namespace olla::chat::gotmpl {
namespace {

Status ArgCount(std::string_view name, const std::vector<Value>& args, size_t want) {
  if (args.size() == want) return Status::Ok();
  return Status::InvalidArgument(
      StrCat("wrong number of args for ", name, ": want ", want, " got ", args.size()));
}

// The string argument text/template's escapers use: the single string arg, else Sprint(args).
MarkedString EscaperInput(const std::vector<Value>& args) {
  if (args.size() == 1 && args[0].is_string()) return args[0].str();
  return GoSprint(args, false);
}

std::string HtmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '"':
        out += "&#34;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '\0':
        out += "\xEF\xBF\xBD";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string JsEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\'':
        out += "\\'";
        break;
      case '"':
        out += "\\\"";
        break;
      case '<':
        out += "\\u003C";
        break;
      case '>':
        out += "\\u003E";
        break;
      case '&':
        out += "\\u0026";
        break;
      case '=':
        out += "\\u003D";
        break;
      default:
        if (u < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04X", u);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string UrlQueryEscape(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      char buf[4];
      std::snprintf(buf, sizeof(buf), "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

enum class Cmp { kLess, kEqual, kGreater };

Result<Cmp> Compare(const Value& a, const Value& b, bool ordered_only) {
  if (a.is_number() && b.is_number()) {
    if (a.is_int() != b.is_int())
      return Status::InvalidArgument("incompatible types for comparison");
    double x = a.number_value(), y = b.number_value();
    if (a.is_int())
      return a.int_value() < b.int_value()    ? Cmp::kLess
             : a.int_value() == b.int_value() ? Cmp::kEqual
                                              : Cmp::kGreater;
    return x < y ? Cmp::kLess : x == y ? Cmp::kEqual : Cmp::kGreater;
  }
  if (a.is_string() && b.is_string()) {
    int c = a.str().str().compare(b.str().str());
    return c < 0 ? Cmp::kLess : c == 0 ? Cmp::kEqual : Cmp::kGreater;
  }
  if (a.is_bool() && b.is_bool() && !ordered_only)
    return a.bool_value() == b.bool_value() ? Cmp::kEqual : Cmp::kLess;
  if (a.kind() != b.kind() && !(a.is_none() || a.is_undefined()) &&
      !(b.is_none() || b.is_undefined())) {
    return Status::InvalidArgument("incompatible types for comparison");
  }
  if (ordered_only) return Status::InvalidArgument("invalid type for comparison");
  bool an = a.is_none() || a.is_undefined(), bn = b.is_none() || b.is_undefined();
  if (an || bn) return an == bn ? Cmp::kEqual : Cmp::kLess;
  return Status::InvalidArgument(StrCat("non-comparable type ", GoTypeName(a)));
}

Result<int64_t> IndexArg(const Value& v) {
  if (!v.is_int())
    return Status::InvalidArgument(StrCat("cannot index slice/array with type ", GoTypeName(v)));
  return v.int_value();
}

Result<Value> Index(const std::vector<Value>& args) {
  if (args.empty())
    return Status::InvalidArgument("wrong number of args for index: want at least 1 got 0");
  Value item = args[0];
  for (size_t i = 1; i < args.size(); ++i) {
    const Value& ix = args[i];
    if (item.is_list() || item.is_string()) {
      OLLA_ASSIGN_OR_RETURN(int64_t n, IndexArg(ix));
      size_t len = item.is_list() ? item.list().size() : item.str().size();
      if (n < 0 || static_cast<size_t>(n) >= len)
        return Status::InvalidArgument(StrCat("index out of range: ", n));
      item = item.is_list() ? item.list()[static_cast<size_t>(n)]
                            : Value(static_cast<int64_t>(static_cast<unsigned char>(
                                  item.str().str()[static_cast<size_t>(n)])));
    } else if (item.is_map() && !item.map().go.is_struct) {
      if (!ix.is_string())
        return Status::InvalidArgument(
            StrCat("value has type ", GoTypeName(ix), "; should be string"));
      const Value* f = item.map().Find(ix.str().str());
      item = f ? *f : Value();
    } else if (item.is_none() || item.is_undefined()) {
      return Status::InvalidArgument("index of untyped nil");
    } else {
      return Status::InvalidArgument(StrCat("can't index item of type ", GoTypeName(item)));
    }
  }
  return item;
}

Result<Value> Slice(const std::vector<Value>& args) {
  if (args.empty())
    return Status::InvalidArgument("wrong number of args for slice: want at least 1 got 0");
  const Value& item = args[0];
  if (item.is_none() || item.is_undefined()) return Status::InvalidArgument("slice of untyped nil");
  if (!item.is_list() && !item.is_string())
    return Status::InvalidArgument(StrCat("can't slice item of type ", GoTypeName(item)));
  if (args.size() > 4)
    return Status::InvalidArgument(StrCat("too many slice indexes: ", args.size() - 1));
  if (item.is_string() && args.size() == 4)
    return Status::InvalidArgument("cannot 3-index slice a string");
  int64_t len = static_cast<int64_t>(item.is_list() ? item.list().size() : item.str().size());
  int64_t idx[3] = {0, len, len};
  for (size_t i = 1; i < args.size(); ++i) {
    OLLA_ASSIGN_OR_RETURN(idx[i - 1], IndexArg(args[i]));
    if (idx[i - 1] < 0 || idx[i - 1] > len)
      return Status::InvalidArgument(StrCat("index out of range: ", idx[i - 1]));
  }
  if (idx[0] > idx[1])
    return Status::InvalidArgument(StrCat("invalid slice index: ", idx[0], " > ", idx[1]));
  if (args.size() == 4 && idx[1] > idx[2])
    return Status::InvalidArgument(StrCat("invalid slice index: ", idx[1], " > ", idx[2]));
  if (item.is_string())
    return Value(
        item.str().Substr(static_cast<size_t>(idx[0]), static_cast<size_t>(idx[1] - idx[0])));
  std::vector<Value> out(item.list().begin() + idx[0], item.list().begin() + idx[1]);
  return Value::List(std::move(out));
}

std::string DateString(int64_t now_unix, int days_back) {
  std::time_t t = now_unix >= 0 ? static_cast<std::time_t>(now_unix) : std::time(nullptr);
  t -= static_cast<std::time_t>(days_back) * 86400;
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d", &tm);
  return buf;
}

std::string TsType(std::string_view t) {
  if (t == "string") return "string";
  if (t == "number" || t == "integer") return "number";
  if (t == "boolean") return "boolean";
  if (t == "array") return "any[]";
  if (t == "object") return "Record<string, any>";
  if (t == "null") return "null";
  return "any";
}

std::string ToTypeScript(const Value& prop) {
  const Value* any_of = prop.Get("AnyOf");
  if (!any_of) any_of = prop.Get("anyOf");
  if (any_of && any_of->is_list() && !any_of->list().empty()) {
    std::string out;
    for (const Value& p : any_of->list()) {
      if (!out.empty()) out += " | ";
      out += ToTypeScript(p);
    }
    return out;
  }
  const Value* type = prop.Get("Type");
  if (!type) type = prop.Get("type");
  if (!type) return "any";
  if (type->is_string()) return TsType(type->str().str());
  if (!type->is_list() || type->list().empty()) return "any";
  std::string out;
  for (const Value& t : type->list()) {
    if (!out.empty()) out += " | ";
    out += TsType(t.is_string() ? t.str().str() : "");
  }
  return out;
}

}  // namespace

bool GoTruth(const Value& v) {
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
      return v.map().go.is_struct || !v.map().entries.empty();
    case Value::Kind::kCallable:
      return true;
    default:
      return false;
  }
}

Result<Value> CallBuiltin(std::string_view name, const std::vector<Value>& args,
                          const GoExecOptions& opts) {
  if (name == "not") {
    OLLA_RETURN_IF_ERROR(ArgCount(name, args, 1));
    return Value(!GoTruth(args[0]));
  }
  if (name == "eq") {
    if (args.size() < 2) return Status::InvalidArgument("missing argument for comparison");
    for (size_t i = 1; i < args.size(); ++i) {
      OLLA_ASSIGN_OR_RETURN(Cmp c, Compare(args[0], args[i], false));
      if (c == Cmp::kEqual) return Value(true);
    }
    return Value(false);
  }
  if (name == "ne" || name == "lt" || name == "le" || name == "gt" || name == "ge") {
    OLLA_RETURN_IF_ERROR(ArgCount(name, args, 2));
    OLLA_ASSIGN_OR_RETURN(Cmp c, Compare(args[0], args[1], name != "ne"));
    if (name == "ne") return Value(c != Cmp::kEqual);
    if (name == "lt") return Value(c == Cmp::kLess);
    if (name == "le") return Value(c != Cmp::kGreater);
    if (name == "gt") return Value(c == Cmp::kGreater);
    return Value(c != Cmp::kLess);
  }
  if (name == "len") {
    OLLA_RETURN_IF_ERROR(ArgCount(name, args, 1));
    const Value& v = args[0];
    if (v.is_string()) return Value(static_cast<int64_t>(v.str().size()));
    if (v.is_list()) return Value(static_cast<int64_t>(v.list().size()));
    if (v.is_map() && !v.map().go.is_struct)
      return Value(static_cast<int64_t>(v.map().entries.size()));
    if (v.is_none() || v.is_undefined()) return Status::InvalidArgument("len of nil pointer");
    return Status::InvalidArgument(StrCat("len of type ", GoTypeName(v)));
  }
  if (name == "index") return Index(args);
  if (name == "slice") return Slice(args);
  if (name == "print") return Value(GoSprint(args, false));
  if (name == "println") return Value(GoSprint(args, true));
  if (name == "printf") {
    if (args.empty())
      return Status::InvalidArgument("wrong number of args for printf: want at least 1 got 0");
    return Value(GoSprintf(args));
  }
  if (name == "html" || name == "js" || name == "urlquery") {
    MarkedString in = EscaperInput(args);
    const std::string& s = in.str();
    return Value(in.Derive(name == "html" ? HtmlEscape(s)
                           : name == "js" ? JsEscape(s)
                                          : UrlQueryEscape(s)));
  }
  if (name == "json") {
    OLLA_RETURN_IF_ERROR(ArgCount(name, args, 1));
    std::string s;
    AppendGoJson(s, args[0]);
    return Value(MarkedString(std::move(s), true));
  }
  if (name == "currentDate") return Value::Str(DateString(opts.now_unix, 0));
  if (name == "yesterdayDate") return Value::Str(DateString(opts.now_unix, 1));
  if (name == "toTypeScriptType") {
    OLLA_RETURN_IF_ERROR(ArgCount(name, args, 1));
    return Value::Str(ToTypeScript(args[0]));
  }
  return Status::InvalidArgument(StrCat("function \"", name, "\" not defined"));
}

}  // namespace olla::chat::gotmpl
