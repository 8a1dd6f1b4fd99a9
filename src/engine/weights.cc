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
    if (t->ne.size() != 2 || t->ne[0] != cols || (rows != 0 && t->ne[1] != rows) ||
        t->ne[1] == 0)  // a table of no rows cannot be looked up (found by model_load_fuzz)
      return Status::InvalidArgument(StrCat("tensor '", name, "' has shape ", ShapeString(t->ne),
                                            ", expected [", cols, ", ",
                                            rows == 0 ? std::string("n > 0") : StrCat(rows), "]"));
    if (!kernels::SupportsWeightType(t->type))
      return Status::Unsupported(StrCat("tensor '", name, "' has type ", tensor::Name(t->type),
                                        ", which olla cannot compute with yet"));
    kernels::QMatrix m;
    m.type = t->type;
    m.data = t->data.data();
    m.n_cols = cols;
    m.n_rows = t->ne[1];
    m.row_bytes = *tensor::RowBytes(t->type, cols);
    return m;
  }

  // The n_expert matrices of a 3-D expert tensor, ne = [cols, rows, n_expert]: one view each.
  Result<std::vector<kernels::QMatrix>> Experts(const std::string& name, size_t cols, size_t rows,
                                                size_t n_expert) {
    const gguf::TensorInfo* t = f_.FindTensor(name);
    if (!t) return Status::InvalidArgument(StrCat("model is missing tensor '", name, "'"));
    if (t->ne.size() != 3 || t->ne[0] != cols || t->ne[1] != rows || t->ne[2] != n_expert)
      return Status::InvalidArgument(StrCat("tensor '", name, "' has shape ", ShapeString(t->ne),
                                            ", expected [", cols, ", ", rows, ", ", n_expert, "]"));
    if (!kernels::SupportsWeightType(t->type))
      return Status::Unsupported(StrCat("tensor '", name, "' has type ", tensor::Name(t->type),
                                        ", which olla cannot compute with yet"));
    OLLA_ASSIGN_OR_RETURN(size_t row_bytes, tensor::RowBytes(t->type, cols));
    // The reader checked that the data holds the whole tensor; check again what the views read.
    if (t->data.size() / row_bytes / rows < n_expert)
      return Status::InvalidArgument(
          StrCat("tensor '", name, "' holds ", t->data.size(), " bytes, too few for its shape"));
    std::vector<kernels::QMatrix> out(n_expert);
    for (size_t e = 0; e < n_expert; ++e) {
      kernels::QMatrix& m = out[e];
      m.type = t->type;
      m.data = t->data.data() + e * rows * row_bytes;
      m.n_cols = cols;
      m.n_rows = rows;
      m.row_bytes = row_bytes;
    }
    return out;
  }

  // An F32 tensor of ne = [n, count] (per-expert biases), as one vector of n * count floats.
  Result<Vec> Table(const std::string& name, size_t n, size_t count) {
    const gguf::TensorInfo* t = f_.FindTensor(name);
    if (!t) return Status::InvalidArgument(StrCat("model is missing tensor '", name, "'"));
    if (t->ne.size() != 2 || t->ne[0] != n || t->ne[1] != count)
      return Status::InvalidArgument(StrCat("tensor '", name, "' has shape ", ShapeString(t->ne),
                                            ", expected [", n, ", ", count, "]"));
    if (t->type != tensor::DType::kF32)
      return Status::Unsupported(
          StrCat("tensor '", name, "' has type ", tensor::Name(t->type), ", expected F32"));
    return Vec{reinterpret_cast<const float*>(t->data.data()), n * count};
  }

  Result<Vec> Vector(const std::string& name, size_t n, bool optional = false) {
    const gguf::TensorInfo* t = f_.FindTensor(name);
    if (!t) {
      if (optional) return Vec{};
      return Status::InvalidArgument(StrCat("model is missing tensor '", name, "'"));
    }
    if (t->ne.size() != 1 || t->ne[0] != n)
      return Status::InvalidArgument(
          StrCat("tensor '", name, "' has shape ", ShapeString(t->ne), ", expected [", n, "]"));
    if (t->type != tensor::DType::kF32)
      return Status::Unsupported(
          StrCat("tensor '", name, "' has type ", tensor::Name(t->type), ", expected F32"));
    return Vec{reinterpret_cast<const float*>(t->data.data()), n};
  }

  // "<prefix>.weight" and, if with_bias, "<prefix>.bias", both [n].
  Result<NormWeights> Norm(const std::string& prefix, size_t n, bool with_bias) {
    NormWeights nw;
    OLLA_ASSIGN_OR_RETURN(nw.weight, Vector(prefix + ".weight", n));
    if (with_bias) {
      OLLA_ASSIGN_OR_RETURN(nw.bias, Vector(prefix + ".bias", n));
    }
    return nw;
  }

 private:
  const gguf::File& f_;
};

