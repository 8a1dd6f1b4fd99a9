#include "engine/weights.h"

#include "base/str_cat.h"

namespace olla::engine {
namespace {

std::string ShapeString(const std::vector<uint64_t>& ne) {
  std::string s = "[";
  for (size_t i = 0; i < ne.size(); ++i) StrAppend(s, i ? ", " : "", ne[i]);
  return s + "]";
}

class Binder {
 public:
  explicit Binder(const gguf::File& f) : f_(f) {}

  // A matrix of `rows` rows of `cols` elements (ne = [cols, rows]); rows == 0 accepts any count.
  Result<kernels::QMatrix> Matrix(const std::string& name, size_t cols, size_t rows) {
    const gguf::TensorInfo* t = f_.FindTensor(name);
    if (!t) return Status::InvalidArgument(StrCat("model is missing tensor '", name, "'"));
    if (t->ne.size() != 2 || t->ne[0] != cols || (rows != 0 && t->ne[1] != rows))
      return Status::InvalidArgument(StrCat("tensor '", name, "' has shape ", ShapeString(t->ne), ", expected [", cols, ", ",
                                            rows == 0 ? std::string("n") : StrCat(rows), "]"));
    if (!kernels::SupportsWeightType(t->type))
      return Status::Unsupported(StrCat("tensor '", name, "' has type ", tensor::Name(t->type), ", which olla cannot compute with yet"));
    kernels::QMatrix m;
    m.type = t->type;
    m.data = t->data.data();
    m.n_cols = cols;
    m.n_rows = t->ne[1];
    m.row_bytes = *tensor::RowBytes(t->type, cols);
    return m;
  }

  Result<Vec> Vector(const std::string& name, size_t n, bool optional = false) {
    const gguf::TensorInfo* t = f_.FindTensor(name);
    if (!t) {
      if (optional) return Vec{};
      return Status::InvalidArgument(StrCat("model is missing tensor '", name, "'"));
    }
    if (t->ne.size() != 1 || t->ne[0] != n)
      return Status::InvalidArgument(StrCat("tensor '", name, "' has shape ", ShapeString(t->ne), ", expected [", n, "]"));
    if (t->type != tensor::DType::kF32)
      return Status::Unsupported(StrCat("tensor '", name, "' has type ", tensor::Name(t->type), ", expected F32"));
    return Vec{reinterpret_cast<const float*>(t->data.data()), n};
  }

 private:
  const gguf::File& f_;
};

}  // namespace

Result<ModelWeights> BindWeights(const gguf::File& file, ModelConfig& cfg) {
  Binder b(file);
  ModelWeights w;
  OLLA_ASSIGN_OR_RETURN(w.token_embd, b.Matrix("token_embd.weight", cfg.n_embd, 0));
  cfg.n_vocab = w.token_embd.n_rows;
  OLLA_ASSIGN_OR_RETURN(w.output_norm, b.Vector("output_norm.weight", cfg.n_embd));
  cfg.tied_output = file.FindTensor("output.weight") == nullptr;
  if (cfg.tied_output) {
    w.output = w.token_embd;
  } else {
    OLLA_ASSIGN_OR_RETURN(w.output, b.Matrix("output.weight", cfg.n_embd, 0));
    cfg.n_vocab = w.output.n_rows;
  }
  OLLA_ASSIGN_OR_RETURN(w.rope_freqs, b.Vector("rope_freqs.weight", cfg.rope.n_rot / 2, true));
  cfg.rope.freq_factors = w.rope_freqs.data;
  w.layers.resize(cfg.n_layer);
  for (size_t i = 0; i < cfg.n_layer; ++i) {
    const std::string p = StrCat("blk.", i, ".");
    LayerWeights& l = w.layers[i];
    OLLA_ASSIGN_OR_RETURN(l.attn_norm, b.Vector(p + "attn_norm.weight", cfg.n_embd));
    OLLA_ASSIGN_OR_RETURN(l.wq, b.Matrix(p + "attn_q.weight", cfg.n_embd, cfg.q_dim()));
    OLLA_ASSIGN_OR_RETURN(l.wk, b.Matrix(p + "attn_k.weight", cfg.n_embd, cfg.kv_dim()));
    OLLA_ASSIGN_OR_RETURN(l.wv, b.Matrix(p + "attn_v.weight", cfg.n_embd, cfg.v_dim()));
    OLLA_ASSIGN_OR_RETURN(l.wo, b.Matrix(p + "attn_output.weight", cfg.n_head * cfg.head_dim_v, cfg.n_embd));
    OLLA_ASSIGN_OR_RETURN(l.ffn_norm, b.Vector(p + "ffn_norm.weight", cfg.n_embd));
    OLLA_ASSIGN_OR_RETURN(l.ffn_gate, b.Matrix(p + "ffn_gate.weight", cfg.n_embd, cfg.n_ff));
    OLLA_ASSIGN_OR_RETURN(l.ffn_up, b.Matrix(p + "ffn_up.weight", cfg.n_embd, cfg.n_ff));
    OLLA_ASSIGN_OR_RETURN(l.ffn_down, b.Matrix(p + "ffn_down.weight", cfg.n_ff, cfg.n_embd));
  }
  return w;
}

}  // namespace olla::engine
