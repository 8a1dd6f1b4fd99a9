// CreateModel (spec §3.10, §8.5, §8.6, §9.3): the layer assembly of upstream's server/create.go.

#include "create/create_model.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <optional>

#include "base/str_cat.h"
#include "chat/catalog/catalog.h"
#include "chat/go/go_template.h"
#include "create/quantize_model.h"
#include "engine/arch/arch.h"
#include "engine/model.h"
#include "gguf/reader.h"
#include "store/config.h"

namespace olla::create {

using nlohmann::json;

namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Metadata lookups where a missing or mistyped key means "not set".
std::string MetaString(const gguf::Metadata& md, std::string_view key) {
  auto v = md.GetStringOr(key, "");
  return v.ok() ? *v : "";
}
bool MetaBool(const gguf::Metadata& md, std::string_view key) {
  auto v = md.GetBoolOr(key, false);
  return v.ok() && *v;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// True if the blob starts with the GGUF magic, little- or big-endian ("GGUF" / "FUGG").
bool HasGgufMagic(const std::string& path) {
  char magic[4] = {};
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return false;
  const size_t n = std::fread(magic, 1, sizeof(magic), f);
  std::fclose(f);
  const std::string_view m(magic, n);
  return m == "GGUF" || m == "FUGG";
}

bool IsGgufMediaType(std::string_view t) {
  return t == store::kMediaTypeModel || t == store::kMediaTypeProjector ||
         t == store::kMediaTypeAdapter;
}

// §3.10 rule 1: adapter, projector or model, from the GGUF metadata.
std::string_view ClassifyGguf(const gguf::Metadata& md) {
  const std::string type = MetaString(md, "general.type");
  if (type == "adapter") return store::kMediaTypeAdapter;
  if (type == "projector" || type == "mmproj") return store::kMediaTypeProjector;
  const std::string arch = MetaString(md, "general.architecture");
  if (engine::ArchTraitsFor(arch).projector &&
      (MetaBool(md, arch + ".has_vision_encoder") || MetaBool(md, arch + ".has_audio_encoder"))) {
    return store::kMediaTypeProjector;
  }
  if (!md.Contains(arch + ".block_count") &&
      (md.Contains(arch + ".vision.block_count") || md.Contains(arch + ".audio.block_count"))) {
    return store::kMediaTypeProjector;
  }
  return store::kMediaTypeModel;
}

// details.quantization_level: general.file_type's label, else inferred for float models.
std::string FileTypeOf(const gguf::File& f) {
  if (f.metadata().Contains("general.file_type")) {
    auto ft = f.metadata().GetInt("general.file_type");
    return std::string(ft.ok() ? store::FileTypeLabel(*ft) : "unknown");
  }
  auto ft = QuantizableFileType(f);
  return std::string(ft.ok() ? store::FileTypeLabel(*ft) : "unknown");
}

std::string LayerStatus(const store::BlobWriteResult& b) {
  return StrCat(b.existed ? "using existing layer " : "creating new layer ", b.digest.String());
}

// A layer of the model being assembled.
struct PendingLayer {
  store::Layer layer;                // digest and size are set once the blob exists
  std::optional<std::string> bytes;  // contents of a metadata layer still to be written
  std::optional<gguf::File> gguf;    // the parsed file of model/projector/adapter layers
  std::string status;                // progress text; "" = the usual layer status
};

class Creator {
 public:
  Creator(store::Store& st, const CreateModelRequest& req, const CreateOptions& opts,
          const CreateProgressFn& progress)
      : store_(st), req_(req), opts_(opts), progress_(progress) {}

  Status Run();
  // Removes the blobs this create wrote, unless a manifest references them (after a failure).
  void RemoveNewBlobs() {
    if (!created_.empty()) (void)store_.RemoveUnreferencedBlobs(created_, false);
  }

 private:
  void Emit(const json& j) {
    if (progress_) progress_(j);
  }
  Result<store::BlobWriteResult> Remember(Result<store::BlobWriteResult> r) {
    if (r.ok() && !r->existed) created_.push_back(r->digest);
    return r;
  }
  Status BaseFromModel();
  Status BaseFromFiles(const std::map<std::string, store::Digest>& files, bool adapters);
  // Every adapter layer is a LoRA adapter that fits the model layer (engine::Model::CheckAdapter).
  Status CheckAdapters() const;
  Status Quantize(PendingLayer& layer);
  Status ApplyRequest();
  Status Finish();
  void RemoveLayers(std::string_view media_type, std::string_view legacy = {}) {
    std::erase_if(layers_, [&](const PendingLayer& l) {
      return l.layer.media_type == media_type || (!legacy.empty() && l.layer.media_type == legacy);
    });
  }
  void AppendText(std::string_view media_type, std::string bytes, std::string status = "") {
    PendingLayer l;
    l.layer.media_type = std::string(media_type);
    l.bytes = std::move(bytes);
    l.status = std::move(status);
    layers_.push_back(std::move(l));
  }

  store::Store& store_;
  const CreateModelRequest& req_;
  const CreateOptions& opts_;
  const CreateProgressFn& progress_;
  std::vector<PendingLayer> layers_;
  store::ModelConfig config_;
  std::vector<store::Digest> created_;
};

Status Creator::BaseFromModel() {
  auto from = store::ModelName::Parse(req_.from);
  if (!from.ok()) return Status::InvalidArgument("invalid model name");
  store::ModelName resolved = store_.ResolveCase(*from);
  auto stored = store_.ReadManifest(resolved);
  if (!stored.ok() && stored.status().code() == StatusCode::kNotFound && opts_.pull) {
    OLLA_RETURN_IF_ERROR(opts_.pull(resolved, progress_));
    resolved = store_.ResolveCase(*from);
    stored = store_.ReadManifest(resolved);
  }
  if (!stored.ok()) {
    if (stored.status().code() != StatusCode::kNotFound) return stored.status();
    return Status::NotFound(StrCat("model \"", req_.from, "\" not found, try pulling it first"));
  }
  const std::string short_name = resolved.DisplayShortest();
  for (const store::Layer& l : stored->manifest.layers) {
    PendingLayer p;
    p.layer = l;
    p.layer.from = short_name;
    if (IsGgufMediaType(l.media_type)) {
      auto f = gguf::File::Open(store_.BlobPath(l.digest));
      if (!f.ok()) return f.status().WithPrefix(StrCat("model ", short_name));
      p.gguf = std::move(*f);
    }
    layers_.push_back(std::move(p));
  }
  // Renderer, parser and requirements are inherited unless the request sets them.
  if (auto cfg = store_.ReadBlob(stored->manifest.config.digest); cfg.ok()) {
    if (auto base = store::ParseModelConfig(*cfg); base.ok()) {
      if (config_.renderer.empty()) config_.renderer = base->renderer;
      if (config_.parser.empty()) config_.parser = base->parser;
      if (config_.requires_version.empty()) config_.requires_version = base->requires_version;
    }
  }
  return Status::Ok();
}

Status Creator::BaseFromFiles(const std::map<std::string, store::Digest>& files, bool adapters) {
  bool safetensors = false, gguf = false;
  for (const auto& [name, digest] : files) {
    safetensors = safetensors || EndsWith(name, ".safetensors");
    gguf = gguf || EndsWith(name, ".gguf") || HasGgufMagic(store_.BlobPath(digest));
  }
  if (safetensors)
    return Status::Unsupported(
        "importing safetensors models is not supported; convert the model to GGUF first");
  if (!gguf) return Status::InvalidArgument("unknown type");
  if (adapters && files.size() > 1)
    return Status::InvalidArgument("only one adapter is currently supported");

  std::vector<PendingLayer> parsed;
  for (const auto& [name, digest] : files) {
    Emit({{"status", "parsing GGUF"}});
    const std::string path = store_.BlobPath(digest);
    if (!store_.HasBlob(digest))
      return Status::NotFound(StrCat("blob \"", digest.String(), "\" not found"));
    if (!HasGgufMagic(path)) return Status::InvalidArgument("supplied file was not in GGUF format");
    auto f = gguf::File::Open(path);
    if (!f.ok()) return f.status().WithPrefix(StrCat("invalid GGUF file ", name));
    if (auto split = f->metadata().GetUintOr("split.count", 1); split.ok() && *split > 1)
      return Status::Unsupported(StrCat("split GGUF files are not supported: ", name));
    PendingLayer p;
    p.layer.media_type =
        std::string(adapters ? store::kMediaTypeAdapter : ClassifyGguf(f->metadata()));
    p.layer.digest = digest;
    p.layer.size = static_cast<int64_t>(f->bytes().size());
    p.layer.from = name;
    p.gguf = std::move(*f);
    parsed.push_back(std::move(p));
  }
  // Model files first, then projectors and adapters; each followed by its detected template.
  std::stable_partition(parsed.begin(), parsed.end(), [](const PendingLayer& l) {
    return l.layer.media_type == store::kMediaTypeModel;
  });
  for (PendingLayer& p : parsed) {
    const gguf::Metadata& md = p.gguf->metadata();
    const std::string chat_template = MetaString(md, "tokenizer.chat_template");
    if (p.layer.media_type == store::kMediaTypeModel) {
      const std::string arch = MetaString(md, "general.architecture");
      if (Status s = engine::FindArch(arch).status(); !s.ok())
        return Status::InvalidArgument(s.message());
    }
    layers_.push_back(std::move(p));
    if (chat_template.empty() || adapters) continue;
    auto detected = chat::DetectNamedTemplate(chat_template);
    if (!detected.ok()) continue;  // no close match: the model keeps its Jinja template
    AppendText(store::kMediaTypeTemplate, std::string(detected->tmpl->go_template),
               StrCat("using autodetected template ", detected->tmpl->name));
    if (std::string params = chat::NamedTemplateParamsJson(*detected->tmpl); !params.empty())
      AppendText(store::kMediaTypeParams, params + "\n");
  }
  return Status::Ok();
}

Status Creator::Quantize(PendingLayer& layer) {
  OLLA_ASSIGN_OR_RETURN(const QuantizeTarget target, ParseQuantizeTarget(req_.quantize));
  OLLA_ASSIGN_OR_RETURN(const uint32_t ft, QuantizableFileType(*layer.gguf));
  if (ft == target.file_type) return Status::Ok();  // already of the requested type
  const std::string status =
      StrCat("quantizing ", store::FileTypeLabel(ft), " model to ", Upper(req_.quantize));
  OLLA_ASSIGN_OR_RETURN(store::BlobWriteResult blob,
                        Remember(QuantizeModelToStore(
                            *layer.gguf, target, store_,
                            [&](int64_t completed, int64_t total) {
                              Emit({{"status", status},
                                    {"digest", "0000000000000000000"},
                                    {"total", total},
                                    {"completed", completed}});
                            },
                            [&] {
                              Emit({{"status", "verifying conversion"}});
                            })));
  OLLA_ASSIGN_OR_RETURN(gguf::File f, gguf::File::Open(store_.BlobPath(blob.digest)));
  layer.layer.digest = blob.digest;
  layer.layer.size = blob.size;
  layer.status = LayerStatus(blob);
  layer.gguf = std::move(f);
  return Status::Ok();
}

// Step 4 of §3.10: template, system, license, parameters, messages.
Status Creator::ApplyRequest() {
  if (!req_.template_text.empty()) {
    RemoveLayers(store::kMediaTypeTemplate, store::kMediaTypePrompt);
    AppendText(store::kMediaTypeTemplate, req_.template_text);
  }
  if (!req_.system.empty()) {
    RemoveLayers(store::kMediaTypeSystem);
    AppendText(store::kMediaTypeSystem, req_.system);
  }
  for (const std::string& license : req_.license) AppendText(store::kMediaTypeLicense, license);

  json params = req_.parameters;
  for (const PendingLayer& l : layers_) {
    if (l.layer.media_type != store::kMediaTypeParams) continue;
    std::string text;
    if (l.bytes) {
      text = *l.bytes;
    } else {
      OLLA_ASSIGN_OR_RETURN(text, store_.ReadBlob(l.layer.digest));
    }
    json existing = json::parse(text, nullptr, false);
    if (existing.is_discarded() || !existing.is_object())
      return Status::Corrupt(
          StrCat("params layer ", l.layer.digest.String(), " is not a JSON object"));
    params = MergeParameters(params, existing);
  }
  if (!params.empty()) {
    RemoveLayers(store::kMediaTypeParams);
    OLLA_ASSIGN_OR_RETURN(std::string bytes, store::EncodeParamsLayer(params));
    AppendText(store::kMediaTypeParams, std::move(bytes));
  }
  if (!req_.messages.empty()) {
    RemoveLayers(store::kMediaTypeMessages);
    OLLA_ASSIGN_OR_RETURN(std::string bytes, store::EncodeMessagesLayer(req_.messages));
    AppendText(store::kMediaTypeMessages, std::move(bytes));
  }
  return Status::Ok();
}

// Step 5: new blobs, the config, the statuses, the manifest; then step 6.
Status Creator::Finish() {
  store::Manifest manifest;
  for (PendingLayer& l : layers_) {
    if (l.bytes) {
      OLLA_ASSIGN_OR_RETURN(store::BlobWriteResult b, Remember(store_.WriteBlob(*l.bytes)));
      l.layer.digest = b.digest;
      l.layer.size = b.size;
      if (l.status.empty()) l.status = LayerStatus(b);
    } else if (l.status.empty()) {
      l.status = StrCat("using existing layer ", l.layer.digest.String());
    }
    manifest.layers.push_back(l.layer);
  }
  OLLA_ASSIGN_OR_RETURN(store::BlobWriteResult cfg,
                        Remember(store_.WriteBlob(store::EncodeModelConfig(config_))));
  manifest.config = {std::string(store::kMediaTypeConfig), cfg.digest, cfg.size, "", ""};
  for (const PendingLayer& l : layers_) Emit({{"status", l.status}});

  const store::ModelName target = store_.ResolveCase(*req_.name);
  auto old = store_.ReadManifest(target);
  Emit({{"status", "writing manifest"}});
  OLLA_RETURN_IF_ERROR(store_.WriteManifest(target, manifest).status());
  created_.clear();  // referenced now
  if (old.ok() && !opts_.noprune)
    (void)store_.RemoveUnreferencedBlobs(old->manifest.ReferencedDigests());
  return Status::Ok();
}

Status Creator::CheckAdapters() const {
  std::string base;
  for (const PendingLayer& p : layers_)
    if (p.layer.media_type == store::kMediaTypeModel) base = store_.BlobPath(p.layer.digest);
  if (base.empty()) return Status::InvalidArgument("an adapter needs a base model (FROM)");
  for (const PendingLayer& p : layers_) {
    if (p.layer.media_type != store::kMediaTypeAdapter || !p.gguf) continue;
    const std::string type = MetaString(p.gguf->metadata(), "general.type");
    if (type != "adapter")
      return Status::InvalidArgument(StrCat("ADAPTER ", p.layer.from, " is not a LoRA adapter (",
                                            "general.type is '", type, "')"));
    Status s = engine::Model::CheckAdapter(base, store_.BlobPath(p.layer.digest));
    if (!s.ok()) return Status(s.code(), StrCat("ADAPTER ", p.layer.from, ": ", s.message()));
  }
  return Status::Ok();
}

Status Creator::Run() {
  if (!req_.name) return Status::InvalidArgument("invalid model name");
  config_.renderer = req_.renderer;
  config_.parser = req_.parser;
  config_.requires_version = req_.requires_version;
  if (!req_.from.empty()) {
    OLLA_RETURN_IF_ERROR(BaseFromModel());
  } else if (req_.has_files) {
    OLLA_RETURN_IF_ERROR(BaseFromFiles(req_.files, /*adapters=*/false));
  } else {
    return Status::InvalidArgument("neither 'from' or 'files' was specified");
  }
  if (req_.has_adapters) {
    OLLA_RETURN_IF_ERROR(BaseFromFiles(req_.adapters, /*adapters=*/true));
    OLLA_RETURN_IF_ERROR(CheckAdapters());
  }
  if (!req_.template_text.empty()) {
    if (auto t = chat::GoTemplate::Parse(req_.template_text); !t.ok())
      return Status::InvalidArgument(StrCat("template error: ", t.status().message()));
  }
  if (req_.info.is_object()) {
    const json& info = req_.info;
    for (const auto& c : info.value("capabilities", json::array()))
      config_.capabilities.push_back(c.get<std::string>());
    config_.model_family = info.value("model_family", "");
    if (!config_.model_family.empty())
      config_.model_families = std::vector<std::string>{config_.model_family};
    config_.base_name = info.value("base_name", "");
    config_.file_type = info.value("quantization_level", "");
    config_.model_type = info.value("parameter_size", "");
    config_.context_length = static_cast<int64_t>(info.value("context_length", 0.0));
    config_.embedding_length = static_cast<int64_t>(info.value("embedding_length", 0.0));
  }
  for (PendingLayer& l : layers_) {
    if (!l.gguf) continue;
    if (!req_.quantize.empty() && l.layer.media_type == store::kMediaTypeModel)
      OLLA_RETURN_IF_ERROR(Quantize(l));
    const gguf::File& f = *l.gguf;
    const std::string arch = MetaString(f.metadata(), "general.architecture");
    if (config_.model_format.empty()) config_.model_format = "gguf";
    if (config_.model_family.empty()) config_.model_family = arch;
    if (config_.model_type.empty()) config_.model_type = ParameterSizeLabel(f.ParameterCount());
    if (config_.file_type.empty()) config_.file_type = FileTypeOf(f);
    if (!config_.model_families) config_.model_families.emplace();
    config_.model_families->push_back(arch);
  }
  OLLA_RETURN_IF_ERROR(ApplyRequest());
  OLLA_RETURN_IF_ERROR(Finish());
  Emit({{"status", "success"}});
  return Status::Ok();
}

}  // namespace

std::string ParameterSizeLabel(uint64_t n) {
  const double v = static_cast<double>(n);
  auto whole = [](double x) { return x == std::floor(x); };
  if (n >= 1000000000ULL)
    return whole(v / 1e9) ? StrFormat("%.0fB", v / 1e9) : StrFormat("%.1fB", v / 1e9);
  if (n >= 1000000ULL)
    return whole(v / 1e6) ? StrFormat("%.0fM", v / 1e6) : StrFormat("%.2fM", v / 1e6);
  if (n >= 1000ULL) return StrFormat("%.0fK", v / 1e3);
  return StrCat(n);
}

Status CreateModel(store::Store& store, const CreateModelRequest& req, const CreateOptions& options,
                   const CreateProgressFn& progress) {
  Creator creator(store, req, options, progress);
  Status s = creator.Run();
  if (!s.ok()) creator.RemoveNewBlobs();
  return s;
}

}  // namespace olla::create
