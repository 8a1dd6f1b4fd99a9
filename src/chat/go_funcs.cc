// Builtin functions of Go templates (text/template's funcs.go plus Ollama's json, currentDate,
// yesterdayDate, toTypeScriptType) and fmt-style value printing.

#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "base/str_cat.h"
#include "base/utf8.h"
#include "chat/go_exec.h"

namespace olla::chat::gotmpl {
namespace {

std::string ToChars(double d, std::chars_format fmt) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), d, fmt);
  return std::string(buf, res.ptr);
}

// fmt's %v for float64: strconv 'g' with the shortest digits and exponent form when the decimal
// exponent is < -4 or >= 6 ("1e+06", "123456", "1e-05").
std::string GoFloatV(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d < 0 ? "-Inf" : "+Inf";
  std::string sci = ToChars(d, std::chars_format::scientific);
  size_t e = sci.find('e');
  int exp = e == std::string::npos ? 0 : std::atoi(sci.c_str() + e + 1);
  if (exp < -4 || exp >= 6) return sci;
  return ToChars(d, std::chars_format::fixed);
}

std::string GoTypeName(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kBool: return "bool";
    case Value::Kind::kInt: return "int";
    case Value::Kind::kFloat: return "float64";
    case Value::Kind::kString: return "string";
    case Value::Kind::kList: return "[]interface {}";
    case Value::Kind::kMap: return v.map().go.is_struct ? "struct" : "map[string]interface {}";
    default: return "<nil>";
  }
}

Status ArgCount(std::string_view name, const std::vector<Value>& args, size_t want) {
  if (args.size() == want) return Status::Ok();
  return Status::InvalidArgument(StrCat("wrong number of args for ", name, ": want ", want, " got ", args.size()));
}

bool AnyInput(const Value& v) {
  if (v.is_string()) return v.str().has_input();
  return !v.is_none() && !v.is_undefined();  // formatted data values count as input
}

// fmt.Sprint / Sprintln with input marking.
MarkedString Sprint(const std::vector<Value>& args, bool ln) {
  MarkedString out;
  for (size_t i = 0; i < args.size(); ++i) {
    if (i > 0 && (ln || (!args[i].is_string() && !args[i - 1].is_string()))) out.Append(" ", false);
    if (args[i].is_string()) {
      out.Append(args[i].str());
    } else {
      std::string s;
      AppendGoValue(s, args[i]);
      out.Append(s, AnyInput(args[i]));
    }
  }
  if (ln) out.Append("\n", false);
  return out;
}

std::string GoQuote(std::string_view s) {
  std::string out = "\"";
  size_t pos = 0;
  while (pos < s.size()) {
    size_t start = pos;
    uint32_t cp = utf8::DecodeNext(s, &pos);
    if (cp == '"' || cp == '\\') {
      out += '\\';
      out += static_cast<char>(cp);
    } else if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\t') {
      out += "\\t";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (cp < 0x20 || cp == 0x7F || (cp == 0xFFFD && pos - start == 1)) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", static_cast<unsigned char>(s[start]));
      out += buf;
    } else {
      out.append(s.substr(start, pos - start));
    }
  }
  return out + "\"";
}

std::string BadVerb(char verb, const Value& v) {
  std::string s;
  AppendGoValue(s, v);
  return StrCat("%!", std::string(1, verb), "(", GoTypeName(v), "=", s, ")");
}

