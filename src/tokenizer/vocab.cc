#include "tokenizer/vocab.h"

#include <algorithm>
#include <cctype>
#include <limits>

#include "base/ascii.h"
#include "base/check.h"
#include "base/str_cat.h"
#include "tokenizer/pretokenize.h"

namespace olla::tokenizer {
namespace {

constexpr std::string_view kPrefix = "tokenizer.ggml.";

std::string Key(std::string_view suffix) { return StrCat(kPrefix, suffix); }

// The array at `key` with elements of `want` type(s); nullptr if absent and !required.
Result<const gguf::Array*> GetTypedArray(const gguf::Metadata& md, const std::string& key,
                                         bool required, bool (*elem_ok)(gguf::ValueType)) {
  if (!md.Contains(key)) {
    if (required) return Status::NotFound(StrCat("tokenizer: missing metadata key ", key));
    return static_cast<const gguf::Array*>(nullptr);
  }
  auto array = md.GetArray(key);
  if (!array.ok()) return Status::Corrupt(StrCat("tokenizer: ", key, " is not an array"));
  if (!elem_ok((*array)->elem_type)) {
    return Status::Corrupt(StrCat("tokenizer: ", key, " has elements of type ",
                                  gguf::ValueTypeName((*array)->elem_type)));
  }
  return *array;
}

bool IsStringType(gguf::ValueType t) { return t == gguf::ValueType::kString; }
bool IsFloatType(gguf::ValueType t) {
  return t == gguf::ValueType::kFloat32 || t == gguf::ValueType::kFloat64;
}
bool IsIntType(gguf::ValueType t) {
  return t != gguf::ValueType::kString && t != gguf::ValueType::kArray &&
         t != gguf::ValueType::kBool && !IsFloatType(t);
}

Result<bool> GetFlag(const gguf::Metadata& md, std::string_view suffix, bool fallback) {
  std::string key = Key(suffix);
  auto value = md.GetBoolOr(key, fallback);
  if (!value.ok()) return Status::Corrupt(StrCat("tokenizer: ", key, " is not a bool"));
  return *value;
}

// Reads a token id key. Absent, 4294967295 or negative: `*id` keeps its default or becomes
// kNoToken respectively. Out of range: an error if `strict`, else ignored.
Status ReadTokenId(const gguf::Metadata& md, std::string_view suffix, TokenId n_tokens, bool strict,
                   TokenId* id, bool* present = nullptr) {
  std::string key = Key(suffix);
  const gguf::Value* value = md.Find(key);
  if (present != nullptr) *present = value != nullptr;
  if (value == nullptr) return Status::Ok();
  if (!value->is_integer()) {
    return Status::Corrupt(
        StrCat("tokenizer: ", key, " has type ", gguf::ValueTypeName(value->type())));
  }
  auto as_int = value->AsInt();
  if (!as_int.ok()) {  // a uint64 above INT64_MAX: treat UINT64_MAX like UINT32_MAX
    *id = kNoToken;
    return Status::Ok();
  }
  int64_t raw = *as_int;
  if (raw < 0 || raw == std::numeric_limits<uint32_t>::max()) {
    *id = kNoToken;
    return Status::Ok();
  }
  if (raw >= n_tokens) {
    if (strict) {
      return Status::Corrupt(
          StrCat("tokenizer: ", key, " = ", raw, " is out of range (", n_tokens, " tokens)"));
    }
    return Status::Ok();
  }
  *id = static_cast<TokenId>(raw);
  return Status::Ok();
}

// Token texts that end a turn, in llama.cpp's order of preference for `eot`.
constexpr std::string_view kEotTexts[] = {
    "<|eot_id|>",         "<|im_end|>", "<|end|>", "<end_of_turn>",
    "<|endoftext|>",      "<EOT>",      "_<EOT>",  "<｜end▁of▁sentence｜>",
    "<end_of_utterance>",
};
// Further texts that end generation wherever they appear.
constexpr std::string_view kEogTexts[] = {
    "<|eot_id|>",    "<|im_end|>", "<|end|>", "<|return|>", "<|call|>",        "<end_of_turn>",
    "<|endoftext|>", "<|eom_id|>", "<EOT>",   "_<EOT>",     "<|end_of_text|>", "<end_of_utterance>",
};

}  // namespace

const TokenData& Vocab::Token(TokenId id) const {
  OLLA_CHECK(IsValid(id));
  return tokens_[static_cast<size_t>(id)];
}

TokenId Vocab::Find(std::string_view text) const { return index_.Find(text); }

bool Vocab::IsEog(TokenId id) const {
  return std::find(eog_ids_.begin(), eog_ids_.end(), id) != eog_ids_.end();
}

Result<Vocab> Vocab::FromMetadata(const gguf::Metadata& md) {
  Vocab vocab;
  std::string model_key = Key("model");
  if (!md.Contains(model_key)) {
    return Status::NotFound(StrCat("tokenizer: missing metadata key ", model_key));
  }
  auto model = md.GetString(model_key);
  if (!model.ok()) return Status::Corrupt(StrCat("tokenizer: ", model_key, " is not a string"));
  vocab.model_name_ = *model;
  if (vocab.model_name_ == "llama") {
    vocab.type_ = ModelType::kSpm;
  } else if (vocab.model_name_ == "gpt2") {
    vocab.type_ = ModelType::kBpe;
  } else if (vocab.model_name_ == "bert") {
    vocab.type_ = ModelType::kWpm;
  } else {
    return Status::Unsupported(
        StrCat("tokenizer: unsupported ", model_key, " = '", vocab.model_name_, "'"));
  }
  OLLA_RETURN_IF_ERROR(vocab.LoadTokens(md));
  OLLA_RETURN_IF_ERROR(vocab.LoadSettings(md));
  OLLA_RETURN_IF_ERROR(vocab.LoadSpecialIds(md));
  vocab.BuildCaches(md);
  return vocab;
}

Status Vocab::LoadTokens(const gguf::Metadata& md) {
  const std::string tokens_key = Key("tokens");
  OLLA_ASSIGN_OR_RETURN(const gguf::Array* tokens,
                        GetTypedArray(md, tokens_key, true, IsStringType));
  const size_t n = tokens->items.size();
  if (n == 0) return Status::Corrupt(StrCat("tokenizer: ", tokens_key, " is empty"));
  if (n >= static_cast<size_t>(std::numeric_limits<TokenId>::max())) {
    return Status::Corrupt(StrCat("tokenizer: ", tokens_key, " has too many entries (", n, ")"));
  }
  const std::string scores_key = Key("scores");
  OLLA_ASSIGN_OR_RETURN(const gguf::Array* scores,
                        GetTypedArray(md, scores_key, false, IsFloatType));
  if (scores != nullptr && scores->items.size() != n) {
    return Status::Corrupt(StrCat("tokenizer: ", scores_key, " has ", scores->items.size(),
                                  " entries for ", n, " tokens"));
  }
  const std::string types_key = Key("token_type");
  OLLA_ASSIGN_OR_RETURN(const gguf::Array* types, GetTypedArray(md, types_key, false, IsIntType));
  if (types != nullptr && types->items.size() != n) {
    return Status::Corrupt(StrCat("tokenizer: ", types_key, " has ", types->items.size(),
                                  " entries for ", n, " tokens"));
  }

  tokens_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    TokenData& token = tokens_[i];
    const std::string* text = tokens->items[i].AsString();
    if (text == nullptr)
      return Status::Corrupt(StrCat("tokenizer: ", tokens_key, "[", i, "] is not a string"));
    token.text = *text;
    // llama.cpp renames empty tokens so that every text is unique and non-empty.
    if (token.text.empty()) token.text = StrCat("[EMPTY_", i, "]");
    if (scores != nullptr) {
      auto score = scores->items[i].AsDouble();
      if (score.ok()) token.score = static_cast<float>(*score);
    }
    if (types != nullptr) {
      auto type = types->items[i].AsInt();
      int64_t t = type.ok() ? *type : 0;
      token.type = (t >= 1 && t <= 6) ? static_cast<TokenType>(t) : TokenType::kUndefined;
    }
  }

