// fmt-style printing for Go templates: %v of every value kind (what {{ . }} prints), Sprint,
// Sprintln and Sprintf with the verbs templates use, keeping input marking on string operands.

#include <charconv>
#include <cmath>
#include <cstdio>

#include "base/str_cat.h"
#include "base/utf8.h"
#include "chat/go/go_exec.h"

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

}  // namespace

std::string GoTypeName(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kBool:
      return "bool";
    case Value::Kind::kInt:
      return "int";
    case Value::Kind::kFloat:
      return "float64";
    case Value::Kind::kString:
      return "string";
    case Value::Kind::kList:
      return "[]interface {}";
    case Value::Kind::kMap:
      return v.map().go.is_struct ? "struct" : "map[string]interface {}";
    default:
      return "<nil>";
  }
}

namespace {

bool AnyInput(const Value& v) {
  if (v.is_string()) return v.str().has_input();
  return !v.is_none() && !v.is_undefined();  // formatted data values count as input
}

}  // namespace

MarkedString GoSprint(const std::vector<Value>& args, bool ln) {
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

namespace {

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
    case 'v':
      AppendGoValue(body, arg);
      break;
    case 's':
      if (arg.is_string() || arg.is_list() || arg.is_map())
        AppendGoValue(body, arg);
      else
        return BadVerb(verb, arg);
      if (prec >= 0 && arg.is_string() && body.size() > static_cast<size_t>(prec))
        body.resize(static_cast<size_t>(prec));
      break;
    case 'q':
      if (arg.is_string())
        body = GoQuote(arg.str().str());
      else if (arg.is_int()) {
        std::string c;
        utf8::Append(c, static_cast<uint32_t>(arg.int_value()));
        body = "'" + c + "'";
      } else
        return BadVerb(verb, arg);
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
    case 'x':
    case 'X':
      if (arg.is_int()) {
        char buf[32];
        std::snprintf(buf, sizeof(buf), verb == 'x' ? "%llx" : "%llX",
                      static_cast<unsigned long long>(std::llabs(arg.int_value())));
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
    case 'f':
    case 'F':
    case 'e':
    case 'E':
    case 'g':
    case 'G': {
      if (!arg.is_float()) return BadVerb(verb, arg);
      if ((verb == 'g' || verb == 'G') && prec < 0) {
        body = GoFloatV(arg.float_value());
      } else {
        char fmt[16];
        std::snprintf(fmt, sizeof(fmt), "%%.%d%c", prec < 0 ? 6 : std::min(prec, 60),
                      verb == 'F' ? 'f' : verb);
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

}  // namespace

MarkedString GoSprintf(const std::vector<Value>& args) {
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
    while (j < f.size() && std::string_view("+-# 0").find(f[j]) != std::string_view::npos)
      flags += f[j++];
    int width = -1, prec = -1;
    auto read_num = [&](int& dst) {
      if (j < f.size() && f[j] == '*') {
        ++j;
        if (argi < args.size() && args[argi].is_int())
          dst = static_cast<int>(std::min<int64_t>(args[argi].int_value(), 1000));
        ++argi;
        return;
      }
      int v = 0;
      bool any = false;
      while (j < f.size() && std::isdigit(static_cast<unsigned char>(f[j])))
        v = std::min(v * 10 + (f[j++] - '0'), 1000), any = true;
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

void AppendGoValue(std::string& out, const Value& v) {
  if (const auto& printed = v.go().printed) {
    out += *printed;
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
      out += GoFloatV(v.float_value());
      break;
    case Value::Kind::kString:
      out += v.str().str();
      break;
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
    default:
      out += "<nil>";
      break;
  }
}

MarkedString GoPrint(const Value& v) {
  if (v.is_none() || v.is_undefined()) return MarkedString("<no value>", false);
  if (v.is_string()) return v.str();
  std::string s;
  AppendGoValue(s, v);
  return MarkedString(std::move(s), true);
}

}  // namespace olla::chat::gotmpl