// One printf directive applied to `arg`.
std::string FormatOne(char verb, const std::string& flags, int width, int prec, const Value& arg) {
  std::string body;
  bool numeric = false;
  switch (verb) {
    case 'v': AppendGoValue(body, arg); break;
    case 's':
      if (arg.is_string() || arg.is_list() || arg.is_map()) AppendGoValue(body, arg);
      else return BadVerb(verb, arg);
      if (prec >= 0 && arg.is_string() && body.size() > static_cast<size_t>(prec)) body.resize(static_cast<size_t>(prec));
      break;
    case 'q':
      if (arg.is_string()) body = GoQuote(arg.str().str());
      else if (arg.is_int()) { std::string c; utf8::Append(c, static_cast<uint32_t>(arg.int_value())); body = "'" + c + "'"; }
      else return BadVerb(verb, arg);
      break;
    case 't':
      if (!arg.is_bool()) return BadVerb(verb, arg);
      body = arg.bool_value() ? "true" : "false";
      break;
    case 'd':
      if (!arg.is_int()) return BadVerb(verb, arg);
      body = std::to_string(arg.int_value());
      if (flags.find('+') != std::string::npos && arg.int_value() >= 0) body = "+" + body;
      numeric = true;
      break;
    case 'c':
      if (!arg.is_int()) return BadVerb(verb, arg);
      utf8::Append(body, static_cast<uint32_t>(arg.int_value()));
      break;
    case 'x': case 'X':
      if (arg.is_int()) {
        char buf[32];
        std::snprintf(buf, sizeof(buf), verb == 'x' ? "%llx" : "%llX", static_cast<unsigned long long>(std::llabs(arg.int_value())));
        body = (arg.int_value() < 0 ? "-" : "") + std::string(buf);
        numeric = true;
      } else if (arg.is_string()) {
        const char* hex = verb == 'x' ? "0123456789abcdef" : "0123456789ABCDEF";
        for (unsigned char c : arg.str().str()) {
          body += hex[c >> 4];
          body += hex[c & 0xF];
        }
      } else {
        return BadVerb(verb, arg);
      }
      break;
    case 'f': case 'F': case 'e': case 'E': case 'g': case 'G': {
      if (!arg.is_float()) return BadVerb(verb, arg);
      if ((verb == 'g' || verb == 'G') && prec < 0) {
        body = GoFloatV(arg.float_value());
      } else {
        char fmt[16];
        std::snprintf(fmt, sizeof(fmt), "%%.%d%c", prec < 0 ? 6 : std::min(prec, 60), verb == 'F' ? 'f' : verb);
        char buf[512];
        std::snprintf(buf, sizeof(buf), fmt, arg.float_value());
        body = buf;
      }
      numeric = true;
      break;
    }
    default:
      return StrCat("%!", std::string(1, verb), "(", GoTypeName(arg), "=", GoPrint(arg).str(), ")");
  }
  if (width > 0 && body.size() < static_cast<size_t>(width)) {
    size_t pad = static_cast<size_t>(width) - body.size();
    if (flags.find('-') != std::string::npos) {
      body.append(pad, ' ');
    } else if (numeric && flags.find('0') != std::string::npos) {
      size_t sign = (!body.empty() && (body[0] == '-' || body[0] == '+')) ? 1 : 0;
      body.insert(sign, pad, '0');
    } else {
      body.insert(0, pad, ' ');
    }
  }
  return body;
}

MarkedString Sprintf(const std::vector<Value>& args) {
  const MarkedString fmt = args[0].is_string() ? args[0].str() : GoPrint(args[0]);
  const std::string& f = fmt.str();
  MarkedString out;
  size_t argi = 1;
  size_t i = 0;
  while (i < f.size()) {
    size_t pct = f.find('%', i);
    if (pct == std::string::npos) pct = f.size();
    out.Append(fmt.Substr(i, pct - i));
    if (pct >= f.size()) break;
    size_t j = pct + 1;
    std::string flags;
    while (j < f.size() && std::string_view("+-# 0").find(f[j]) != std::string_view::npos) flags += f[j++];
    int width = -1, prec = -1;
    auto read_num = [&](int& dst) {
      if (j < f.size() && f[j] == '*') {
        ++j;
        if (argi < args.size() && args[argi].is_int()) dst = static_cast<int>(std::min<int64_t>(args[argi].int_value(), 1000));
        ++argi;
        return;
      }
      int v = 0;
      bool any = false;
      while (j < f.size() && std::isdigit(static_cast<unsigned char>(f[j]))) v = std::min(v * 10 + (f[j++] - '0'), 1000), any = true;
      if (any) dst = v;
    };
    read_num(width);
    if (j < f.size() && f[j] == '.') {
      ++j;
      prec = 0;
      read_num(prec);
    }
    if (j >= f.size()) {
      out.Append("%!(NOVERB)", false);
      break;
    }
    char verb = f[j++];
    i = j;
    if (verb == '%') {
      out.Append("%", false);
      continue;
    }
    if (argi >= args.size()) {
      out.Append(StrCat("%!", std::string(1, verb), "(MISSING)"), false);
      continue;
    }
    const Value& arg = args[argi++];
    std::string s = FormatOne(verb, flags, width, prec, arg);
    if (arg.is_string() && (verb == 's' || verb == 'v') && s == arg.str().str()) {
      out.Append(arg.str());
    } else {
      out.Append(s, AnyInput(arg));
    }
  }
  if (argi < args.size()) {
    out.Append("%!(EXTRA ", false);
    for (size_t k = argi; k < args.size(); ++k) {
      if (k > argi) out.Append(", ", false);
      std::string s;
      AppendGoValue(s, args[k]);
      out.Append(StrCat(GoTypeName(args[k]), "=", s), true);
    }
    out.Append(")", false);
  }
  return out;
}

