// ParseCreateRequest and MergeParameters (spec §3.10): the request side of POST /api/create.

#include <cmath>

#include "api/json_request.h"
#include "base/str_cat.h"
#include "base/utf8.h"
#include "create/create_model.h"

namespace olla::create {

using nlohmann::json;

namespace {

constexpr std::string_view kGoType = "CreateRequest";

// Go's io/fs.ValidPath: valid UTF-8, slash-separated, no empty, "." or ".." element ("." alone
// is valid).
bool IsValidFsPath(std::string_view name) {
  if (!utf8::IsValid(name)) return false;
  if (name == ".") return true;
  while (true) {
    const size_t slash = name.find('/');
    const std::string_view elem = name.substr(0, slash);
    if (elem.empty() || elem == "." || elem == "..") return false;
    if (slash == std::string_view::npos) return true;
    name.remove_prefix(slash + 1);
  }
}

Result<std::map<std::string, store::Digest>> ParseFileMap(const api::Fields& f,
                                                          std::string_view key, bool* present) {
  std::map<std::string, store::Digest> out;
  const json* v = f.Raw(key);
  *present = v != nullptr;
  if (!v) return out;
  if (!v->is_object()) return f.TypeError(key, *v, "map[string]string");
  for (const auto& [name, digest] : v->items()) {
    if (!digest.is_string()) return f.TypeError(key, digest, "string");
    if (!IsValidFsPath(name)) return Status::InvalidArgument("file path must be relative");
    auto d = store::Digest::ParseLenient(digest.get<std::string>());
    if (!d.ok()) return Status::InvalidArgument("invalid digest format");
    out.emplace(name, *d);
  }
  return out;
}

Result<std::vector<std::string>> ParseLicense(const json* v) {
  std::vector<std::string> out;
  if (!v) return out;
  if (v->is_string()) {
    if (!v->get<std::string>().empty()) out.push_back(v->get<std::string>());
    return out;
  }
  if (!v->is_array()) {
    return Status::InvalidArgument(StrCat("json: cannot unmarshal ", api::JsonKindName(*v),
                                          " into Go value of type []string"));
  }
  for (const json& item : *v) {
    if (!item.is_string()) {
      return Status::InvalidArgument(StrCat("json: cannot unmarshal ", api::JsonKindName(item),
                                            " into Go value of type string"));
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

Status CheckMessages(const json& messages) {
  for (const json& m : messages) {
    if (!m.is_object()) {
      return Status::InvalidArgument(
          StrCat("json: cannot unmarshal ", api::JsonKindName(m),
                 " into Go struct field CreateRequest.messages of type api.Message"));
    }
    for (const char* key : {"role", "content", "thinking", "tool_name", "tool_call_id"}) {
      auto it = m.find(key);
      if (it != m.end() && !it->is_null() && !it->is_string()) {
        return Status::InvalidArgument(StrCat("json: cannot unmarshal ", api::JsonKindName(*it),
                                              " into Go struct field Message.messages.", key,
                                              " of type string"));
      }
    }
  }
  return Status::Ok();
}

Status CheckInfo(const json& info) {
  for (const auto& [key, value] : info.items()) {
    if (key == "capabilities") {
      bool ok = value.is_array();
      for (const json& c : ok ? value : json::array()) ok = ok && c.is_string();
      if (!ok)
        return Status::InvalidArgument(
            StrCat("info field \"", key, "\" must be a list of strings"));
    } else if (key == "model_family" || key == "base_name" || key == "quantization_level" ||
               key == "parameter_size") {
      if (!value.is_string())
        return Status::InvalidArgument(StrCat("info field \"", key, "\" must be a string"));
    } else if (key == "context_length" || key == "embedding_length") {
      if (!value.is_number())
        return Status::InvalidArgument(StrCat("info field \"", key, "\" must be a number"));
      const double d = value.get<double>();
      if (d < 0 || d != std::floor(d))
        return Status::InvalidArgument(
            StrCat("info field \"", key, "\" must be a non-negative integer"));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<CreateModelRequest> ParseCreateRequest(std::string_view body) {
  OLLA_ASSIGN_OR_RETURN(json j, api::ParseRequestBody(body, kGoType));
  api::Fields f(j, std::string(kGoType));
  CreateModelRequest r;
  OLLA_ASSIGN_OR_RETURN(r.files, ParseFileMap(f, "files", &r.has_files));
  OLLA_ASSIGN_OR_RETURN(r.adapters, ParseFileMap(f, "adapters", &r.has_adapters));
  bool has_draft = false;
  OLLA_ASSIGN_OR_RETURN(auto draft_files, ParseFileMap(f, "draft_files", &has_draft));
  OLLA_ASSIGN_OR_RETURN(auto model, f.String("model"));
  OLLA_ASSIGN_OR_RETURN(auto name, f.String("name"));
  std::string target = model.value_or("");
  if (target.empty()) target = name.value_or("");
  auto parsed_name = store::ModelName::Parse(target);
  if (!parsed_name.ok()) return Status::InvalidArgument("invalid model name");
  r.name = *parsed_name;

  OLLA_ASSIGN_OR_RETURN(auto draft_quantize, f.String("draft_quantize"));
  if (!draft_quantize.value_or("").empty() && draft_files.empty())
    return Status::InvalidArgument("--draft-quantize requires a DRAFT model");
  if (!draft_files.empty()) return Status::Unsupported("DRAFT models are not supported");
  OLLA_ASSIGN_OR_RETURN(auto remote_host, f.String("remote_host"));
  if (!remote_host.value_or("").empty())
    return Status::Unsupported("remote models are not supported");

  struct {
    const char* key;
    std::string* out;
  } strings[] = {{"from", &r.from},     {"template", &r.template_text},
                 {"system", &r.system}, {"renderer", &r.renderer},
                 {"parser", &r.parser}, {"requires", &r.requires_version}};
  for (const auto& s : strings) {
    OLLA_ASSIGN_OR_RETURN(auto v, f.String(s.key));
    *s.out = v.value_or("");
  }
  OLLA_ASSIGN_OR_RETURN(auto quantize, f.String("quantize"));
  OLLA_ASSIGN_OR_RETURN(auto quantization, f.String("quantization"));
  r.quantize = quantize.value_or("");
  if (r.quantize.empty()) r.quantize = quantization.value_or("");
  OLLA_ASSIGN_OR_RETURN(r.license, ParseLicense(f.Raw("license")));
  if (const json* p = f.Raw("parameters")) {
    if (!p->is_object()) return f.TypeError("parameters", *p, "map[string]interface {}");
    r.parameters = *p;
  }
  if (const json* m = f.Raw("messages")) {
    if (!m->is_array()) return f.TypeError("messages", *m, "[]api.Message");
    OLLA_RETURN_IF_ERROR(CheckMessages(*m));
    r.messages = *m;
  }
  if (const json* info = f.Raw("info")) {
    if (!info->is_object()) return f.TypeError("info", *info, "map[string]interface {}");
    OLLA_RETURN_IF_ERROR(CheckInfo(*info));
    r.info = *info;
  }
  OLLA_ASSIGN_OR_RETURN(auto stream, f.Bool("stream"));
  r.stream = stream.value_or(true);
  return r;
}

json MergeParameters(const json& request, const json& existing) {
  json merged = request.is_object() ? request : json::object();
  if (existing.is_object()) {
    for (const auto& [key, value] : existing.items())
      if (!merged.contains(key)) merged[key] = value;
  }
  return merged;
}

}  // namespace olla::create
