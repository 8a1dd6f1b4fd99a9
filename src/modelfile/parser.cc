// The Modelfile state machine. It mirrors Ollama's parser/parser.go (ParseFile and
// parseRuneForState) so that every input yields the same commands or the same error; the
// comments below point out the upstream quirks that are kept on purpose.

#include <cstdint>

#include "base/str_cat.h"
#include "base/utf8.h"
#include "modelfile/modelfile.h"

namespace olla::modelfile {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

constexpr std::string_view kInvalidCommandMsg =
    "command must be one of \"from\", \"license\", \"template\", \"system\", \"adapter\", "
    "\"draft\", \"renderer\", \"parser\", \"parameter\", \"message\", or \"requires\"";
constexpr std::string_view kInvalidRoleMsg =
    "message role must be one of \"system\", \"user\", or \"assistant\"";

// Decodes the input like Go's unicode.BOMOverride(UTF8 decoder): a UTF-16 BOM selects UTF-16,
// a UTF-8 BOM is dropped; invalid sequences become U+FFFD (one per invalid UTF-8 byte).
class RuneReader {
 public:
  explicit RuneReader(std::string_view bytes) : bytes_(bytes) {
    auto at = [&](size_t i) { return static_cast<uint8_t>(bytes_[i]); };
    if (bytes_.size() >= 3 && at(0) == 0xEF && at(1) == 0xBB && at(2) == 0xBF) {
      pos_ = 3;
    } else if (bytes_.size() >= 2 && at(0) == 0xFE && at(1) == 0xFF) {
      pos_ = 2;
      encoding_ = Encoding::kUtf16Be;
    } else if (bytes_.size() >= 2 && at(0) == 0xFF && at(1) == 0xFE) {
      pos_ = 2;
      encoding_ = Encoding::kUtf16Le;
    }
  }

  bool Next(char32_t* out) {
    if (pos_ >= bytes_.size()) return false;
    if (encoding_ == Encoding::kUtf8) {
      *out = utf8::DecodeNext(bytes_, &pos_);
      return true;
    }
    if (pos_ + 1 >= bytes_.size()) {  // a dangling odd byte
      pos_ = bytes_.size();
      *out = kReplacement;
      return true;
    }
    char32_t unit = Unit(pos_);
    pos_ += 2;
    if (unit < 0xD800 || unit > 0xDFFF) {
      *out = unit;
      return true;
    }
    // x/text pairs a surrogate with a following trail surrogate (0xDC00-0xDFFF) whatever the
    // first one is; the pair decodes only if the first is a lead surrogate.
    if (pos_ + 1 < bytes_.size()) {
      char32_t next = Unit(pos_);
      if (next >= 0xDC00 && next <= 0xDFFF) {
        pos_ += 2;
        *out = unit <= 0xDBFF ? 0x10000 + ((unit - 0xD800) << 10) + (next - 0xDC00) : kReplacement;
        return true;
      }
    }
    *out = kReplacement;
    return true;
  }

 private:
  enum class Encoding { kUtf8, kUtf16Le, kUtf16Be };
  char32_t Unit(size_t i) const {
    auto a = static_cast<uint8_t>(bytes_[i]);
    auto b = static_cast<uint8_t>(bytes_[i + 1]);
    return encoding_ == Encoding::kUtf16Le ? char32_t(a | (b << 8)) : char32_t((a << 8) | b);
  }