// The string argument text/template's escapers use: the single string arg, else Sprint(args).
MarkedString EscaperInput(const std::vector<Value>& args) {
  if (args.size() == 1 && args[0].is_string()) return args[0].str();
  return Sprint(args, false);
}

std::string HtmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '"': out += "&#34;"; break;
      case '\'': out += "&#39;"; break;
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '\0': out += "\xEF\xBF\xBD"; break;
      default: out += c;
    }
  }
  return out;
}

std::string JsEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\'': out += "\\'"; break;
      case '"': out += "\\\""; break;
      case '<': out += "\\u003C"; break;
      case '>': out += "\\u003E"; break;
      case '&': out += "\\u0026"; break;
      case '=': out += "\\u003D"; break;
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
    if (a.is_int() != b.is_int()) return Status::InvalidArgument("incompatible types for comparison");
    double x = a.number_value(), y = b.number_value();
    if (a.is_int()) return a.int_value() < b.int_value() ? Cmp::kLess : a.int_value() == b.int_value() ? Cmp::kEqual : Cmp::kGreater;
    return x < y ? Cmp::kLess : x == y ? Cmp::kEqual : Cmp::kGreater;
  }
  if (a.is_string() && b.is_string()) {
    int c = a.str().str().compare(b.str().str());
    return c < 0 ? Cmp::kLess : c == 0 ? Cmp::kEqual : Cmp::kGreater;
  }
  if (a.is_bool() && b.is_bool() && !ordered_only) return a.bool_value() == b.bool_value() ? Cmp::kEqual : Cmp::kLess;
  if (a.kind() != b.kind() && !(a.is_none() || a.is_undefined()) && !(b.is_none() || b.is_undefined())) {
    return Status::InvalidArgument("incompatible types for comparison");
  }
  if (ordered_only) return Status::InvalidArgument("invalid type for comparison");
  bool an = a.is_none() || a.is_undefined(), bn = b.is_none() || b.is_undefined();
  if (an || bn) return an == bn ? Cmp::kEqual : Cmp::kLess;
  return Status::InvalidArgument(StrCat("non-comparable type ", GoTypeName(a)));
}

Result<int64_t> IndexArg(const Value& v) {
  if (!v.is_int()) return Status::InvalidArgument(StrCat("cannot index slice/array with type ", GoTypeName(v)));
  return v.int_value();
}

