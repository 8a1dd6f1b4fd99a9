#include "tools/synth.h"

#include <cmath>
#include <cstring>
#include <memory>

#include "base/str_cat.h"
#include "gguf/reader.h"
#include "gguf/writer.h"
#include "tensor/dtype.h"
#include "tensor/quantize.h"

namespace olla::tools {
namespace {

using tensor::DType;

// A counter-based generator (splitmix64), so that every row's numbers depend only on the seed,
// the tensor and the row: the file is the same for any thread count.
struct SplitMix {
  uint64_t state;
  uint64_t Next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  float Uniform() { return static_cast<float>((Next() >> 40) + 1) * 0x1p-24f; }  // (0, 1]
};

// n normal samples with standard deviation `sigma` (Box-Muller).
void FillNormal(uint64_t seed, float sigma, float* out, size_t n) {
  SplitMix rng{seed};
  for (size_t i = 0; i < n; i += 2) {
    const float r = sigma * std::sqrt(-2.0f * std::log(rng.Uniform()));
    const float a = 6.2831853f * rng.Uniform();
    out[i] = r * std::cos(a);
    if (i + 1 < n) out[i + 1] = r * std::sin(a);
  }
}

struct TensorPlan {
  std::string name;
  std::vector<uint64_t> ne;  // ne[0] = row length
  DType type;
  bool ones = false;  // a norm weight: all 1
};

// llama-quantize's use_more_bits(): the first and last eighth of the layers and every third
// layer between them get more bits in the _M mixes.
bool UseMoreBits(size_t layer, size_t n_layer) {
  return layer < n_layer / 8 || layer >= 7 * n_layer / 8 || (layer - n_layer / 8) % 3 == 2;
}

struct TypeMix {
  DType base;
  bool m_mix = false;  // Q4_K_M / Q5_K_M
};

Result<TypeMix> ParseTypeMix(const std::string& name) {
  if (name == "Q4_K_M" || name == "q4_k_m") return TypeMix{DType::kQ4_K, true};
  if (name == "Q5_K_M" || name == "q5_k_m") return TypeMix{DType::kQ5_K, true};
  auto t = tensor::ParseDType(name);
  if (!t) return Status::InvalidArgument(StrCat("unknown type '", name, "'"));
  if (!tensor::QuantizeRowFunction(*t) || *t == DType::kQ8_1 || *t == DType::kQ8_K)
    return Status::InvalidArgument(StrCat("type '", name, "' cannot be used for weights"));
  return TypeMix{*t, false};
}

std::vector<TensorPlan> Plan(const SynthShape& s, const TypeMix& mix, bool pure) {
  const DType base = mix.base;
  const bool quantized = tensor::Info(base).quantized;
  // The output matrix (or the tied embedding that serves as it).
  DType out_type = base;
  if (quantized && !pure && base != DType::kQ8_0) out_type = DType::kQ6_K;
  const uint64_t head_dim = s.head_dim ? s.head_dim : s.n_embd / s.n_head;
  const uint64_t q_dim = head_dim * s.n_head, kv_dim = head_dim * s.n_head_kv;
  const bool moe = s.n_expert > 0;
  std::vector<TensorPlan> p;
  p.push_back({"token_embd.weight", {s.n_embd, s.n_vocab}, s.tied_output ? out_type : base});
  for (size_t l = 0; l < s.n_layer; ++l) {
    const std::string b = StrCat("blk.", l, ".");
    const bool more = mix.m_mix && !pure && UseMoreBits(l, s.n_layer);
    p.push_back({b + "attn_norm.weight", {s.n_embd}, DType::kF32, true});
    p.push_back({b + "attn_q.weight", {s.n_embd, q_dim}, base});
    p.push_back({b + "attn_k.weight", {s.n_embd, kv_dim}, base});
    p.push_back({b + "attn_v.weight", {s.n_embd, kv_dim}, more ? DType::kQ6_K : base});
    p.push_back({b + "attn_output.weight", {q_dim, s.n_embd}, base});
    if (s.arch == "qwen3moe") {
      p.push_back({b + "attn_q_norm.weight", {head_dim}, DType::kF32, true});
      p.push_back({b + "attn_k_norm.weight", {head_dim}, DType::kF32, true});
    }
    p.push_back({b + "ffn_norm.weight", {s.n_embd}, DType::kF32, true});
    if (moe) {  // the router stays F32, as llama-quantize leaves ffn_gate_inp
      const uint64_t ff = s.n_ff_exp, ne = s.n_expert;
      p.push_back({b + "ffn_gate_inp.weight", {s.n_embd, ne}, DType::kF32});
      p.push_back({b + "ffn_gate_exps.weight", {s.n_embd, ff, ne}, base});
      p.push_back({b + "ffn_up_exps.weight", {s.n_embd, ff, ne}, base});
      p.push_back({b + "ffn_down_exps.weight", {ff, s.n_embd, ne}, more ? DType::kQ6_K : base});
      continue;
    }
    p.push_back({b + "ffn_gate.weight", {s.n_embd, s.n_ff}, base});
    p.push_back({b + "ffn_up.weight", {s.n_embd, s.n_ff}, base});
    p.push_back({b + "ffn_down.weight", {s.n_ff, s.n_embd}, more ? DType::kQ6_K : base});
  }
  p.push_back({"output_norm.weight", {s.n_embd}, DType::kF32, true});
  if (!s.tied_output) p.push_back({"output.weight", {s.n_embd, s.n_vocab}, out_type});
  return p;
}

// tokenizer.* metadata: copied from `vocab_from` if given, padded with placeholders to n_vocab.
Status AddVocab(const std::string& vocab_from, size_t n_vocab, gguf::Metadata& md) {
  gguf::Array tokens{gguf::ValueType::kString, {}}, scores{gguf::ValueType::kFloat32, {}},
      types{gguf::ValueType::kInt32, {}};
  if (!vocab_from.empty()) {
    OLLA_ASSIGN_OR_RETURN(gguf::File src, gguf::File::Open(vocab_from));
    for (const auto& [key, value] : src.metadata().entries()) {
      if (key.rfind("tokenizer.", 0) != 0) continue;
      if (key == "tokenizer.ggml.tokens")
        tokens = *value.AsArray();
      else if (key == "tokenizer.ggml.scores")
        scores = *value.AsArray();
      else if (key == "tokenizer.ggml.token_type")
        types = *value.AsArray();
      else
        md.Set(key, value);
    }
    if (tokens.items.size() > n_vocab)
      return Status::InvalidArgument(StrCat(vocab_from, " has ", tokens.items.size(),
                                            " tokens, more than the shape's ", n_vocab));
  } else {
    md.Set("tokenizer.ggml.model", gguf::Value(std::string("llama")));
    md.Set("tokenizer.ggml.bos_token_id", gguf::Value(uint32_t{1}));
    md.Set("tokenizer.ggml.eos_token_id", gguf::Value(uint32_t{2}));
    md.Set("tokenizer.ggml.unknown_token_id", gguf::Value(uint32_t{0}));
    for (const char* t : {"<unk>", "<s>", "</s>"}) {
      tokens.items.emplace_back(std::string(t));
      scores.items.emplace_back(0.0f);
      types.items.emplace_back(tokens.items.size() == 1 ? int32_t{2}
                                                        : int32_t{3});  // unknown, control
    }
  }
  while (tokens.items.size() < n_vocab)
    tokens.items.emplace_back(StrCat("<tok_", tokens.items.size(), ">"));
  if (scores.elem_type == gguf::ValueType::kFloat32)
    while (scores.items.size() < n_vocab) scores.items.emplace_back(0.0f);
  if (types.elem_type == gguf::ValueType::kInt32)
    while (types.items.size() < n_vocab) types.items.emplace_back(int32_t{1});  // normal
  md.Set("tokenizer.ggml.tokens", gguf::Value(std::move(tokens)));
  md.Set("tokenizer.ggml.scores", gguf::Value(std::move(scores)));
  md.Set("tokenizer.ggml.token_type", gguf::Value(std::move(types)));
  return Status::Ok();
}

}  // namespace

const std::vector<SynthShape>& SynthShapes() {
  static const std::vector<SynthShape> kShapes = {
      {"llama3.2-1b", 2048, 16, 32, 8, 8192, 32000, 131072, 500000.0, true},
      {"llama-7b", 4096, 32, 32, 32, 11008, 32000, 4096, 10000.0, false},
      {"tiny", 256, 2, 4, 2, 768, 512, 2048, 10000.0, false},
      // Qwen3-30B-A3B's layers (2048 wide, 32/4 heads of 128, 128 experts of 768, top 8) with 4
      // of its 48 layers: 2.6 B parameters, of which 0.3 B are read per token.
      {"qwen3-moe-mini", 2048, 4, 32, 4, 6144, 32000, 40960, 1000000.0, false, "qwen3moe", 128, 128,
       8, 768},
      {"tiny-moe", 256, 2, 4, 2, 768, 512, 2048, 1000000.0, false, "qwen3moe", 64, 8, 2, 256},
  };
  return kShapes;
}

Status WriteSynthModel(const SynthOptions& o, const std::string& path, ThreadPool& pool) {
  const SynthShape* shape = nullptr;
  std::string known;
  for (const auto& s : SynthShapes()) {
    if (s.name == o.shape) shape = &s;
    StrAppend(known, known.empty() ? "" : ", ", s.name);
  }
  if (!shape)
    return Status::InvalidArgument(
        StrCat("synth: unknown shape '", o.shape, "' (known: ", known, ")"));
  if (!o.arch.empty() && o.arch != shape->arch)
    return Status::InvalidArgument(
        StrCat("synth: shape '", o.shape, "' is a ", shape->arch, " model, not ", o.arch));
  OLLA_ASSIGN_OR_RETURN(TypeMix mix, ParseTypeMix(o.type));

  gguf::Metadata md;
  const std::string a = shape->arch;
  const size_t head_dim = shape->head_dim ? shape->head_dim : shape->n_embd / shape->n_head;
  md.Set("general.architecture", gguf::Value(a));
  md.Set("general.name", gguf::Value(StrCat("synth-", shape->name, "-", o.type)));
  md.Set("general.file_type", gguf::Value(uint32_t{0}));
  md.Set(a + ".context_length", gguf::Value(uint32_t(shape->n_ctx)));
  md.Set(a + ".embedding_length", gguf::Value(uint32_t(shape->n_embd)));
  md.Set(a + ".block_count", gguf::Value(uint32_t(shape->n_layer)));
  md.Set(a + ".feed_forward_length", gguf::Value(uint32_t(shape->n_ff)));
  md.Set(a + ".attention.head_count", gguf::Value(uint32_t(shape->n_head)));
  md.Set(a + ".attention.head_count_kv", gguf::Value(uint32_t(shape->n_head_kv)));
  md.Set(a + ".attention.key_length", gguf::Value(uint32_t(head_dim)));
  md.Set(a + ".attention.value_length", gguf::Value(uint32_t(head_dim)));
  md.Set(a + ".rope.freq_base", gguf::Value(float(shape->rope_base)));
  md.Set(a + ".rope.dimension_count", gguf::Value(uint32_t(head_dim)));
  md.Set(a + ".attention.layer_norm_rms_epsilon", gguf::Value(1e-5f));
  md.Set(a + ".vocab_size", gguf::Value(uint32_t(shape->n_vocab)));
  if (shape->n_expert > 0) {
    md.Set(a + ".expert_count", gguf::Value(uint32_t(shape->n_expert)));
    md.Set(a + ".expert_used_count", gguf::Value(uint32_t(shape->n_expert_used)));
    md.Set(a + ".expert_feed_forward_length", gguf::Value(uint32_t(shape->n_ff_exp)));
  }
  OLLA_RETURN_IF_ERROR(AddVocab(o.vocab_from, shape->n_vocab, md));

  const std::vector<TensorPlan> plan = Plan(*shape, mix, o.pure);
  std::vector<std::vector<uint8_t>> data(plan.size());
  std::vector<gguf::TensorToWrite> tensors;
  for (size_t ti = 0; ti < plan.size(); ++ti) {
    const TensorPlan& tp = plan[ti];
    size_t rows = 1;  // of every matrix of a 3-D expert tensor together
    for (size_t d = 1; d < tp.ne.size(); ++d) rows *= tp.ne[d];
    const size_t cols = tp.ne[0];
    OLLA_ASSIGN_OR_RETURN(uint64_t row_bytes, tensor::RowBytes(tp.type, cols));
    data[ti].resize(rows * row_bytes);
    const tensor::QuantizeRowFn quantize = tensor::QuantizeRowFunction(tp.type);
    pool.ParallelFor(rows, [&](size_t begin, size_t end, size_t) {
      std::vector<float> row(cols);
      for (size_t r = begin; r < end; ++r) {
        if (tp.ones) {
          std::fill(row.begin(), row.end(), 1.0f);
        } else {
          FillNormal(o.seed ^ (uint64_t{ti} << 40) ^ (uint64_t{r} * 0x9e3779b97f4a7c15ull), 0.02f,
                     row.data(), cols);
        }
        quantize(row.data(), data[ti].data() + r * row_bytes, cols);
      }
    });
    tensors.push_back({tp.name, tp.ne, tp.type, data[ti]});
  }
  return gguf::WriteFile(path, md, tensors);
}

}  // namespace olla::tools
