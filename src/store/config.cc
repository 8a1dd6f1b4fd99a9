#include "store/config.h"

#include <nlohmann/json.hpp>

#include "base/str_cat.h"
#include "store/go_json.h"

namespace olla::store {
namespace {

using nlohmann::json;

void AppendField(std::string& out, std::string_view key) {
  if (out.size() > 1) out.push_back(',');
  AppendGoJsonString(out, key);
  out.push_back(':');
}

void AppendStringField(std::string& out, std::string_view key, const std::string& value,
                       bool omit_empty) {
  if (omit_empty && value.empty()) return;
  AppendField(out, key);
  AppendGoJsonString(out, value);
}

void AppendStringArray(std::string& out, const std::vector<std::string>& values) {
  out.push_back('[');
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendGoJsonString(out, values[i]);
  }
  out.push_back(']');
}

Status GetString(const json& obj, const char* key, std::string* out) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return Status::Ok();
  if (!it->is_string()) return Status::Corrupt(StrCat("config: ", key, " is not a string"));
  *out = it->get<std::string>();
  return Status::Ok();
}

Status GetStrings(const json& obj, const char* key, std::vector<std::string>* out, bool* present) {
  auto it = obj.find(key);
  if (present) *present = false;
  if (it == obj.end() || it->is_null()) return Status::Ok();
  if (!it->is_array()) return Status::Corrupt(StrCat("config: ", key, " is not an array"));
  for (const auto& e : *it) {
    if (!e.is_string()) return Status::Corrupt(StrCat("config: ", key, " has a non-string"));
    out->push_back(e.get<std::string>());
  }
  if (present) *present = true;
  return Status::Ok();
}

Status GetInt(const json& obj, const char* key, int64_t* out) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return Status::Ok();
  if (!it->is_number_integer() ||
      (it->is_number_unsigned() && it->get<uint64_t>() > uint64_t{INT64_MAX})) {
    return Status::Corrupt(StrCat("config: ", key, " is not an integer"));
  }
  *out = it->get<int64_t>();
  return Status::Ok();
}

Result<ModelConfig> ParseConfigJson(const json& root) {
  if (!root.is_object()) return Status::Corrupt("config: not a JSON object");
  ModelConfig c;
  c.architecture.clear();
  c.os.clear();
  OLLA_RETURN_IF_ERROR(GetString(root, "model_format", &c.model_format));
  OLLA_RETURN_IF_ERROR(GetString(root, "model_family", &c.model_family));
  std::vector<std::string> families;
  bool have_families = false;
  OLLA_RETURN_IF_ERROR(GetStrings(root, "model_families", &families, &have_families));
  if (have_families) c.model_families = std::move(families);
  OLLA_RETURN_IF_ERROR(GetString(root, "model_type", &c.model_type));
  OLLA_RETURN_IF_ERROR(GetString(root, "file_type", &c.file_type));
  OLLA_RETURN_IF_ERROR(GetString(root, "renderer", &c.renderer));
  OLLA_RETURN_IF_ERROR(GetString(root, "parser", &c.parser));
  OLLA_RETURN_IF_ERROR(GetString(root, "requires", &c.requires_version));
  OLLA_RETURN_IF_ERROR(GetString(root, "remote_host", &c.remote_host));
  OLLA_RETURN_IF_ERROR(GetString(root, "remote_model", &c.remote_model));
  OLLA_RETURN_IF_ERROR(GetStrings(root, "capabilities", &c.capabilities, nullptr));
  OLLA_RETURN_IF_ERROR(GetInt(root, "context_length", &c.context_length));
  OLLA_RETURN_IF_ERROR(GetInt(root, "embedding_length", &c.embedding_length));
  OLLA_RETURN_IF_ERROR(GetString(root, "base_name", &c.base_name));
  if (auto it = root.find("draft"); it != root.end() && !it->is_null()) {
    if (!it->is_object()) return Status::Corrupt("config: draft is not an object");
    DraftConfig d;
    OLLA_RETURN_IF_ERROR(GetString(*it, "model_format", &d.model_format));
    OLLA_RETURN_IF_ERROR(GetString(*it, "architecture", &d.architecture));
    OLLA_RETURN_IF_ERROR(GetString(*it, "tensor_prefix", &d.tensor_prefix));
    OLLA_RETURN_IF_ERROR(GetString(*it, "config", &d.config));
    c.draft = std::move(d);
  }
  OLLA_RETURN_IF_ERROR(GetString(root, "architecture", &c.architecture));
  OLLA_RETURN_IF_ERROR(GetString(root, "os", &c.os));
  return c;
}

// A JSON value is "empty" for Go's omitempty: "", null, [], {} (false/0 are not used here).
bool IsEmptyValue(const json& v) {
  return v.is_null() || (v.is_string() && v.get_ref<const std::string&>().empty()) ||
         ((v.is_array() || v.is_object()) && v.empty());
}

}  // namespace