Result<Value> Index(const std::vector<Value>& args) {
  if (args.empty()) return Status::InvalidArgument("wrong number of args for index: want at least 1 got 0");
  Value item = args[0];
  for (size_t i = 1; i < args.size(); ++i) {
    const Value& ix = args[i];
    if (item.is_list() || item.is_string()) {
      OLLA_ASSIGN_OR_RETURN(int64_t n, IndexArg(ix));
      size_t len = item.is_list() ? item.list().size() : item.str().size();
      if (n < 0 || static_cast<size_t>(n) >= len) return Status::InvalidArgument(StrCat("index out of range: ", n));
      item = item.is_list() ? item.list()[static_cast<size_t>(n)]
                            : Value(static_cast<int64_t>(static_cast<unsigned char>(item.str().str()[static_cast<size_t>(n)])));
    } else if (item.is_map() && !item.map().go.is_struct) {
      if (!ix.is_string()) return Status::InvalidArgument(StrCat("value has type ", GoTypeName(ix), "; should be string"));
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
  if (args.empty()) return Status::InvalidArgument("wrong number of args for slice: want at least 1 got 0");
  const Value& item = args[0];
  if (item.is_none() || item.is_undefined()) return Status::InvalidArgument("slice of untyped nil");
  if (!item.is_list() && !item.is_string()) return Status::InvalidArgument(StrCat("can't slice item of type ", GoTypeName(item)));
  if (args.size() > 4) return Status::InvalidArgument(StrCat("too many slice indexes: ", args.size() - 1));
  if (item.is_string() && args.size() == 4) return Status::InvalidArgument("cannot 3-index slice a string");
  int64_t len = static_cast<int64_t>(item.is_list() ? item.list().size() : item.str().size());
  int64_t idx[3] = {0, len, len};
  for (size_t i = 1; i < args.size(); ++i) {
    OLLA_ASSIGN_OR_RETURN(idx[i - 1], IndexArg(args[i]));
    if (idx[i - 1] < 0 || idx[i - 1] > len) return Status::InvalidArgument(StrCat("index out of range: ", idx[i - 1]));
  }
  if (idx[0] > idx[1]) return Status::InvalidArgument(StrCat("invalid slice index: ", idx[0], " > ", idx[1]));
  if (args.size() == 4 && idx[1] > idx[2]) return Status::InvalidArgument(StrCat("invalid slice index: ", idx[1], " > ", idx[2]));
  if (item.is_string()) return Value(item.str().Substr(static_cast<size_t>(idx[0]), static_cast<size_t>(idx[1] - idx[0])));
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
    case Value::Kind::kBool: return v.bool_value();
    case Value::Kind::kInt: return v.int_value() != 0;
    case Value::Kind::kFloat: return v.float_value() != 0;
    case Value::Kind::kString: return !v.str().empty();
    case Value::Kind::kList: return !v.list().empty();
    case Value::Kind::kMap: return v.map().go.is_struct || !v.map().entries.empty();
    case Value::Kind::kCallable: return true;
    default: return false;
  }
}

void AppendGoValue(std::string& out, const Value& v) {
  if (const auto& printed = v.go().printed) {
    out += *printed;
    return;
  }
  switch (v.kind()) {
    case Value::Kind::kBool: out += v.bool_value() ? "true" : "false"; break;
    case Value::Kind::kInt: out += std::to_string(v.int_value()); break;
    case Value::Kind::kFloat: out += GoFloatV(v.float_value()); break;
    case Value::Kind::kString: out += v.str().str(); break;
    case Value::Kind::kList: {
      out += '[';
      for (size_t i = 0; i < v.list().size(); ++i) {
        if (i > 0) out += ' ';
        AppendGoValue(out, v.list()[i]);
      }
      out += ']';
      break;
    }
    case Value::Kind::kMap: {
      const MapData& m = v.map();
      if (m.go.is_struct) {
        out += '{';
        for (size_t i = 0; i < m.entries.size(); ++i) {
          if (i > 0) out += ' ';
          AppendGoValue(out, m.entries[i].second);
        }
        out += '}';
        break;
      }
      out += "map[";
      MapData sorted = m;
      sorted.ordered = false;
      bool first = true;
      for (const auto* e : sorted.Iteration()) {
        if (!first) out += ' ';
        first = false;
        out += e->first;
        out += ':';
        AppendGoValue(out, e->second);
      }
      out += ']';
      break;
    }
    default: out += "<nil>"; break;
  }
}

MarkedString GoPrint(const Value& v) {
  if (v.is_none() || v.is_undefined()) return MarkedString("<no value>", false);
  if (v.is_string()) return v.str();
  std::string s;
  AppendGoValue(s, v);
  return MarkedString(std::move(s), true);
}

Result<Value> CallBuiltin(std::string_view name, const std::vector<Value>& args, const GoExecOptions& opts) {
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
    if (v.is_map() && !v.map().go.is_struct) return Value(static_cast<int64_t>(v.map().entries.size()));
    if (v.is_none() || v.is_undefined()) return Status::InvalidArgument("len of nil pointer");
    return Status::InvalidArgument(StrCat("len of type ", GoTypeName(v)));
  }
  if (name == "index") return Index(args);
  if (name == "slice") return Slice(args);
  if (name == "print") return Value(Sprint(args, false));
  if (name == "println") return Value(Sprint(args, true));
  if (name == "printf") {
    if (args.empty()) return Status::InvalidArgument("wrong number of args for printf: want at least 1 got 0");
    return Value(Sprintf(args));
  }
  if (name == "html" || name == "js" || name == "urlquery") {
    MarkedString in = EscaperInput(args);
    const std::string& s = in.str();
    return Value(in.Derive(name == "html" ? HtmlEscape(s) : name == "js" ? JsEscape(s) : UrlQueryEscape(s)));
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
