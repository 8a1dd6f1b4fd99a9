#include "tensor/dtype.h"

#include <array>
#include <cctype>

#include "base/str_cat.h"

namespace olla::tensor {
namespace {

constexpr std::array<DTypeInfo, 32> kTable = {{
    {DType::kF32, "F32", 1, 4, false},
    {DType::kF16, "F16", 1, 2, false},
    {DType::kQ4_0, "Q4_0", 32, 18, true},
    {DType::kQ4_1, "Q4_1", 32, 20, true},
    {DType::kQ5_0, "Q5_0", 32, 22, true},
    {DType::kQ5_1, "Q5_1", 32, 24, true},
    {DType::kQ8_0, "Q8_0", 32, 34, true},
    {DType::kQ8_1, "Q8_1", 32, 36, true},
    {DType::kQ2_K, "Q2_K", 256, 84, true},
    {DType::kQ3_K, "Q3_K", 256, 110, true},
    {DType::kQ4_K, "Q4_K", 256, 144, true},
    {DType::kQ5_K, "Q5_K", 256, 176, true},
    {DType::kQ6_K, "Q6_K", 256, 210, true},
    {DType::kQ8_K, "Q8_K", 256, 292, true},
    {DType::kIQ2_XXS, "IQ2_XXS", 256, 66, true},
    {DType::kIQ2_XS, "IQ2_XS", 256, 74, true},
    {DType::kIQ3_XXS, "IQ3_XXS", 256, 98, true},
    {DType::kIQ1_S, "IQ1_S", 256, 50, true},
    {DType::kIQ4_NL, "IQ4_NL", 32, 18, true},
    {DType::kIQ3_S, "IQ3_S", 256, 110, true},
    {DType::kIQ2_S, "IQ2_S", 256, 82, true},
    {DType::kIQ4_XS, "IQ4_XS", 256, 136, true},
    {DType::kI8, "I8", 1, 1, false},
    {DType::kI16, "I16", 1, 2, false},
    {DType::kI32, "I32", 1, 4, false},
    {DType::kI64, "I64", 1, 8, false},
    {DType::kF64, "F64", 1, 8, false},
    {DType::kIQ1_M, "IQ1_M", 256, 56, true},
    {DType::kBF16, "BF16", 1, 2, false},
    {DType::kTQ1_0, "TQ1_0", 256, 54, true},
    {DType::kTQ2_0, "TQ2_0", 256, 66, true},
    {DType::kMXFP4, "MXFP4", 32, 17, true},
}};

const DTypeInfo* Find(uint32_t id) {
  for (const auto& info : kTable)
    if (static_cast<uint32_t>(info.type) == id) return &info;
  return nullptr;
}

}  // namespace

Result<const DTypeInfo*> LookupDType(uint32_t type_id) {
  const DTypeInfo* info = Find(type_id);
  if (!info) return Status::Unsupported(StrCat("unknown tensor type id ", type_id));
  return info;
}

const DTypeInfo& Info(DType type) { return *Find(static_cast<uint32_t>(type)); }

std::optional<DType> ParseDType(std::string_view name) {
  for (const auto& info : kTable) {
    if (info.name.size() != name.size()) continue;
    bool eq = true;
    for (size_t i = 0; i < name.size() && eq; ++i)
      eq = std::toupper(static_cast<unsigned char>(name[i])) == info.name[i];
    if (eq) return info.type;
  }
  return std::nullopt;
}

Result<uint64_t> RowBytes(DType type, uint64_t n_elems) {
  const DTypeInfo& info = Info(type);
  if (n_elems % info.block_elems != 0)
    return Status::Corrupt(StrCat("row of ", n_elems, " elements is not a multiple of the ",
                                  info.name, " block size ", info.block_elems));
  uint64_t bytes = 0;
  if (__builtin_mul_overflow(n_elems / info.block_elems, uint64_t{info.block_bytes}, &bytes))
    return Status::Corrupt(StrCat("row size of ", n_elems, " ", info.name, " elements overflows"));
  return bytes;
}

}  // namespace olla::tensor