  index_.Reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const std::string& text = tokens_[i].text;
    index_.Insert(text, static_cast<TokenId>(i));  // the last duplicate wins, as in llama.cpp
    max_token_len_ = std::max(max_token_len_, text.size());
  }

  if (type_ == ModelType::kBpe) {
    const std::string merges_key = Key("merges");
    OLLA_ASSIGN_OR_RETURN(const gguf::Array* merges,
                          GetTypedArray(md, merges_key, true, IsStringType));
    merges_.reserve(merges->items.size());
    for (const gguf::Value& m : merges->items) {
      const std::string* merge = m.AsString();
      if (merge == nullptr)
        return Status::Corrupt(StrCat("tokenizer: ", merges_key, " has a non-string"));
      merges_.push_back(*merge);
    }
  }
  return Status::Ok();
}

Status Vocab::LoadSettings(const gguf::Metadata& md) {
  const std::string pre_key = Key("pre");
  auto pre = md.GetStringOr(pre_key, "default");
  if (!pre.ok()) return Status::Corrupt(StrCat("tokenizer: ", pre_key, " is not a string"));
  pre_ = *pre;

  switch (type_) {
    case ModelType::kSpm:
      add_bos_ = true;
      add_space_prefix_ = true;
      clean_spaces_ = false;
      break;
    case ModelType::kBpe: {
      const PreTokenizerConfig* config = FindPreTokenizer(pre_);
      if (config == nullptr) {
        return Status::Unsupported(
            StrCat("tokenizer: unknown pre-tokenizer ", pre_key, " = '", pre_, "'"));
      }
      add_bos_ = config->add_bos;
      clean_spaces_ = config->clean_spaces;
      ignore_merges_ = config->ignore_merges;
      break;
    }
    case ModelType::kWpm:
      add_bos_ = true;  // [CLS]
      add_sep_ = true;  // [SEP]
      clean_spaces_ = true;
      break;
  }
  OLLA_ASSIGN_OR_RETURN(add_bos_, GetFlag(md, "add_bos_token", add_bos_));
  OLLA_ASSIGN_OR_RETURN(add_eos_, GetFlag(md, "add_eos_token", add_eos_));
  OLLA_ASSIGN_OR_RETURN(add_sep_, GetFlag(md, "add_sep_token", add_sep_));
  OLLA_ASSIGN_OR_RETURN(add_space_prefix_, GetFlag(md, "add_space_prefix", add_space_prefix_));
  return Status::Ok();
}

