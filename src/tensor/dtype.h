#pragma once
// DType: every ggml tensor type, with its GGUF type id, block size and bytes per block.
// This table is the single place that lists the types (CONVENTIONS.md C6).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "base/status.h"

namespace olla::tensor {

// Values are the GGUF/ggml type ids stored in files; gaps are ids that ggml retired.
enum class DType : uint32_t {
  kF32 = 0,
  kF16 = 1,
  kQ4_0 = 2,
  kQ4_1 = 3,
  kQ5_0 = 6,
  kQ5_1 = 7,
  kQ8_0 = 8,
  kQ8_1 = 9,
  kQ2_K = 10,
  kQ3_K = 11,
  kQ4_K = 12,
  kQ5_K = 13,
  kQ6_K = 14,
  kQ8_K = 15,
  kIQ2_XXS = 16,
  kIQ2_XS = 17,
  kIQ3_XXS = 18,
  kIQ1_S = 19,
  kIQ4_NL = 20,
  kIQ3_S = 21,
  kIQ2_S = 22,
  kIQ4_XS = 23,
  kI8 = 24,
  kI16 = 25,
  kI32 = 26,
  kI64 = 27,
  kF64 = 28,
  kIQ1_M = 29,
  kBF16 = 30,
  kTQ1_0 = 34,
  kTQ2_0 = 35,
  kMXFP4 = 39,
};

struct DTypeInfo {
  DType type;
  std::string_view name;  // as ggml and Ollama print it: "F32", "Q4_K", "IQ4_XS"
  uint32_t block_elems;   // elements per block (1 for plain types)
  uint32_t block_bytes;   // bytes per block
  bool quantized;
};

// Returns the info of a GGUF type id, or kUnsupported naming the id for unknown/retired ids.
Result<const DTypeInfo*> LookupDType(uint32_t type_id);
// Info of a known DType (never fails for an enumerator).
const DTypeInfo& Info(DType type);
inline std::string_view Name(DType type) { return Info(type).name; }
// Parses a type name, case-insensitively ("q4_k" → kQ4_K).
std::optional<DType> ParseDType(std::string_view name);

// Bytes needed for `n_elems` elements of one row; kCorrupt if n_elems is not a multiple of the
// block size or the size overflows.
Result<uint64_t> RowBytes(DType type, uint64_t n_elems);

}  // namespace olla::tensor