// Rows [first, first + count) of m, a view (fused tensors: attn_qkv, ffn_up of phi3).
kernels::QMatrix RowSlice(const kernels::QMatrix& m, size_t first, size_t count) {
  kernels::QMatrix s = m;
  s.data = m.data + first * m.row_bytes;
  s.n_rows = count;
  return s;
}

// The attention projections and their optional parts.
Status BindAttention(Binder& b, const std::string& p, const ModelConfig& cfg, LayerWeights& l) {
  const size_t q_dim = cfg.q_dim(), kv_dim = cfg.kv_dim(), v_dim = cfg.v_dim();
  if (cfg.fused_qkv) {
    OLLA_ASSIGN_OR_RETURN(kernels::QMatrix qkv,
                          b.Matrix(p + "attn_qkv.weight", cfg.n_embd, q_dim + kv_dim + v_dim));
    l.wq = RowSlice(qkv, 0, q_dim);
    l.wk = RowSlice(qkv, q_dim, kv_dim);
    l.wv = RowSlice(qkv, q_dim + kv_dim, v_dim);
  } else {
    OLLA_ASSIGN_OR_RETURN(l.wq, b.Matrix(p + "attn_q.weight", cfg.n_embd, q_dim));
    OLLA_ASSIGN_OR_RETURN(l.wk, b.Matrix(p + "attn_k.weight", cfg.n_embd, kv_dim));
    OLLA_ASSIGN_OR_RETURN(l.wv, b.Matrix(p + "attn_v.weight", cfg.n_embd, v_dim));
  }
  if (cfg.qkv_bias) {
    OLLA_ASSIGN_OR_RETURN(l.bq, b.Vector(p + "attn_q.bias", q_dim));
    OLLA_ASSIGN_OR_RETURN(l.bk, b.Vector(p + "attn_k.bias", kv_dim));
    OLLA_ASSIGN_OR_RETURN(l.bv, b.Vector(p + "attn_v.bias", v_dim));
  }
  OLLA_ASSIGN_OR_RETURN(
      l.wo, b.Matrix(p + "attn_output.weight", cfg.n_head * cfg.head_dim_v, cfg.n_embd));
  if (cfg.attn_out_bias) {
    OLLA_ASSIGN_OR_RETURN(l.bo, b.Vector(p + "attn_output.bias", cfg.n_embd));
  }
  if (cfg.qk_norm) {
    OLLA_ASSIGN_OR_RETURN(
        l.attn_q_norm, b.Vector(p + "attn_q_norm.weight", cfg.qk_norm_full ? q_dim : cfg.head_dim));
    OLLA_ASSIGN_OR_RETURN(l.attn_k_norm, b.Vector(p + "attn_k_norm.weight",
                                                  cfg.qk_norm_full ? kv_dim : cfg.head_dim));
  }
  return Status::Ok();
}

// The feed-forward projections and their optional parts.
Status BindFfn(Binder& b, const std::string& p, const ModelConfig& cfg, LayerWeights& l) {
  if (cfg.ffn_gated && cfg.fused_gate_up) {
    OLLA_ASSIGN_OR_RETURN(kernels::QMatrix gate_up,
                          b.Matrix(p + "ffn_up.weight", cfg.n_embd, 2 * cfg.n_ff));
    l.ffn_gate = RowSlice(gate_up, 0, cfg.n_ff);
    l.ffn_up = RowSlice(gate_up, cfg.n_ff, cfg.n_ff);
  } else {
    if (cfg.ffn_gated) {
      OLLA_ASSIGN_OR_RETURN(l.ffn_gate, b.Matrix(p + "ffn_gate.weight", cfg.n_embd, cfg.n_ff));
    }
    OLLA_ASSIGN_OR_RETURN(l.ffn_up, b.Matrix(p + "ffn_up.weight", cfg.n_embd, cfg.n_ff));
  }
  OLLA_ASSIGN_OR_RETURN(l.ffn_down, b.Matrix(p + "ffn_down.weight", cfg.n_ff, cfg.n_embd));
  if (cfg.ffn_bias) {
    OLLA_ASSIGN_OR_RETURN(l.ffn_up_b, b.Vector(p + "ffn_up.bias", cfg.n_ff));
    OLLA_ASSIGN_OR_RETURN(l.ffn_down_b, b.Vector(p + "ffn_down.bias", cfg.n_embd));
  }
  return Status::Ok();
}

