// Quantization targets and the per-tensor type choice (spec §8.6). The rules follow llama.cpp's
// src/llama-quant.cpp (llama_model_quantize_impl and llama_tensor_get_type) for the file types we
// support, without an importance matrix, so that `create --quantize` picks the types Ollama's
// `llama-quantize` run picks.

#include "create/quantize_model.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "base/str_cat.h"
#include "engine/arch/arch.h"

namespace olla::create {

using tensor::DType;

namespace {

// llama.cpp LLAMA_FTYPE_* values used below.
enum FileType : uint32_t {
  kF32 = 0,
  kF16 = 1,
  kQ4_0 = 2,
  kQ4_1 = 3,
  kQ8_0 = 7,
  kQ5_0 = 8,
  kQ5_1 = 9,
  kQ2_K = 10,
  kQ3_K_S = 11,
  kQ3_K_M = 12,
  kQ3_K_L = 13,
  kQ4_K_S = 14,
  kQ4_K_M = 15,
  kQ5_K_S = 16,
  kQ5_K_M = 17,
  kQ6_K = 18,
  kIQ4_NL = 25,
  kIQ4_XS = 30,
  kBF16 = 32,
  kMXFP4_MOE = 38,
};

constexpr QuantizeTarget kTargets[] = {
    {"F32", kF32, DType::kF32},          {"F16", kF16, DType::kF16},
    {"BF16", kBF16, DType::kBF16},       {"Q4_0", kQ4_0, DType::kQ4_0},
    {"Q4_1", kQ4_1, DType::kQ4_1},       {"Q5_0", kQ5_0, DType::kQ5_0},
    {"Q5_1", kQ5_1, DType::kQ5_1},       {"Q8_0", kQ8_0, DType::kQ8_0},
    {"Q2_K", kQ2_K, DType::kQ2_K},       {"Q3_K_S", kQ3_K_S, DType::kQ3_K},
    {"Q3_K_M", kQ3_K_M, DType::kQ3_K},   {"Q3_K_L", kQ3_K_L, DType::kQ3_K},
    {"Q4_K_S", kQ4_K_S, DType::kQ4_K},   {"Q4_K_M", kQ4_K_M, DType::kQ4_K},
    {"Q5_K_S", kQ5_K_S, DType::kQ5_K},   {"Q5_K_M", kQ5_K_M, DType::kQ5_K},
    {"Q6_K", kQ6_K, DType::kQ6_K},       {"IQ4_NL", kIQ4_NL, DType::kIQ4_NL},
    {"IQ4_XS", kIQ4_XS, DType::kIQ4_XS}, {"MXFP4_MOE", kMXFP4_MOE, DType::kMXFP4},
};

bool Contains(std::string_view s, std::string_view part) {
  return s.find(part) != std::string_view::npos;
}

// Metadata lookups where a missing or mistyped key means "not set".
std::string MetaString(const gguf::Metadata& md, std::string_view key) {
  auto v = md.GetStringOr(key, "");
  return v.ok() ? *v : "";
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool IsFloatType(DType t) { return t == DType::kF32 || t == DType::kF16 || t == DType::kBF16; }

bool IsKQuantFileType(uint32_t ft) { return ft >= kQ2_K && ft <= kQ6_K; }

// llama.cpp's use_more_bits(): the first and last eighth of the layers and every third between.
bool UseMoreBits(int i_layer, int n_layer) {
  return i_layer < n_layer / 8 || i_layer >= 7 * n_layer / 8 || (i_layer - n_layer / 8) % 3 == 2;
}

// Whether llama_model_quantize_impl quantizes the tensor at all (else it is copied unchanged).
bool ShouldQuantize(const gguf::TensorInfo& t) {
  const std::string_view name = t.name;
  if (name.size() < 6 || name.substr(name.size() - 6) != "weight") return false;
  if (t.ne.size() < 2) return false;
  for (std::string_view skip : {"_norm.weight",
                                "ffn_gate_inp.weight",
                                "altup",
                                "laurel",
                                "per_layer_model_proj",
                                "ssm_conv1d.weight",
                                "shortconv.conv.weight",
                                "time_mix_first.weight",
                                "time_mix_w0.weight",
                                "time_mix_w1.weight",
                                "time_mix_w2.weight",
                                "time_mix_v0.weight",
                                "time_mix_v1.weight",
                                "time_mix_v2.weight",
                                "time_mix_a0.weight",
                                "time_mix_a1.weight",
                                "time_mix_a2.weight",
                                "time_mix_g1.weight",
                                "time_mix_g2.weight",
                                "time_mix_decay_w1.weight",
                                "time_mix_decay_w2.weight",
                                "time_mix_lerp_fused.weight",
                                "attn_rel_b.weight"}) {
    if (Contains(name, skip)) return false;
  }
  return name != "position_embd.weight" && name != "token_types.weight";
}

// Running counters of llama.cpp's quantize_state_impl.
struct TypeState {
  const QuantizeHparams& hp;
  const engine::ArchTraits& arch;
  uint32_t ftype;
  bool has_output = false;
  int n_attention_wv = 0, i_attention_wv = 0;
  int n_layer = 0, i_ffn_down = 0, i_ffn_gate = 0, i_ffn_up = 0;

  bool falcon() const { return arch.quant_falcon_mix; }
  int n_gqa() const { return hp.n_head_kv == 0 ? 0 : static_cast<int>(hp.n_head / hp.n_head_kv); }
  // llama.cpp LLM_TYPE_70B: 80-layer models (of llama, qwen2) with grouped-query attention.
  bool is_70b() const { return arch.quant_70b_at_80_layers && hp.n_layer == 80 && n_gqa() > 1; }
  // (layer, n_layer) of an FFN tensor: the running counter, or with experts the name's layer.
  Result<std::pair<int, int>> LayerInfo(int counter, const std::string& name) const {
    if (hp.n_expert <= 1) return std::make_pair(counter, n_layer);
    int layer = -1;
    if (std::sscanf(name.c_str(), "blk.%d.", &layer) != 1 || layer < 0 || layer >= n_layer)
      return Status::InvalidArgument(StrCat("cannot determine the layer of tensor ", name));
    return std::make_pair(layer, n_layer);
  }
};

bool RowFits(DType type, uint64_t row_len) { return row_len % tensor::Info(type).block_elems == 0; }

// llama_tensor_get_type() for the file types we support.
Result<DType> MixedType(TypeState& qs, const gguf::TensorInfo& t, DType new_type) {
  const std::string& name = t.name;
  const uint32_t ft = qs.ftype;
  const bool eight_experts = qs.hp.n_expert == 8;
  if (name == "output.weight" || (!qs.has_output && name == "token_embd.weight")) {
    if (ft == kMXFP4_MOE || qs.falcon() || !RowFits(new_type, t.row_len())) {
      new_type = DType::kQ8_0;
    } else if (new_type != DType::kQ8_0) {
      new_type = DType::kQ6_K;
    }
  } else if (ft == kMXFP4_MOE) {
    // Expert tensors (3-D with more than one expert) become MXFP4, everything else Q8_0; no
    // counters advance (llama.cpp returns before the name checks below).
    new_type = t.ne.size() > 2 && t.ne[2] > 1 ? DType::kMXFP4 : DType::kQ8_0;
  } else if (name == "token_embd.weight" || name == "per_layer_token_embd.weight") {
    // Only the IQ1/IQ2/IQ3/TQ file types change these.
  } else if (Contains(name, "attn_v.weight")) {
    if (ft == kQ2_K) {
      new_type = qs.n_gqa() >= 4 ? DType::kQ4_K : DType::kQ3_K;
    } else if (ft == kQ3_K_M) {
      new_type = qs.i_attention_wv < 2 ? DType::kQ5_K : DType::kQ4_K;
    } else if (ft == kQ3_K_L) {
      new_type = DType::kQ5_K;
    } else if ((ft == kIQ4_NL || ft == kIQ4_XS) && qs.n_gqa() >= 4) {
      new_type = DType::kQ5_K;
    } else if ((ft == kQ4_K_M || ft == kQ5_K_M) &&
               UseMoreBits(qs.i_attention_wv, qs.n_attention_wv)) {
      new_type = DType::kQ6_K;
    } else if (ft == kQ4_K_S && qs.i_attention_wv < 4) {
      new_type = DType::kQ5_K;
    }
    if (qs.is_70b() && (new_type == DType::kQ3_K || new_type == DType::kQ4_K))
      new_type = DType::kQ5_K;
    if (eight_experts) new_type = DType::kQ8_0;
    ++qs.i_attention_wv;
  } else if (Contains(name, "attn_k.weight")) {
    if (eight_experts) new_type = DType::kQ8_0;
  } else if (Contains(name, "attn_q.weight")) {
    // Only the IQ3 file types change these.
  } else if (Contains(name, "ffn_down")) {
    OLLA_ASSIGN_OR_RETURN(auto info, qs.LayerInfo(qs.i_ffn_down, name));
    const auto [i_layer, n_layer] = info;
    if (ft == kQ2_K) {
      new_type = DType::kQ3_K;
    } else if (ft == kQ3_K_M) {
      new_type = i_layer < n_layer / 16                          ? DType::kQ5_K
                 : !qs.falcon() || UseMoreBits(i_layer, n_layer) ? DType::kQ4_K
                                                                 : DType::kQ3_K;
    } else if (ft == kQ3_K_L) {
      new_type = qs.falcon() ? DType::kQ4_K : DType::kQ5_K;
    } else if (ft == kQ4_K_M) {
      if (qs.falcon()) {
        new_type = i_layer < n_layer / 16          ? DType::kQ6_K
                   : UseMoreBits(i_layer, n_layer) ? DType::kQ5_K
                                                   : DType::kQ4_K;
      } else if (UseMoreBits(i_layer, n_layer)) {
        new_type = DType::kQ6_K;
      }
    } else if (i_layer < n_layer / 8 && (ft == kIQ4_NL || ft == kIQ4_XS)) {
      new_type = DType::kQ5_K;
    } else if (ft == kQ5_K_M && UseMoreBits(i_layer, n_layer)) {
      new_type = DType::kQ6_K;
    } else if (ft == kQ4_K_S && !qs.falcon() && i_layer < n_layer / 8) {
      new_type = DType::kQ5_K;
    }
    ++qs.i_ffn_down;
  } else if (Contains(name, "attn_output.weight")) {
    if (!qs.falcon()) {
      if (eight_experts) {
        if (ft == kQ2_K || ft == kQ3_K_S || ft == kQ3_K_M || ft == kIQ4_NL || ft == kQ4_K_S ||
            ft == kQ4_K_M || ft == kIQ4_XS) {
          new_type = DType::kQ5_K;
        }
      } else if (ft == kQ2_K) {
        new_type = DType::kQ3_K;
      } else if (ft == kQ3_K_M) {
        new_type = DType::kQ4_K;
      } else if (ft == kQ3_K_L) {
        new_type = DType::kQ5_K;
      }
    } else if (ft == kQ3_K_L) {
      new_type = DType::kQ4_K;
    }
  } else if (Contains(name, "attn_qkv.weight")) {
    if (ft == kQ3_K_M || ft == kQ3_K_L) {
      new_type = DType::kQ4_K;
    } else if (ft == kQ4_K_M) {
      new_type = DType::kQ5_K;
    } else if (ft == kQ5_K_M) {
      new_type = DType::kQ6_K;
    }
  } else if (Contains(name, "ffn_gate")) {
    OLLA_RETURN_IF_ERROR(qs.LayerInfo(qs.i_ffn_gate, name).status());
    ++qs.i_ffn_gate;
  } else if (Contains(name, "ffn_up")) {
    OLLA_RETURN_IF_ERROR(qs.LayerInfo(qs.i_ffn_up, name).status());
    ++qs.i_ffn_up;
  }
  return new_type;
}

// llama.cpp's fallback when the row length is not a multiple of the chosen type's block size.
// Where llama-quantize gives up ("Unsupported tensor size encountered": a legacy type such as
// Q4_0 or Q8_0 with rows of 172 values) the tensor becomes F16, llama.cpp's last resort.
DType Fallback(const gguf::TensorInfo& t, DType type) {
  if (RowFits(type, t.row_len())) return type;
  DType fallback;
  switch (type) {
    case DType::kQ2_K:
    case DType::kQ3_K:
    case DType::kIQ4_XS:
      fallback = DType::kIQ4_NL;
      break;
    case DType::kQ4_K:
      fallback = DType::kQ5_0;
      break;
    case DType::kQ5_K:
      fallback = DType::kQ5_1;
      break;
    case DType::kQ6_K:
      fallback = DType::kQ8_0;
      break;
    default:
      return DType::kF16;
  }
  return RowFits(fallback, t.row_len()) ? fallback : DType::kF16;
}

// A uint metadata value; for per-layer arrays (e.g. head_count_kv of some models) the first item.
uint32_t MetadataU32(const gguf::Metadata& md, const std::string& key, uint32_t fallback) {
  const gguf::Value* v = md.Find(key);
  if (v && v->AsArray()) v = v->AsArray()->items.empty() ? nullptr : &v->AsArray()->items.front();
  if (!v) return fallback;
  Result<uint64_t> n = v->AsUint();
  return n.ok() && *n <= UINT32_MAX ? static_cast<uint32_t>(*n) : fallback;
}

int LayerOf(const std::string& name) {
  int layer = -1;
  if (std::sscanf(name.c_str(), "blk.%d.", &layer) != 1) return -1;
  return layer;
}

}  // namespace

std::span<const QuantizeTarget> QuantizeTargets() { return kTargets; }

Result<QuantizeTarget> ParseQuantizeTarget(std::string_view text) {
  std::string want = Upper(text);
  if (want == "Q3_K" || want == "Q4_K" || want == "Q5_K") want += "_M";
  for (const QuantizeTarget& t : kTargets)
    if (t.name == want) return t;
  std::string list;
  for (const QuantizeTarget& t : kTargets) StrAppend(list, list.empty() ? "" : ", ", t.name);
  return Status::InvalidArgument(
      StrCat("unsupported quantization type ", Upper(text), " - supported types are ", list));
}

Result<uint32_t> QuantizableFileType(const gguf::File& src) {
  const Status unsupported =
      Status::InvalidArgument("quantization is only supported for F16, BF16 and F32 models");
  bool has_f16 = false, has_bf16 = false;
  for (const gguf::TensorInfo& t : src.tensors()) {
    if (!IsFloatType(t.type)) return unsupported;
    has_f16 = has_f16 || (t.type == DType::kF16 && t.ne.size() >= 2);
    has_bf16 = has_bf16 || (t.type == DType::kBF16 && t.ne.size() >= 2);
  }
  uint32_t ft = has_f16 ? kF16 : has_bf16 ? kBF16 : kF32;
  if (const gguf::Value* v = src.metadata().Find("general.file_type")) {
    auto declared = src.metadata().GetUint("general.file_type");
    if (!declared.ok() || v->AsArray()) return unsupported;
    ft = static_cast<uint32_t>(*declared);
  }
  if (ft != kF32 && ft != kF16 && ft != kBF16) return unsupported;
  return ft;
}

QuantizeHparams HparamsFromMetadata(const gguf::Metadata& md) {
  QuantizeHparams hp;
  hp.arch = MetaString(md, "general.architecture");
  hp.n_layer = MetadataU32(md, hp.arch + ".block_count", 0);
  hp.n_head = MetadataU32(md, hp.arch + ".attention.head_count", 0);
  hp.n_head_kv = MetadataU32(md, hp.arch + ".attention.head_count_kv", hp.n_head);
  hp.n_expert = MetadataU32(md, hp.arch + ".expert_count", 0);
  return hp;
}

std::vector<size_t> QuantizeOrder(const std::vector<gguf::TensorInfo>& tensors) {
  std::vector<std::pair<int, size_t>> keyed;
  keyed.reserve(tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) keyed.emplace_back(LayerOf(tensors[i].name), i);
  std::sort(keyed.begin(), keyed.end(), [&](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    return tensors[a.second].name < tensors[b.second].name;
  });
  std::vector<size_t> order;
  order.reserve(keyed.size());
  for (const auto& k : keyed) order.push_back(k.second);
  return order;
}

Result<std::vector<DType>> ChooseTensorTypes(const QuantizeHparams& hparams,
                                             const std::vector<gguf::TensorInfo>& tensors,
                                             const QuantizeTarget& target) {
  const engine::ArchTraits& arch = engine::ArchTraitsFor(hparams.arch);
  TypeState qs{hparams, arch, target.file_type};
  qs.n_layer = static_cast<int>(hparams.n_layer);
  for (const gguf::TensorInfo& t : tensors) {
    if (Contains(t.name, "attn_v.weight") || Contains(t.name, "attn_qkv.weight") ||
        Contains(t.name, "attn_kv_b.weight")) {
      ++qs.n_attention_wv;
    } else if (t.name == "output.weight") {
      qs.has_output = true;
    }
  }
  const bool mixed = tensor::Info(target.default_type).quantized;
  std::vector<DType> types(tensors.size());
  for (size_t idx : QuantizeOrder(tensors)) {
    const gguf::TensorInfo& t = tensors[idx];
    DType type = t.type;
    if (ShouldQuantize(t)) {
      type = target.default_type;
      if (mixed) {
        OLLA_ASSIGN_OR_RETURN(type, MixedType(qs, t, type));
        // Spec §8.6 per-architecture quality overrides, applied by upstream for K-quant targets.
        if (IsKQuantFileType(target.file_type) && arch.quant_override)
          type = arch.quant_override(t.name, type);
        type = Fallback(t, type);
      }
    }
    types[idx] = type;
  }
  return types;
}

}  // namespace olla::create
