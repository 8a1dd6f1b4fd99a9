#include "server/model_resolver.h"

#include "base/str_cat.h"

namespace olla::server {

Result<ResolvedModel> ResolveModel(const store::Store& st, std::string_view name) {
  auto parsed = store::ModelName::Parse(name);
  if (!parsed.ok()) return Status::NotFound(StrCat("model '", name, "' not found"));
  store::ModelName resolved = st.ResolveCase(*parsed);
  auto stored = st.ReadManifest(resolved);
  if (!stored.ok()) {
    if (stored.status().code() == StatusCode::kNotFound)
      return Status::NotFound(StrCat("model '", name, "' not found"));
    return stored.status();
  }
  ResolvedModel m{resolved, resolved.DisplayShortest(), std::move(*stored)};
  auto read_text = [&](const store::Layer& l) -> Result<std::string> {
    return st.ReadBlob(l.digest);
  };
  for (const store::Layer& l : m.stored.manifest.layers) {
    const std::string& t = l.media_type;
    if (t == store::kMediaTypeModel) {
      m.model_path = st.BlobPath(l.digest);
    } else if (t == store::kMediaTypeAdapter) {
      m.adapter_paths.push_back(st.BlobPath(l.digest));
    } else if (t == store::kMediaTypeTemplate) {
      OLLA_ASSIGN_OR_RETURN(m.template_text, read_text(l));
      m.has_template = true;
    } else if (t == store::kMediaTypeSystem) {
      OLLA_ASSIGN_OR_RETURN(m.system, read_text(l));
    } else if (t == store::kMediaTypeLicense) {
      OLLA_ASSIGN_OR_RETURN(std::string lic, read_text(l));
      m.licenses.push_back(std::move(lic));
    } else if (t == store::kMediaTypeParams || t == store::kMediaTypeMessages) {
      OLLA_ASSIGN_OR_RETURN(std::string text, read_text(l));
      nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
      if (j.is_discarded())
        return Status::Corrupt(
            StrCat("layer ", l.digest.String(), " of ", m.short_name, " is not valid JSON"));
      (t == store::kMediaTypeParams ? m.params : m.messages) = std::move(j);
    }
  }
  if (st.HasBlob(m.stored.manifest.config.digest)) {
    auto cfg = st.ReadBlob(m.stored.manifest.config.digest);
    if (cfg.ok()) {
      nlohmann::json j = nlohmann::json::parse(*cfg, nullptr, false);
      if (!j.is_discarded()) m.config = std::move(j);
    }
  }
  return m;
}

}  // namespace olla::server
