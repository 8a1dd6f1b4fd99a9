#include "engine/model.h"

#include "base/check.h"
#include "base/str_cat.h"
#include "engine/arch/arch.h"

namespace olla::engine {
namespace {

// Repacks the matrices MatMul reads for this CPU's fastest kernels (kernels/pack.h); matrices
// of other types, and every matrix on CPUs without such kernels, stay views into the file.
Status PackWeights(ModelWeights& w, kernels::WeightPacks& packs) {
  ThreadPool pool(ThreadPool::DefaultThreadCount());
  std::vector<kernels::QMatrix*> matrices;
  for (LayerWeights& l : w.layers) {
    for (kernels::QMatrix* m : {&l.wq, &l.wk, &l.wv, &l.wo, &l.ffn_gate, &l.ffn_up, &l.ffn_down})
      if (m->data) matrices.push_back(m);
    for (auto* experts : {&l.gate_exps, &l.up_exps, &l.down_exps})
      for (kernels::QMatrix& m : *experts) matrices.push_back(&m);
  }
  matrices.push_back(&w.output);
  return packs.PackAll(matrices, pool);
}

}  // namespace

Result<std::unique_ptr<Model>> Model::Load(const std::string& path,
                                           const std::vector<std::string>& adapters,
                                           float adapter_scale) {
  OLLA_ASSIGN_OR_RETURN(gguf::File file, gguf::File::Open(path));
  auto m = FromFile(std::move(file));
  if (!m.ok()) return m.status().WithPrefix(path);
  if (adapters.size() > 1)
    return Status::InvalidArgument("only one adapter is currently supported");
  for (const std::string& adapter : adapters) {
    auto lora = LoraAdapter::Load(adapter, (*m)->cfg_, (*m)->weights_, adapter_scale);
    if (!lora.ok()) return lora.status().WithPrefix(adapter);
    (*m)->lora_ = std::move(*lora);
  }
  return m;
}

Result<std::unique_ptr<Model>> Model::FromFile(gguf::File file) {
  auto m = std::unique_ptr<Model>(new Model());
  m->file_ = std::move(file);
  const gguf::Metadata& md = m->file_.metadata();
  OLLA_ASSIGN_OR_RETURN(std::string arch_name, md.GetString("general.architecture"));
  OLLA_ASSIGN_OR_RETURN(const ArchSpec* arch, FindArch(arch_name));
  OLLA_RETURN_IF_ERROR(arch->load_config(md, m->cfg_));
  OLLA_CHECK(m->cfg_.layers.size() == m->cfg_.n_layer);  // every loader starts from LoadLlamaLike
  OLLA_ASSIGN_OR_RETURN(m->weights_, BindWeights(m->file_, m->cfg_));
  OLLA_RETURN_IF_ERROR(PackWeights(m->weights_, m->packs_));
  if (auto tokens = md.GetArray("tokenizer.ggml.tokens"); tokens.ok()) {
    if ((*tokens)->items.size() < m->cfg_.n_vocab)
      return Status::InvalidArgument(StrCat("tokenizer.ggml.tokens has ", (*tokens)->items.size(),
                                            " entries, fewer than the model's ", m->cfg_.n_vocab,
                                            " outputs"));
  }
  return m;
}

Status Model::CheckAdapter(const std::string& base_path, const std::string& adapter_path) {
  OLLA_ASSIGN_OR_RETURN(gguf::File file, gguf::File::Open(base_path));
  const gguf::Metadata& md = file.metadata();
  OLLA_ASSIGN_OR_RETURN(std::string arch_name, md.GetString("general.architecture"));
  OLLA_ASSIGN_OR_RETURN(const ArchSpec* arch, FindArch(arch_name));
  ModelConfig cfg;
  OLLA_RETURN_IF_ERROR(arch->load_config(md, cfg));
  OLLA_ASSIGN_OR_RETURN(ModelWeights weights, BindWeights(file, cfg));  // views, nothing packed
  return LoraAdapter::Load(adapter_path, cfg, weights).status();
}

bool CanShiftContext(const Model& model) {
  auto arch = model.file().metadata().GetStringOr("general.architecture", "");
  return !arch.ok() || ArchTraitsFor(*arch).can_shift_context;
}

}  // namespace olla::engine