std::string EncodeModelConfig(const ModelConfig& c) {
  std::string out = "{";
  AppendStringField(out, "model_format", c.model_format, false);
  AppendStringField(out, "model_family", c.model_family, false);
  AppendField(out, "model_families");
  if (c.model_families) {
    AppendStringArray(out, *c.model_families);
  } else {
    out += "null";
  }
  AppendStringField(out, "model_type", c.model_type, false);
  AppendStringField(out, "file_type", c.file_type, false);
  AppendStringField(out, "renderer", c.renderer, true);
  AppendStringField(out, "parser", c.parser, true);
  AppendStringField(out, "requires", c.requires_version, true);
  AppendStringField(out, "remote_host", c.remote_host, true);
  AppendStringField(out, "remote_model", c.remote_model, true);
  if (!c.capabilities.empty()) {
    AppendField(out, "capabilities");
    AppendStringArray(out, c.capabilities);
  }
  if (c.context_length != 0) {
    AppendField(out, "context_length");
    out += std::to_string(c.context_length);
  }
  if (c.embedding_length != 0) {
    AppendField(out, "embedding_length");
    out += std::to_string(c.embedding_length);
  }
  AppendStringField(out, "base_name", c.base_name, true);
  if (c.draft) {
    AppendField(out, "draft");
    std::string d = "{";
    AppendStringField(d, "model_format", c.draft->model_format, true);
    AppendStringField(d, "architecture", c.draft->architecture, true);
    AppendStringField(d, "tensor_prefix", c.draft->tensor_prefix, true);
    AppendStringField(d, "config", c.draft->config, true);
    d.push_back('}');
    out += d;
  }
  AppendStringField(out, "architecture", c.architecture, false);
  AppendStringField(out, "os", c.os, false);
  out += "}\n";
  return out;
}

Result<ModelConfig> ParseModelConfig(std::string_view bytes) {
  json root = json::parse(bytes.begin(), bytes.end(), nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return Status::Corrupt("config: invalid JSON");
  try {
    return ParseConfigJson(root);
  } catch (const json::exception& e) {
    return Status::Corrupt(StrCat("config: ", e.what()));
  }
}

std::string_view FileTypeLabel(int64_t file_type) {
  switch (file_type) {
    case 0:
      return "F32";
    case 1:
      return "F16";
    case 2:
      return "Q4_0";
    case 3:
      return "Q4_1";
    case 4:  // llama.cpp's retired Q4_1_SOME_F16; Ollama's own gpt-oss files use it for MXFP4
      return "MXFP4";
    case 7:
      return "Q8_0";
    case 8:
      return "Q5_0";
    case 9:
      return "Q5_1";
    case 10:
      return "Q2_K";
    case 11:
      return "Q3_K_S";
    case 12:
      return "Q3_K_M";
    case 13:
      return "Q3_K_L";
    case 14:
      return "Q4_K_S";
    case 15:
      return "Q4_K_M";
    case 16:
      return "Q5_K_S";
    case 17:
      return "Q5_K_M";
    case 18:
      return "Q6_K";
    case 19:
      return "IQ2_XXS";
    case 20:
      return "IQ2_XS";
    case 21:
      return "Q2_K_S";
    case 22:
      return "IQ3_XS";
    case 23:
      return "IQ3_XXS";
    case 24:
      return "IQ1_S";
    case 25:
      return "IQ4_NL";
    case 26:
      return "IQ3_S";
    case 27:
      return "IQ3_M";
    case 28:
      return "IQ2_S";
    case 29:
      return "IQ2_M";
    case 30:
      return "IQ4_XS";
    case 31:
      return "IQ1_M";
    case 32:
      return "BF16";
    case 36:
      return "TQ1_0";
    case 37:
      return "TQ2_0";
    case 38:
      return "MXFP4_MOE";
    case 39:
      return "NVFP4";
    case 40:
      return "Q1_0";
    default:
      return "unknown";
  }
}

Result<std::string> EncodeParamsLayer(const nlohmann::json& params) {
  if (!params.is_object()) return Status::InvalidArgument("params layer: not a JSON object");
  OLLA_ASSIGN_OR_RETURN(std::string out, GoMarshal(params));
  return out + "\n";
}

Result<std::string> EncodeMessagesLayer(const nlohmann::json& messages) {
  if (!messages.is_array()) return Status::InvalidArgument("messages layer: not a JSON array");
  static constexpr const char* kOptional[] = {"thinking", "images", "tool_calls", "tool_name",
                                              "tool_call_id"};
  std::string out = "[";
  for (size_t i = 0; i < messages.size(); ++i) {
    const json& m = messages[i];
    if (!m.is_object()) {
      return Status::InvalidArgument(StrCat("messages layer: message ", i, " is not an object"));
    }
    if (i > 0) out.push_back(',');
    std::string obj = "{";
    for (const char* key : {"role", "content"}) {
      auto it = m.find(key);
      if (it != m.end() && !it->is_null() && !it->is_string()) {
        return Status::InvalidArgument(
            StrCat("messages layer: message ", i, ": ", key, " is not a string"));
      }
      AppendStringField(obj, key, it == m.end() || it->is_null() ? "" : it->get<std::string>(),
                        false);
    }
    for (const char* key : kOptional) {
      auto it = m.find(key);
      if (it == m.end() || IsEmptyValue(*it)) continue;
      AppendField(obj, key);
      OLLA_ASSIGN_OR_RETURN(std::string value, GoMarshal(*it));
      obj += value;
    }
    obj.push_back('}');
    out += obj;
  }
  out += "]\n";
  return out;
}

}  // namespace olla::store