// The router and experts of a mixture-of-experts FFN.
Status BindExperts(Binder& b, const std::string& p, const ModelConfig& cfg, LayerWeights& l) {
  const size_t n_embd = cfg.n_embd, n_ff = cfg.n_ff_exp, n_exp = cfg.n_expert;
  OLLA_ASSIGN_OR_RETURN(l.ffn_gate_inp, b.Matrix(p + "ffn_gate_inp.weight", n_embd, n_exp));
  OLLA_ASSIGN_OR_RETURN(l.gate_exps, b.Experts(p + "ffn_gate_exps.weight", n_embd, n_ff, n_exp));
  OLLA_ASSIGN_OR_RETURN(l.up_exps, b.Experts(p + "ffn_up_exps.weight", n_embd, n_ff, n_exp));
  OLLA_ASSIGN_OR_RETURN(l.down_exps, b.Experts(p + "ffn_down_exps.weight", n_ff, n_embd, n_exp));
  if (cfg.expert_bias) {
    OLLA_ASSIGN_OR_RETURN(l.ffn_gate_inp_b, b.Vector(p + "ffn_gate_inp.bias", n_exp));
    OLLA_ASSIGN_OR_RETURN(l.gate_exps_b, b.Table(p + "ffn_gate_exps.bias", n_ff, n_exp));
    OLLA_ASSIGN_OR_RETURN(l.up_exps_b, b.Table(p + "ffn_up_exps.bias", n_ff, n_exp));
    OLLA_ASSIGN_OR_RETURN(l.down_exps_b, b.Table(p + "ffn_down_exps.bias", n_embd, n_exp));
  }
  return Status::Ok();
}

}  // namespace

Result<ModelWeights> BindWeights(const gguf::File& file, ModelConfig& cfg) {
  Binder b(file);
  ModelWeights w;
  const size_t n_embd = cfg.n_embd;
  const bool bias = cfg.norm_bias;
  OLLA_ASSIGN_OR_RETURN(w.token_embd, b.Matrix("token_embd.weight", n_embd, 0));
  cfg.n_vocab = w.token_embd.n_rows;
  if (cfg.position_embd) {
    OLLA_ASSIGN_OR_RETURN(w.position_embd, b.Matrix("position_embd.weight", n_embd, 0));
    cfg.n_pos_max = w.position_embd.n_rows;
  }
  if (cfg.token_types) {
    OLLA_ASSIGN_OR_RETURN(w.token_types, b.Matrix("token_types.weight", n_embd, 0));
  }
  if (cfg.embd_norm) {
    OLLA_ASSIGN_OR_RETURN(w.embd_norm, b.Norm("token_embd_norm", n_embd, bias));
  }
  if (cfg.output_norm) {
    OLLA_ASSIGN_OR_RETURN(w.output_norm, b.Norm("output_norm", n_embd, bias));
  }
  if (cfg.output_head) {
    cfg.tied_output = file.FindTensor("output.weight") == nullptr;
    if (cfg.tied_output) {
      w.output = w.token_embd;
    } else {
      // Token ids index both tables: the same vocabulary size (found by model_load_fuzz).
      OLLA_ASSIGN_OR_RETURN(w.output, b.Matrix("output.weight", n_embd, w.token_embd.n_rows));
    }
  }
  if (cfg.dense_out) {
    OLLA_ASSIGN_OR_RETURN(w.dense_2, b.Matrix("dense_2.weight", n_embd, 0));
    OLLA_ASSIGN_OR_RETURN(w.dense_3, b.Matrix("dense_3.weight", w.dense_2.n_rows, n_embd));
  }
  if (cfg.use_rope) {
    OLLA_ASSIGN_OR_RETURN(w.rope_freqs, b.Vector("rope_freqs.weight", cfg.rope.n_rot / 2, true));
    cfg.rope.freq_factors = w.rope_freqs.data;
    cfg.rope_local.freq_factors = w.rope_freqs.data;
  }
  const bool pre = cfg.norm_placement == NormPlacement::kPre;
  const bool block_norms = cfg.norm_placement != NormPlacement::kNone;
  w.layers.resize(cfg.n_layer);
  for (size_t i = 0; i < cfg.n_layer; ++i) {
    const std::string p = StrCat("blk.", i, ".");
    LayerWeights& l = w.layers[i];
    if (block_norms) {
      OLLA_ASSIGN_OR_RETURN(l.attn_norm,
                            b.Norm(p + (pre ? "attn_norm" : "attn_output_norm"), n_embd, bias));
    }
    OLLA_RETURN_IF_ERROR(BindAttention(b, p, cfg, l));
    if (cfg.post_attn_norm) {
      OLLA_ASSIGN_OR_RETURN(l.post_attn_norm, b.Norm(p + "post_attention_norm", n_embd, bias));
    }
    if (cfg.attn_sinks) {
      OLLA_ASSIGN_OR_RETURN(l.attn_sinks, b.Vector(p + "attn_sinks.weight", cfg.n_head));
    }
    if (block_norms) {
      OLLA_ASSIGN_OR_RETURN(
          l.ffn_norm, b.Norm(p + (pre ? cfg.ffn_norm_name : "layer_output_norm"), n_embd, bias));
    }
    if (cfg.n_expert > 0) {
      OLLA_RETURN_IF_ERROR(BindExperts(b, p, cfg, l));
    } else {
      OLLA_RETURN_IF_ERROR(BindFfn(b, p, cfg, l));
    }
    if (cfg.post_ffn_norm) {
      OLLA_ASSIGN_OR_RETURN(l.post_ffn_norm, b.Norm(p + "post_ffw_norm", n_embd, bias));
    }
  }
  return w;
}

}  // namespace olla::engine