Status Vocab::LoadSpecialIds(const gguf::Metadata& md) {
  const TokenId n = n_tokens();
  auto default_id = [n](TokenId id) { return id < n ? id : kNoToken; };
  switch (type_) {
    case ModelType::kSpm:
      special_.bos = default_id(1);
      special_.eos = default_id(2);
      special_.unk = default_id(0);
      break;
    case ModelType::kBpe:
      special_.bos = default_id(11);
      special_.eos = default_id(11);
      break;
    case ModelType::kWpm:
      special_.bos = default_id(101);
      special_.unk = default_id(100);
      special_.sep = default_id(102);
      special_.pad = default_id(0);
      special_.mask = default_id(103);
      break;
  }
  bool has_bos = false;
  OLLA_RETURN_IF_ERROR(ReadTokenId(md, "bos_token_id", n, true, &special_.bos, &has_bos));
  OLLA_RETURN_IF_ERROR(ReadTokenId(md, "eos_token_id", n, true, &special_.eos));
  OLLA_RETURN_IF_ERROR(ReadTokenId(md, "unknown_token_id", n, true, &special_.unk));
  OLLA_RETURN_IF_ERROR(ReadTokenId(md, "seperator_token_id", n, true, &special_.sep));
  TokenId cls = kNoToken;
  bool has_cls = false;
  OLLA_RETURN_IF_ERROR(ReadTokenId(md, "cls_token_id", n, true, &cls, &has_cls));
  if (type_ == ModelType::kWpm && has_cls && !has_bos) special_.bos = cls;
  OLLA_RETURN_IF_ERROR(ReadTokenId(md, "padding_token_id", n, false, &special_.pad));
  OLLA_RETURN_IF_ERROR(ReadTokenId(md, "mask_token_id", n, false, &special_.mask));
  bool has_eot = false;
  bool has_eom = false;
  OLLA_RETURN_IF_ERROR(ReadTokenId(md, "eot_token_id", n, false, &special_.eot, &has_eot));
  OLLA_RETURN_IF_ERROR(ReadTokenId(md, "eom_token_id", n, false, &special_.eom, &has_eom));
  // Without keys, find the end-of-turn markers by their text, as llama.cpp does.
  if (!has_eot) {
    for (std::string_view text : kEotTexts) {
      special_.eot = Find(text);
      if (special_.eot != kNoToken) break;
    }
  }
  if (!has_eom) special_.eom = Find("<|eom_id|>");
  return Status::Ok();
}

