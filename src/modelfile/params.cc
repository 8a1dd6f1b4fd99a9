#include "modelfile/params.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "base/str_cat.h"

namespace olla::modelfile {
namespace {

struct ParamSpec {
  std::string_view name;
  ParamType type;
};

// §3.19. Load-time and generation-time options share one namespace.
constexpr ParamSpec kParams[] = {
    {"num_ctx", ParamType::kInt},
    {"num_batch", ParamType::kInt},
    {"num_gpu", ParamType::kInt},
    {"main_gpu", ParamType::kInt},
    {"use_mmap", ParamType::kBool},
    {"num_thread", ParamType::kInt},
    {"draft_num_predict", ParamType::kInt},
    {"num_keep", ParamType::kInt},
    {"seed", ParamType::kInt},
    {"num_predict", ParamType::kInt},
    {"top_k", ParamType::kInt},
    {"top_p", ParamType::kFloat},
    {"min_p", ParamType::kFloat},
    {"typical_p", ParamType::kFloat},
    {"repeat_last_n", ParamType::kInt},
    {"temperature", ParamType::kFloat},
    {"repeat_penalty", ParamType::kFloat},
    {"presence_penalty", ParamType::kFloat},
    {"frequency_penalty", ParamType::kFloat},
    {"stop", ParamType::kStringList},
};

constexpr std::string_view kDeprecated[] = {
    "penalize_newline", "low_vram", "f16_kv",       "logits_all",   "vocab_only",
    "use_mlock",        "mirostat", "mirostat_tau", "mirostat_eta",
};

// strconv.ParseInt(s, 10, 64): optional sign, decimal digits, no underscores.
std::optional<int64_t> ParseGoInt(std::string_view s) {
  if (!s.empty() && s[0] == '+') {
    s.remove_prefix(1);
    if (!s.empty() && s[0] == '-') return std::nullopt;
  }
  if (s.empty() || (s.size() == 1 && s[0] == '-')) return std::nullopt;
  int64_t v = 0;
  auto res = std::from_chars(s.data(), s.data() + s.size(), v, 10);
  if (res.ec != std::errc() || res.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

// strconv.ParseFloat(s, 32): optional sign; decimal or 0x-hex (with a 'p' exponent) mantissa.
std::optional<float> ParseGoFloat32(std::string_view s) {
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty() || s[0] == '+' || s[0] == '-') return std::nullopt;
  std::chars_format fmt = std::chars_format::general;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    s.remove_prefix(2);
    if (s.find_first_of("pP") == std::string_view::npos) return std::nullopt;
    fmt = std::chars_format::hex;
  }
  if (s.empty() || s[0] == '-' || s[0] == '+') return std::nullopt;
  float v = 0;
  auto res = std::from_chars(s.data(), s.data() + s.size(), v, fmt);
  if (res.ptr != s.data() + s.size()) return std::nullopt;
  if (res.ec == std::errc::result_out_of_range) {
    // Overflow is an error in Go; underflow rounds towards zero without one.
    double d = 0;
    auto res64 = std::from_chars(s.data(), s.data() + s.size(), d, fmt);
    if (res64.ptr != s.data() + s.size() || !std::isfinite(d) || std::fabs(d) >= 1) {
      return std::nullopt;
    }
    v = static_cast<float>(d);
  } else if (res.ec != std::errc()) {
    return std::nullopt;
  }
  if (!std::isfinite(v)) return std::nullopt;
  return neg ? -v : v;
}

std::optional<bool> ParseGoBool(std::string_view s) {
  if (s == "1" || s == "t" || s == "T" || s == "TRUE" || s == "true" || s == "True") return true;
  if (s == "0" || s == "f" || s == "F" || s == "FALSE" || s == "false" || s == "False") {
    return false;
  }
  return std::nullopt;
}

template <typename T>
std::string FormatGoVImpl(T v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto sci = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string_view text(buf, static_cast<size_t>(sci.ptr - buf));
  size_t e = text.find('e');
  int exp = std::atoi(std::string(text.substr(e + 1)).c_str());
  if (v == 0) exp = 0;
  if (exp < -4 || exp >= 6) return std::string(text);  // already "d.ddde±XX" like Go
  auto fix = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed);
  return std::string(buf, fix.ptr);
}

}  // namespace

std::optional<ParamType> ParameterType(std::string_view name) {
  for (const ParamSpec& p : kParams) {
    if (p.name == name) return p.type;
  }
  return std::nullopt;
}

bool IsDeprecatedParameter(std::string_view name) {
  for (std::string_view d : kDeprecated) {
    if (d == name) return true;
  }
  return false;
}

Result<ParamValue> ParseParameterValue(std::string_view name, std::string_view value) {
  std::optional<ParamType> type = ParameterType(name);
  if (!type) return Status::InvalidArgument(StrCat("unknown parameter '", name, "'"));
  switch (*type) {
    case ParamType::kInt:
      if (auto v = ParseGoInt(value)) return ParamValue(*v);
      return Status::InvalidArgument(StrCat("invalid int value [", value, "]"));
    case ParamType::kFloat:
      if (auto v = ParseGoFloat32(value)) return ParamValue(*v);
      return Status::InvalidArgument(StrCat("invalid float value [", value, "]"));
    case ParamType::kBool:
      if (auto v = ParseGoBool(value)) return ParamValue(*v);
      return Status::InvalidArgument(StrCat("invalid bool value [", value, "]"));
    case ParamType::kStringList:
      return ParamValue(std::vector<std::string>{std::string(value)});
  }
  return Status::Internal("unreachable parameter type");
}

std::string FormatGoV(double v) { return FormatGoVImpl(v); }
std::string FormatGoV(float v) { return FormatGoVImpl(v); }

std::vector<std::string> FormatParamValue(const ParamValue& value) {
  if (const auto* i = std::get_if<int64_t>(&value)) return {StrCat(*i)};
  if (const auto* f = std::get_if<float>(&value)) return {FormatGoV(*f)};
  if (const auto* b = std::get_if<bool>(&value)) return {*b ? "true" : "false"};
  return std::get<std::vector<std::string>>(value);
}

}  // namespace olla::modelfile
