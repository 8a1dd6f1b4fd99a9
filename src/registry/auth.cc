#include "registry/auth.h"

#include <optional>

#include <nlohmann/json.hpp>

#include "base/ascii.h"
#include "base/base64.h"
#include "base/str_cat.h"
#include "registry/url.h"

namespace olla::registry {

namespace {

constexpr size_t kMaxHeader = 8 << 10;
constexpr size_t kMaxChallenges = 16;
constexpr size_t kMaxParams = 32;
constexpr size_t kMaxToken = 16 << 10;

// RFC 7230 tchar.
bool IsTchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  bool done() const { return pos_ >= s_.size(); }
  char peek() const { return done() ? '\0' : s_[pos_]; }
  void SkipSpace() {
    while (!done() && (s_[pos_] == ' ' || s_[pos_] == '\t')) ++pos_;
  }
  void SkipSpaceAndCommas() {
    while (!done() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == ',')) ++pos_;
  }
  std::string_view Token() {
    size_t start = pos_;
    while (!done() && IsTchar(s_[pos_])) ++pos_;
    return s_.substr(start, pos_ - start);
  }
  // After the opening quote; backslash escapes one character.
  Result<std::string> Quoted() {
    std::string out;
    ++pos_;
    while (!done()) {
      char c = s_[pos_++];
      if (c == '"') return out;
      if (c == '\\') {
        if (done()) break;
        c = s_[pos_++];
      }
      if (static_cast<unsigned char>(c) < 0x20 && c != '\t') {
        return Status::Corrupt("WWW-Authenticate: control character in a quoted string");
      }
      out.push_back(c);
    }
    return Status::Corrupt("WWW-Authenticate: unterminated quoted string");
  }
  size_t pos() const { return pos_; }
  void set_pos(size_t p) { pos_ = p; }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

Result<std::vector<Challenge>> ParseWwwAuthenticate(std::string_view header) {
  if (header.size() > kMaxHeader) return Status::Corrupt("WWW-Authenticate header too long");
  std::vector<Challenge> out;
  Cursor cur(header);
  cur.SkipSpaceAndCommas();
  while (!cur.done()) {
    std::string_view scheme = cur.Token();
    if (scheme.empty()) return Status::Corrupt("WWW-Authenticate: expected an auth scheme");
    if (out.size() == kMaxChallenges)
      return Status::Corrupt("WWW-Authenticate: too many challenges");
    Challenge ch;
    ch.scheme = AsciiToLower(scheme);
    while (true) {
      cur.SkipSpaceAndCommas();
      if (cur.done()) break;
      size_t start = cur.pos();
      std::string_view name = cur.Token();
      if (name.empty()) return Status::Corrupt("WWW-Authenticate: expected a parameter");
      cur.SkipSpace();
      if (cur.peek() != '=') {  // not "name=": the scheme of the next challenge
        cur.set_pos(start);
        break;
      }
      cur.set_pos(cur.pos() + 1);
      cur.SkipSpace();
      std::string value;
      if (cur.peek() == '"') {
        OLLA_ASSIGN_OR_RETURN(value, cur.Quoted());
      } else {
        value = std::string(cur.Token());
      }
      if (ch.params.size() == kMaxParams)
        return Status::Corrupt("WWW-Authenticate: too many parameters");
      ch.params[AsciiToLower(name)] = std::move(value);
      cur.SkipSpace();
      if (!cur.done() && cur.peek() != ',') {
        return Status::Corrupt("WWW-Authenticate: expected ',' between parameters");
      }
    }
    out.push_back(std::move(ch));
  }
  if (out.empty()) return Status::Corrupt("WWW-Authenticate: no challenge");
  return out;
}

Result<std::string> TokenRequestUrl(const Challenge& challenge) {
  std::string realm = challenge.Param("realm");
  if (realm.empty()) return Status::InvalidArgument("authentication challenge has no realm");
  OLLA_ASSIGN_OR_RETURN(Url url, ParseUrl(realm));
  std::string out = url.full;
  if (std::string service = challenge.Param("service"); !service.empty()) {
    out = AddQuery(out, "service", service);
  }
  std::string scopes = challenge.Param("scope");
  size_t pos = 0;
  while (pos < scopes.size()) {
    size_t sp = scopes.find(' ', pos);
    if (sp == std::string::npos) sp = scopes.size();
    if (sp > pos) out = AddQuery(out, "scope", std::string_view(scopes).substr(pos, sp - pos));
    pos = sp + 1;
  }
  return out;
}

namespace {

// Go's url.QueryEscape: unreserved characters kept, space → '+', the rest %XX.
std::string FormEscape(std::string_view text) {
  std::string out;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == ' ') {
      out += QueryEscape(text.substr(start, i - start));
      if (i < text.size()) out.push_back('+');
      start = i + 1;
    }
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Go's url.QueryUnescape: '+' → space, %XX decoded; a bad escape → nullopt.
std::optional<std::string> FormUnescape(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out.push_back(' ');
    } else if (text[i] == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int hi = HexValue(text[i + 1]), lo = HexValue(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi << 4 | lo));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

}  // namespace

Result<std::string> SignedTokenRequestUrl(const Challenge& challenge, int64_t ts,
                                          std::string_view nonce) {
  std::string realm = challenge.Param("realm");
  if (realm.empty()) return Status::InvalidArgument("authentication challenge has no realm");
  OLLA_ASSIGN_OR_RETURN(Url url, ParseUrl(realm));
  std::string_view full = url.full;
  full = full.substr(0, full.find('#'));
  size_t q = full.find('?');
  std::string_view base = full.substr(0, q);
  std::string_view query = q == std::string_view::npos ? std::string_view() : full.substr(q + 1);

  // Go's url.ParseQuery as Query() uses it: pairs with ';' or bad escapes are dropped.
  std::map<std::string, std::vector<std::string>> values;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty() || pair.find(';') != std::string_view::npos) continue;
    size_t eq = pair.find('=');
    std::optional<std::string> key = FormUnescape(pair.substr(0, eq));
    std::optional<std::string> value =
        FormUnescape(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (!key || !value) continue;
    values[*key].push_back(*value);
  }
  values["service"].push_back(challenge.Param("service"));
  const std::string scopes = challenge.Param("scope");
  for (size_t pos = 0;;) {
    size_t sp = scopes.find(' ', pos);
    values["scope"].push_back(scopes.substr(pos, sp == std::string::npos ? sp : sp - pos));
    if (sp == std::string::npos) break;
    pos = sp + 1;
  }
  values["ts"].push_back(StrCat(ts));
  values["nonce"].emplace_back(nonce);

  std::string out = StrCat(base, "?");
  bool first = true;
  for (const auto& [key, list] : values) {
    for (const std::string& value : list) {
      if (!first) out.push_back('&');
      first = false;
      out += FormEscape(key);
      out.push_back('=');
      out += FormEscape(value);
    }
  }
  return out;
}

Result<std::string> ParseTokenResponse(std::string_view body) {
  nlohmann::json root = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
  if (root.is_discarded() || !root.is_object()) {
    return Status::Corrupt("token response is not a JSON object");
  }
  std::string token;
  for (const char* key : {"token", "access_token"}) {
    auto it = root.find(key);
    if (it != root.end() && it->is_string() && !it->get_ref<const std::string&>().empty()) {
      token = it->get<std::string>();
      break;
    }
  }
  if (token.empty()) return Status::Corrupt("token response has no token");
  if (token.size() > kMaxToken) return Status::Corrupt("token is too long");
  for (char c : token) {
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
      return Status::Corrupt("token has characters not allowed in a header");
    }
  }
  return token;
}

std::string BasicAuthorization(std::string_view user, std::string_view password) {
  return StrCat("Basic ", Base64Encode(StrCat(user, ":", password)));
}

}  // namespace olla::registry