  std::string_view bytes_;
  size_t pos_ = 0;
  Encoding encoding_ = Encoding::kUtf8;
};

// Go's strconv.IsPrint: letters, marks, numbers, punctuation, symbols and ASCII space. Upstream
// silently drops every other rune it reads (outside the whitespace it handles itself). We
// reproduce the categories that matter (controls, non-ASCII spaces, line/paragraph separators,
// format characters, private use, noncharacters); unassigned code points, which Go also drops,
// are kept because we carry no Unicode tables here.
bool IsPrint(char32_t r) {
  if (r < 0x20 || (r >= 0x7F && r <= 0x9F)) return false;
  if (r < 0x7F) return true;
  if (r == 0xA0 || r == 0xAD || r == 0x1680 || r == 0x180E || r == 0x061C || r == 0x06DD ||
      r == 0x070F || r == 0x08E2 || r == 0x202F || r == 0x205F || r == 0x3000 || r == 0xFEFF ||
      r == 0x110BD || r == 0x110CD || r == 0xE0001) {
    return false;
  }
  if ((r >= 0x0600 && r <= 0x0605) || (r >= 0x0890 && r <= 0x0891) ||
      (r >= 0x2000 && r <= 0x200F) || (r >= 0x2028 && r <= 0x202E) ||
      (r >= 0x2060 && r <= 0x2064) || (r >= 0x2066 && r <= 0x206F) ||
      (r >= 0xD800 && r <= 0xF8FF) || (r >= 0xFDD0 && r <= 0xFDEF) ||
      (r >= 0xFFF9 && r <= 0xFFFB) || (r >= 0x13430 && r <= 0x1343F) ||
      (r >= 0x1BCA0 && r <= 0x1BCA3) || (r >= 0x1D173 && r <= 0x1D17A) ||
      (r >= 0xE0020 && r <= 0xE007F) || r >= 0xF0000 || (r & 0xFFFE) == 0xFFFE) {
    return false;
  }
  return true;
}

bool IsSpace(char32_t r) { return r == ' ' || r == '\t'; }
bool IsNewline(char32_t r) { return r == '\r' || r == '\n'; }
bool IsAlpha(char32_t r) { return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'); }
bool IsNumber(char32_t r) { return r >= '0' && r <= '9'; }

enum class State { kNil, kName, kValue, kParameter, kMessage, kComment };
enum class StepError { kNone, kInvalidCommand, kUnexpectedEof };

struct Step {
  State next;
  char32_t rune;  // the rune to keep (0: none)
  StepError error = StepError::kNone;
};

// parseRuneForState.
Step StepFor(char32_t r, State state) {
  switch (state) {
    case State::kNil:
      if (r == '#') return {State::kComment, 0};
      if (IsSpace(r) || IsNewline(r)) return {State::kNil, 0};
      return {State::kName, r};
    case State::kName:
      if (IsAlpha(r)) return {State::kName, r};
      if (IsSpace(r)) return {State::kValue, 0};
      return {State::kNil, 0, StepError::kInvalidCommand};
    case State::kValue:
      if (IsNewline(r) || IsSpace(r)) return {State::kNil, r};
      return {State::kValue, r};
    case State::kParameter:
      if (IsAlpha(r) || IsNumber(r) || r == '_') return {State::kParameter, r};
      if (IsSpace(r)) return {State::kValue, 0};
      return {State::kNil, 0, StepError::kUnexpectedEof};
    case State::kMessage:
      if (IsAlpha(r)) return {State::kMessage, r};
      if (IsSpace(r)) return {State::kValue, 0};
      return {State::kNil, 0, StepError::kUnexpectedEof};
    case State::kComment:
      if (IsNewline(r)) return {State::kNil, 0};
      return {State::kComment, 0};
  }
  return {State::kNil, 0};
}

// The value being read, with its trimmed bounds tracked as it grows so that the "is it a
// complete (quoted) value yet?" test at every space and newline is O(1), not O(length).
class ValueBuffer {
 public:
  void Append(char32_t r) {
    size_t before = data_.size();
    utf8::Append(data_, r);
    if (!IsSpace(r) && !IsNewline(r)) {
      if (first_ == std::string::npos) first_ = before;
      last_end_ = data_.size();
    }
  }
  void Clear() {
    data_.clear();
    first_ = std::string::npos;
    last_end_ = 0;
  }
  // strings.TrimSpace of the buffer. Only ASCII whitespace can be in it (see IsPrint).
  std::string_view Trimmed() const {
    if (first_ == std::string::npos) return {};
    return std::string_view(data_).substr(first_, last_end_ - first_);
  }
  // unquote(): `"""x"""` → x, `"x"` → x, unquoted text as is; false if a quote is unterminated.
  bool Unquote(std::string* out) const {
    std::string_view s = Trimmed();
    if (s.size() >= 3 && s.substr(0, 3) == "\"\"\"") {
      if (s.size() >= 6 && s.substr(s.size() - 3) == "\"\"\"") {
        if (out) *out = std::string(s.substr(3, s.size() - 6));
        return true;
      }
      return false;
    }
    if (!s.empty() && s[0] == '"') {
      if (s.size() >= 2 && s.back() == '"') {
        if (out) *out = std::string(s.substr(1, s.size() - 2));
        return true;
      }
      return false;
    }
    if (out) *out = std::string(s);
    return true;
  }

 private:
  std::string data_;
  size_t first_ = std::string::npos;
  size_t last_end_ = 0;
};

Status LineError(int line, std::string_view msg) {
  return Status::InvalidArgument(StrCat("(line ", line, "): ", msg));
}

bool KeywordFor(std::string_view word, Instruction* out) {
  static constexpr struct {
    std::string_view word;
    Instruction instruction;
  } kKeywords[] = {
      {"from", Instruction::kFrom},           {"license", Instruction::kLicense},
      {"template", Instruction::kTemplate},   {"system", Instruction::kSystem},
      {"adapter", Instruction::kAdapter},     {"draft", Instruction::kDraft},
      {"renderer", Instruction::kRenderer},   {"parser", Instruction::kParser},
      {"parameter", Instruction::kParameter}, {"message", Instruction::kMessage},
      {"requires", Instruction::kRequires},
  };
  std::string lower(word);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  for (const auto& k : kKeywords) {
    if (lower == k.word) {
      *out = k.instruction;
      return true;
    }
  }
  return false;
}

bool IsValidRole(std::string_view role) {
  return role == "system" || role == "user" || role == "assistant";
}

}  // namespace

Result<Modelfile> Parse(std::string_view bytes) {
  RuneReader reader(bytes);
  State curr = State::kNil;
  int line = 1;
  int keyword_line = 1;
  std::string word;  // keyword, parameter name or message role being read
  ValueBuffer value;
  Command cmd;
  Modelfile file;

  char32_t r = 0;
  while (reader.Next(&r)) {
    if (IsNewline(r)) ++line;
    Step step = StepFor(r, curr);
    if (step.error == StepError::kUnexpectedEof) {
      return Status::InvalidArgument(StrCat("unexpected EOF: ", word));
    }
    if (step.error == StepError::kInvalidCommand) return LineError(line, kInvalidCommandMsg);

    State next = step.next;
    if (next != curr) {
      switch (curr) {
        case State::kName: {
          Instruction instruction;
          if (!KeywordFor(word, &instruction)) return LineError(line, kInvalidCommandMsg);
          cmd = Command{};
          cmd.instruction = instruction;
          cmd.line = keyword_line;
          if (instruction == Instruction::kParameter) next = State::kParameter;
          if (instruction == Instruction::kMessage) next = State::kMessage;
          break;
        }
        case State::kParameter:
          cmd.name = word;
          break;
        case State::kMessage:
          // Upstream quirk kept: a second space after MESSAGE ends an empty role here.
          if (!IsValidRole(word)) return LineError(line, kInvalidRoleMsg);
          cmd.name = word;
          break;
        case State::kComment:
        case State::kNil:
          if (next == State::kName) keyword_line = line;
          break;
        case State::kValue:
          // A value ends at a newline once its quotes (if any) are closed; spaces never end it.
          if (!value.Unquote(nullptr) || IsSpace(step.rune)) {
            value.Append(step.rune);
            continue;
          }
          value.Unquote(&cmd.args);
          file.commands.push_back(cmd);
          break;
      }
      word.clear();
      value.Clear();
      curr = next;
    }
    if (step.rune != 0 && IsPrint(step.rune)) {
      if (curr == State::kValue) {
        value.Append(step.rune);
      } else {
        utf8::Append(word, step.rune);
      }
    }
  }

  switch (curr) {
    case State::kComment:
    case State::kNil:
      break;
    case State::kValue:
      if (!value.Unquote(&cmd.args)) return Status::InvalidArgument("unexpected EOF");
      file.commands.push_back(cmd);
      break;
    default:
      return Status::InvalidArgument("unexpected EOF");
  }

  for (const Command& c : file.commands) {
    if (c.instruction == Instruction::kFrom) return file;
  }
  return Status::InvalidArgument("no FROM line");
}

}  // namespace olla::modelfile