void Vocab::BuildCaches(const gguf::Metadata& md) {
  const TokenId n = n_tokens();
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (int b = 0; b < 256; ++b) {
    const char name[] = {'<', '0', 'x', kHex[b >> 4], kHex[b & 15], '>'};
    TokenId id = Find(std::string_view(name, sizeof(name)));
    if (id == kNoToken) id = Find(std::string(1, static_cast<char>(b)));
    byte_tokens_[static_cast<size_t>(b)] = id;
  }

  // End-of-generation markers; those found by text become control tokens if they were not.
  auto add_eog = [this](TokenId id) {
    if (id == kNoToken || IsEog(id)) return;
    eog_ids_.push_back(id);
  };
  add_eog(special_.eos);
  add_eog(special_.eot);
  add_eog(special_.eom);
  for (std::string_view text : kEogTexts) {
    TokenId id = Find(text);
    if (id == kNoToken) continue;
    add_eog(id);
    if (tokens_[static_cast<size_t>(id)].type == TokenType::kNormal) {
      tokens_[static_cast<size_t>(id)].type = TokenType::kControl;
    }
  }

  for (TokenId id = 0; id < n; ++id) {
    TokenType t = tokens_[static_cast<size_t>(id)].type;
    if (t == TokenType::kControl || t == TokenType::kUserDefined || t == TokenType::kUnknown) {
      special_by_length_.push_back(id);
    }
  }
  std::stable_sort(special_by_length_.begin(), special_by_length_.end(),
                   [this](TokenId a, TokenId b) { return Text(a).size() > Text(b).size(); });

  // Strip attributes that llama.cpp attaches by model name (they are not in GGUF).
  auto name = md.GetStringOr("general.name", "");
  std::string model_name = AsciiToLower(name.ok() ? *name : "");
  if (model_name.find("phi-3") != std::string::npos ||
      model_name.find("phi3") != std::string::npos) {
    for (TokenId id : special_by_length_) tokens_[static_cast<size_t>(id)].rstrip = true;
    for (std::string_view text : {"</s>"}) {
      if (TokenId id = Find(text); id != kNoToken) tokens_[static_cast<size_t>(id)].rstrip = true;
    }
    for (std::string_view text : {"<unk>", "<s>", "<|endoftext|>"}) {
      if (TokenId id = Find(text); id != kNoToken) tokens_[static_cast<size_t>(id)].rstrip = false;
    }
  }
  if (pre_ == "jina-v2-de" || pre_ == "jina-v2-es" || pre_ == "jina-v2-code") {
    if (TokenId id = Find("<mask>"); id != kNoToken) tokens_[static_cast<size_t>(id)].lstrip = true;
  }
}

}  // namespace olla::tokenizer
