#include "tokenizer/pretokenize.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <string>
#include <utility>

#include "base/str_cat.h"
#include "base/utf8.h"

namespace olla::tokenizer {
namespace {

// The regexes below are written in PCRE2 syntax with two conventions:
//   * `\s` / `\S` mean Unicode White_Space (what llama.cpp's tables and HF's Oniguruma use);
//     ExpandWhitespace() rewrites them, because PCRE2's own UCP `\s` also takes U+180E.
//   * case-insensitive contractions are spelled out ('[sS]) instead of (?i:'s): PCRE2 folds
//     case by Unicode, so (?i:'s) would also accept U+017F (long s), which HF and llama.cpp
//     do not.
// Where llama.cpp had to rewrite a tokenizer.json regex for std::regex, we keep the original.

constexpr std::string_view kGpt2Regex =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

#define OLLA_CONTRACTIONS R"((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD]))"

constexpr std::string_view kDefault[] = {
    R"([\p{P}\$\+<=>\^~\|]+)",
    kGpt2Regex,
    R"(\p{N}+)",
    R"([0-9][0-9][0-9])",
};
constexpr std::string_view kGpt2[] = {kGpt2Regex};
constexpr std::string_view kLlama3[] = {
    OLLA_CONTRACTIONS
    R"(|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)",
};
constexpr std::string_view kQwen2[] = {
    OLLA_CONTRACTIONS
    R"(|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)",
};
constexpr std::string_view kSeedCoder[] = {
    OLLA_CONTRACTIONS
    R"(|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1}| ?[^\s\p{L}\p{N}\r\n]+|\s*[\r\n]+|\s+(?!\S)|\s+)",
};
// CJK ideographs, Samaritan..CJK, Hangul: "[一-龥ࠀ-一가-퟿]" in the deepseek tokenizer.json.
#define OLLA_DEEPSEEK_CJK R"([\x{4E00}-\x{9FA5}\x{0800}-\x{4E00}\x{AC00}-\x{D7FF}]+)"
constexpr std::string_view kDeepseekLlm[] = {
    R"([\r\n])",
    // Cased letters as listed (code point by code point) in deepseek-llm's tokenizer.json.
    R"(\s?[)"
    R"(\x{41}-\x{5A}\x{61}-\x{7A}\x{B5}\x{C0}-\x{D6}\x{D8}-\x{F6}\x{F8}-\x{1BA}\x{1BC}-\x{1BF})"
    R"(\x{1C4}-\x{293}\x{295}-\x{2AF}\x{370}-\x{373}\x{376}\x{377}\x{37B}-\x{37D}\x{37F}\x{386})"
    R"(\x{388}-\x{38A}\x{38C}\x{38E}-\x{3A1}\x{3A3}-\x{3F5}\x{3F7}-\x{481}\x{48A}-\x{52F})"
    R"(\x{531}-\x{556}\x{10A0}-\x{10C5}\x{13A0}-\x{13F5}\x{13F8}-\x{13FD}\x{1C90}-\x{1CBA})"
    R"(\x{1CBD}-\x{1CBF}\x{1D00}-\x{1D2B}\x{1D6B}-\x{1D77}\x{1D79}-\x{1D9A}\x{1E00}-\x{1F15})"
    R"(\x{1F18}-\x{1F1D}\x{1F20}-\x{1F45}\x{1F48}-\x{1F4D}\x{1F50}-\x{1F57}\x{1F59}\x{1F5B})"
    R"(\x{1F5D}\x{1F5F}-\x{1F7D}\x{1F80}-\x{1FB4}\x{1FB6}-\x{1FBC}\x{1FBE}\x{1FC2}-\x{1FC4})"
    R"(\x{1FC6}-\x{1FCC}\x{1FD0}-\x{1FD3}\x{1FD6}-\x{1FDB}\x{1FE0}-\x{1FEC}\x{1FF2}-\x{1FF4})"
    R"(\x{1FF6}-\x{1FFC}\x{2102}\x{2107}\x{210A}-\x{2113}\x{2115}\x{2119}-\x{211D}\x{2124})"
    R"(\x{2126}\x{2128}\x{212A}-\x{212D}\x{212F}-\x{2134}\x{2139}\x{213C}-\x{213F})"
    R"(\x{2145}-\x{2149}\x{214E}\x{2183}\x{2184}\x{2C00}-\x{2C7B}\x{2C7E}-\x{2CE4})"
    R"(\x{2CEB}-\x{2CEE}\x{2CF2}\x{2CF3}\x{A640}-\x{A66D}\x{A680}-\x{A69B}\x{A722}-\x{A76F})"
    R"(\x{A771}-\x{A787}\x{A78B}-\x{A78E}\x{AB70}-\x{ABBF}\x{FB00}-\x{FB06}\x{FB13}-\x{FB17})"
    R"(\x{FF21}-\x{FF3A}\x{FF41}-\x{FF5A}\x{10400}-\x{1044F}\x{104B0}-\x{104D3})"
    R"(\x{104D8}-\x{104FB}\x{10C80}-\x{10CB2}\x{10CC0}-\x{10CF2}\x{118A0}-\x{118DF})"
    R"(\x{1E900}-\x{1E943}]+)",
    // ASCII punctuation and symbols, their fullwidth forms, quotes, ideographic space..full stop.
    R"(\s?[!-/:-~\x{FF01}-\x{FF0F}\x{FF1A}-\x{FF5E}\x{2018}-\x{201F}\x{3000}-\x{3002}]+)",
    R"(\s+$)",
    OLLA_DEEPSEEK_CJK,
    R"(\p{N}+)",
};
constexpr std::string_view kDeepseekCoder[] = {
    R"([\r\n])", R"(\s?\p{L}+)", R"(\s?\p{P}+)", OLLA_DEEPSEEK_CJK, R"(\p{N})",
};
constexpr std::string_view kDeepseek3[] = {
    R"(\p{N}{1,3})",
    R"([\x{4E00}-\x{9FA5}\x{3040}-\x{309F}\x{30A0}-\x{30FF}]+)",
    R"([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+)"
    R"(| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)",
};
constexpr std::string_view kFalcon[] = {
    R"([\p{P}\$\+<=>\^~\|`]+)",
    kGpt2Regex,
    R"([0-9][0-9][0-9])",
};
constexpr std::string_view kStarcoder[] = {R"(\p{N})", kGpt2Regex};
// " ?[^(\s|.,!?…。，、।۔،)]+" in the bloom tokenizer.json.
#define OLLA_BLOOM R"( ?[^(\s|.,!?\x{2026}\x{3002}\x{FF0C}\x{3001}\x{0964}\x{06D4}\x{060C})]+)"
constexpr std::string_view kBloom[] = {OLLA_BLOOM};
constexpr std::string_view kViking[] = {OLLA_BLOOM, R"(\p{N})"};
#define OLLA_UPPER R"([\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}])"
#define OLLA_LOWER R"([\p{Ll}\p{Lm}\p{Lo}\p{M}])"
// clang-format off
constexpr std::string_view kTekken[] = {
    R"([^\r\n\p{L}\p{N}]?)" OLLA_UPPER "*" OLLA_LOWER "+"
    R"(|[^\r\n\p{L}\p{N}]?)" OLLA_UPPER "+" OLLA_LOWER "*"
    R"(|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)",
};
constexpr std::string_view kGpt4o[] = {
    R"([^\r\n\p{L}\p{N}]?)" OLLA_UPPER "*" OLLA_LOWER "+" OLLA_CONTRACTIONS "?"
    R"(|[^\r\n\p{L}\p{N}]?)" OLLA_UPPER "+" OLLA_LOWER "*" OLLA_CONTRACTIONS "?"
    R"(|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)",
};

// clang-format on

#undef OLLA_CONTRACTIONS
#undef OLLA_DEEPSEEK_CJK
#undef OLLA_BLOOM
#undef OLLA_UPPER
#undef OLLA_LOWER

struct PreAlias {
  std::string_view alias;
  PreTokenizerConfig config;
};

// clang-format off
// name → {canonical, regexes, clean_spaces, ignore_merges, add_bos}, as llama.cpp sets them.
const PreAlias kPreTokenizers[] = {
    {"default",          {"default", kDefault, true, false, false}},
    {"llama3",           {"llama3", kLlama3, true, true, true}},
    {"llama-v3",         {"llama3", kLlama3, true, true, true}},
    {"llama-bpe",        {"llama3", kLlama3, true, true, true}},
    {"falcon3",          {"llama3", kLlama3, true, true, true}},
    {"falcon-h1",        {"llama3", kLlama3, true, true, true}},
    {"pixtral",          {"llama3", kLlama3, true, true, true}},
    {"dbrx",             {"dbrx", kLlama3, true, false, false}},
    {"smaug-bpe",        {"smaug-bpe", kLlama3, true, false, false}},
    {"chatglm-bpe",      {"chatglm-bpe", kLlama3, true, false, false}},
    {"glm4",             {"chatglm-bpe", kLlama3, true, false, false}},
    {"deepseek-llm",     {"deepseek-llm", kDeepseekLlm, false, false, false}},
    {"deepseek-coder",   {"deepseek-coder", kDeepseekCoder, false, false, false}},
    {"deepseek-v3",      {"deepseek-v3", kDeepseek3, false, false, false}},
    {"falcon",           {"falcon", kFalcon, true, false, false}},
    {"gpt-2",            {"gpt-2", kGpt2, true, false, false}},
    {"gpt2",             {"gpt-2", kGpt2, true, false, false}},
    {"phi-2",            {"gpt-2", kGpt2, true, false, false}},
    {"gpt-neox",         {"gpt-2", kGpt2, true, false, false}},
    {"jina-es",          {"gpt-2", kGpt2, true, false, false}},
    {"jina-de",          {"gpt-2", kGpt2, true, false, false}},
    {"jina-v2-es",       {"gpt-2", kGpt2, true, false, false}},
    {"jina-v2-de",       {"gpt-2", kGpt2, true, false, false}},
    {"gigachat",         {"gpt-2", kGpt2, true, false, false}},
    {"mpt",              {"mpt", kGpt2, true, false, false}},
    {"olmo",             {"olmo", kGpt2, true, false, false}},
    {"jais",             {"jais", kGpt2, true, false, false}},
    {"trillion",         {"trillion", kGpt2, false, false, false}},
    {"starcoder",        {"starcoder", kStarcoder, true, false, false}},
    {"refact",           {"refact", kStarcoder, true, false, false}},
    {"command-r",        {"command-r", kStarcoder, false, false, false}},
    {"smollm",           {"smollm", kStarcoder, false, false, false}},
    {"codeshell",        {"codeshell", kStarcoder, true, false, false}},
    {"exaone",           {"exaone", kStarcoder, true, false, false}},
    {"minerva-7b",       {"minerva-7b", kStarcoder, true, false, false}},
    {"qwen2",            {"qwen2", kQwen2, false, false, false}},
    {"deepseek-r1-qwen", {"qwen2", kQwen2, false, false, false}},
    {"stablelm2",        {"stablelm2", kQwen2, true, false, false}},
    {"hunyuan",          {"hunyuan", kQwen2, true, false, false}},
    {"grok-2",           {"grok-2", kQwen2, true, false, false}},
    {"seed-coder",       {"seed-coder", kSeedCoder, false, false, false}},
    {"poro-chat",        {"poro-chat", kBloom, false, false, false}},
    {"bloom",            {"bloom", kBloom, true, false, false}},
    {"gpt3-finnish",     {"gpt3-finnish", kBloom, true, false, false}},
    {"viking",           {"viking", kViking, false, false, false}},
    {"tekken",           {"tekken", kTekken, false, true, true}},
    {"gpt-4o",           {"gpt-4o", kGpt4o, false, false, false}},
    {"llama4",           {"gpt-4o", kGpt4o, false, false, false}},
};
// clang-format on

// Rewrites `\s` and `\S` to explicit White_Space classes (see the note at the top).
std::string ExpandWhitespace(std::string_view pattern) {
  constexpr std::string_view kWhite = R"(\t-\r\x{85}\p{Z})";
  std::string out;
  out.reserve(pattern.size() + 32);
  bool in_class = false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      char e = pattern[i + 1];
      ++i;
      if (e == 's') {
        StrAppend(out, in_class ? "" : "[", kWhite, in_class ? "" : "]");
      } else if (e == 'S' && !in_class) {
        StrAppend(out, "[^", kWhite, "]");
      } else {
        out.push_back(c);
        out.push_back(e);
      }
      continue;
    }
    if (c == '[' && !in_class) {
      in_class = true;
    } else if (c == ']' && in_class) {
      in_class = false;
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

struct PreTokenizer::Regex {
  pcre2_code* code = nullptr;
  ~Regex() { pcre2_code_free(code); }
};

const PreTokenizerConfig* FindPreTokenizer(std::string_view name) {
  for (const PreAlias& p : kPreTokenizers) {
    if (p.alias == name) return &p.config;
  }
  return nullptr;
}

PreTokenizer::PreTokenizer() = default;
PreTokenizer::PreTokenizer(PreTokenizer&&) noexcept = default;
PreTokenizer& PreTokenizer::operator=(PreTokenizer&&) noexcept = default;
PreTokenizer::~PreTokenizer() = default;

Result<PreTokenizer> PreTokenizer::Create(std::string_view name) {
  const PreTokenizerConfig* config = FindPreTokenizer(name);
  if (config == nullptr) {
    return Status::Unsupported(
        StrCat("tokenizer: unknown pre-tokenizer tokenizer.ggml.pre = '", name, "'"));
  }
  return FromRegexes(config->regexes);
}

Result<PreTokenizer> PreTokenizer::FromRegexes(std::span<const std::string_view> patterns) {
  PreTokenizer pre;
  for (std::string_view pattern : patterns) {
    std::string expanded = ExpandWhitespace(pattern);
    int error = 0;
    PCRE2_SIZE error_offset = 0;
    auto regex = std::make_unique<Regex>();
    // DOLLAR_ENDONLY: `$` is the end of the piece, not also "before a final newline".
    regex->code =
        pcre2_compile(reinterpret_cast<PCRE2_SPTR>(expanded.data()), expanded.size(),
                      PCRE2_UTF | PCRE2_UCP | PCRE2_DOLLAR_ENDONLY, &error, &error_offset, nullptr);
    if (regex->code == nullptr) {
      PCRE2_UCHAR message[256];
      pcre2_get_error_message(error, message, sizeof(message));
      return Status::InvalidArgument(StrCat("tokenizer: bad pre-tokenizer regex at offset ",
                                            error_offset, ": ",
                                            reinterpret_cast<const char*>(message)));
    }
    // JIT is an optimisation only: without it pcre2_match interprets.
    (void)pcre2_jit_compile(regex->code, PCRE2_JIT_COMPLETE);
    pre.regexes_.push_back(std::move(regex));
  }
  return pre;
}

namespace {

struct MatchDataDeleter {
  void operator()(pcre2_match_data* md) const { pcre2_match_data_free(md); }
};

// Splits `piece` by `code` into matches and the gaps between them, appending to `out`.
void SplitPiece(const pcre2_code* code, std::string_view piece, pcre2_match_data* match,
                std::vector<std::string_view>& out) {
  const auto* subject = reinterpret_cast<PCRE2_SPTR>(piece.data());
  size_t emitted = 0;  // end of what has been appended so far
  size_t search = 0;
  while (search < piece.size()) {
    int rc = pcre2_match(code, subject, piece.size(), search, PCRE2_NO_UTF_CHECK, match, nullptr);
    // No match, or a matching limit hit on hostile input: the rest stays one piece.
    if (rc < 0) break;
    const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(match);
    size_t start = ovector[0];
    size_t end = ovector[1];
    if (end <= start) {  // an empty match: retry one character later
      if (start >= piece.size()) break;
      size_t len = utf8::SequenceLength(static_cast<uint8_t>(piece[start]));
      search = start + (len == 0 ? 1 : len);
      continue;
    }
    if (start > emitted) out.push_back(piece.substr(emitted, start - emitted));
    out.push_back(piece.substr(start, end - start));
    emitted = search = end;
  }
  if (emitted < piece.size()) out.push_back(piece.substr(emitted));
}

}  // namespace

std::vector<std::string_view> PreTokenizer::Split(std::string_view text) const {
  std::vector<std::string_view> pieces;
  if (text.empty()) return pieces;
  pieces.push_back(text);
  if (regexes_.empty()) return pieces;
  std::unique_ptr<pcre2_match_data, MatchDataDeleter> match(pcre2_match_data_create(1, nullptr));
  if (match == nullptr) return pieces;  // out of memory: one piece is still a valid split
  std::vector<std::string_view> next;
  for (const auto& regex : regexes_) {
    next.clear();
    next.reserve(pieces.size() * 2);
    for (std::string_view piece : pieces) SplitPiece(regex->code, piece, match.get(), next);
    pieces.swap(next);
  }
  return pieces;
}

}  // namespace olla::tokenizer
