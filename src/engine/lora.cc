#include "engine/lora.h"

#include <set>

#include "base/str_cat.h"
#include "kernels/ops.h"

namespace olla::engine {
namespace {

// An F32 matrix of `rows` × `cols` (ne = [cols, rows]) from the adapter.
Result<kernels::QMatrix> AdapterMatrix(const gguf::TensorInfo& t, size_t cols, size_t rows) {
  if (t.ne.size() != 2 || t.ne[0] != cols || t.ne[1] != rows)
    return Status::InvalidArgument(
        StrCat("adapter tensor '", t.name, "' has the wrong shape: [", t.ne.empty() ? 0 : t.ne[0],
               ", ", t.ne.size() > 1 ? t.ne[1] : 0, "], expected [", cols, ", ", rows, "]"));
  if (!kernels::SupportsWeightType(t.type))
    return Status::Unsupported(StrCat("adapter tensor '", t.name, "' has type ",
                                      tensor::Name(t.type), ", which olla cannot compute with"));
  kernels::QMatrix m;
  m.type = t.type;
  m.data = t.data.data();
  m.n_rows = rows;
  m.n_cols = cols;
  OLLA_ASSIGN_OR_RETURN(m.row_bytes, tensor::RowBytes(t.type, cols));
  return m;
}

}  // namespace

Result<std::unique_ptr<LoraAdapter>> LoraAdapter::Load(const std::string& path,
                                                       const ModelConfig& cfg,
                                                       const ModelWeights& w, float scale) {
  OLLA_ASSIGN_OR_RETURN(gguf::File file, gguf::File::Open(path));
  auto adapter = std::unique_ptr<LoraAdapter>(new LoraAdapter());
  adapter->file_ = std::move(file);
  const gguf::Metadata& md = adapter->file_.metadata();
  OLLA_ASSIGN_OR_RETURN(std::string type, md.GetStringOr("adapter.type", ""));
  if (type != "lora")
    return Status::Unsupported(
        StrCat("adapter type '", type, "' is not supported (only lora adapters are)"));
  OLLA_ASSIGN_OR_RETURN(std::string arch, md.GetStringOr("general.architecture", ""));
  if (arch != cfg.arch)
    return Status::InvalidArgument(
        StrCat("the adapter is for architecture '", arch, "', the model is '", cfg.arch, "'"));
  OLLA_ASSIGN_OR_RETURN(double alpha, md.GetDouble("adapter.lora.alpha"));

  adapter->layers_.resize(cfg.n_layer);
  std::set<std::string> used;
  // Binds "<prefix><name>.weight.lora_{a,b}" to the base matrix `base`, if the adapter has them.
  auto bind = [&](size_t il, const std::string& name, const kernels::QMatrix& base,
                  const LoraPair** slot) -> Status {
    const std::string stem = StrCat("blk.", il, ".", name, ".weight.lora_");
    const gguf::TensorInfo* a = adapter->file_.FindTensor(stem + "a");
    const gguf::TensorInfo* b = adapter->file_.FindTensor(stem + "b");
    if (!a && !b) return Status::Ok();
    if (!a || !b)
      return Status::InvalidArgument(StrCat("adapter has only one of ", stem, "a and ", stem, "b"));
    if (!base.data || a->ne.size() != 2 || a->ne[1] == 0 || a->ne[1] > base.n_cols)
      return Status::InvalidArgument(
          StrCat("adapter tensor '", a->name, "' does not fit the model's ", name));
    const size_t rank = a->ne[1];
    auto pair = std::make_unique<LoraPair>();
    OLLA_ASSIGN_OR_RETURN(pair->a, AdapterMatrix(*a, base.n_cols, rank));
    OLLA_ASSIGN_OR_RETURN(pair->b, AdapterMatrix(*b, rank, base.n_rows));
    pair->scale = static_cast<float>(scale * alpha / static_cast<double>(rank));
    *slot = pair.get();
    adapter->pairs_.push_back(std::move(pair));
    used.insert(a->name);
    used.insert(b->name);
    return Status::Ok();
  };
  for (size_t il = 0; il < cfg.n_layer; ++il) {
    const LayerWeights& l = w.layers[il];
    LayerLora& ll = adapter->layers_[il];
    OLLA_RETURN_IF_ERROR(bind(il, "attn_q", l.wq, &ll.wq));
    OLLA_RETURN_IF_ERROR(bind(il, "attn_k", l.wk, &ll.wk));
    OLLA_RETURN_IF_ERROR(bind(il, "attn_v", l.wv, &ll.wv));
    OLLA_RETURN_IF_ERROR(bind(il, "attn_output", l.wo, &ll.wo));
    OLLA_RETURN_IF_ERROR(bind(il, "ffn_gate", l.ffn_gate, &ll.ffn_gate));
    OLLA_RETURN_IF_ERROR(bind(il, "ffn_up", l.ffn_up, &ll.ffn_up));
    OLLA_RETURN_IF_ERROR(bind(il, "ffn_down", l.ffn_down, &ll.ffn_down));
  }
  for (const gguf::TensorInfo& t : adapter->file_.tensors())
    if (!used.contains(t.name))
      return Status::Unsupported(
          StrCat("adapter tensor '", t.name, "' adapts a weight olla does not adapt"));
  return adapter;
}

void ProjectWithLora(const kernels::QMatrix& w, const LoraPair* lora, const float* x, size_t n,
                     float* y, std::vector<float>& scratch, std::vector<float>& scratch_out,
                     ThreadPool& pool) {
  kernels::MatMul(w, x, n, y, pool);
  if (!lora) return;
  scratch.resize(n * lora->a.n_rows);
  scratch_out.resize(n * w.n_rows);
  kernels::MatMul(lora->a, x, n, scratch.data(), pool);
  kernels::MatMul(lora->b, scratch.data(), n, scratch_out.data(), pool);
  for (size_t i = 0; i < n * w.n_rows; ++i) y[i] += lora->scale * scratch_out[i];
}

}  // namespace olla::engine
