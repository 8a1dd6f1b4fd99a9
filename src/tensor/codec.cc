// The one table that maps a DType to its reference row converters (CONVENTIONS.md C6), and the
// checked entry points Dequantize() / Quantize() built on it.

#include <array>

#include "base/str_cat.h"
#include "tensor/dequantize.h"
#include "tensor/quantize.h"

namespace olla::tensor {
namespace {

// Adapters from the typed per-format functions to the type-erased signatures.
template <typename Block, void (*Fn)(const Block*, float*, size_t)>
void ToFloat(const void* src, float* dst, size_t n) {
  Fn(static_cast<const Block*>(src), dst, n);
}
template <typename Block, void (*Fn)(const float*, Block*, size_t)>
void FromFloat(const float* src, void* dst, size_t n) {
  Fn(src, static_cast<Block*>(dst), n);
}

struct RowCodec {
  DType type;
  DequantizeRowFn to_float;
  QuantizeRowFn from_float;
};

#define OLLA_CODEC_(T, Block) \
  { DType::k##T, &ToFloat<Block, &DequantizeRow##T>, &FromFloat<Block, &QuantizeRow##T> }

constexpr std::array<RowCodec, 18> kCodecs = {{
    OLLA_CODEC_(F32, float),
    OLLA_CODEC_(F16, uint16_t),
    OLLA_CODEC_(BF16, uint16_t),
    OLLA_CODEC_(Q4_0, BlockQ4_0),
    OLLA_CODEC_(Q4_1, BlockQ4_1),
    OLLA_CODEC_(Q5_0, BlockQ5_0),
    OLLA_CODEC_(Q5_1, BlockQ5_1),
    OLLA_CODEC_(Q8_0, BlockQ8_0),
    OLLA_CODEC_(Q8_1, BlockQ8_1),
    OLLA_CODEC_(Q2_K, BlockQ2_K),
    OLLA_CODEC_(Q3_K, BlockQ3_K),
    OLLA_CODEC_(Q4_K, BlockQ4_K),
    OLLA_CODEC_(Q5_K, BlockQ5_K),
    OLLA_CODEC_(Q6_K, BlockQ6_K),
    OLLA_CODEC_(Q8_K, BlockQ8_K),
    OLLA_CODEC_(IQ4_NL, BlockIQ4_NL),
    OLLA_CODEC_(IQ4_XS, BlockIQ4_XS),
    OLLA_CODEC_(MXFP4, BlockMXFP4),
}};

#undef OLLA_CODEC_

const RowCodec* FindCodec(DType type) {
  for (const RowCodec& c : kCodecs)
    if (c.type == type) return &c;
  return nullptr;
}

Status CheckElems(DType type, size_t n_elems) {
  const DTypeInfo& info = Info(type);
  if (n_elems % info.block_elems != 0)
    return Status::InvalidArgument(StrCat(n_elems, " elements is not a multiple of the ", info.name,
                                          " block size ", info.block_elems));
  return Status::Ok();
}

}  // namespace

DequantizeRowFn DequantizeRowFunction(DType type) {
  const RowCodec* c = FindCodec(type);
  return c ? c->to_float : nullptr;
}

QuantizeRowFn QuantizeRowFunction(DType type) {
  const RowCodec* c = FindCodec(type);
  return c ? c->from_float : nullptr;
}

Status Dequantize(DType type, const void* src, size_t n_elems, float* dst) {
  const DequantizeRowFn fn = DequantizeRowFunction(type);
  if (!fn) return Status::Unsupported(StrCat("no dequantizer for tensor type ", Name(type)));
  OLLA_RETURN_IF_ERROR(CheckElems(type, n_elems));
  fn(src, dst, n_elems);
  return Status::Ok();
}

Status Quantize(DType type, const float* src, size_t n_elems, void* dst) {
  const QuantizeRowFn fn = QuantizeRowFunction(type);
  if (!fn) return Status::Unsupported(StrCat("no quantizer for tensor type ", Name(type)));
  OLLA_RETURN_IF_ERROR(CheckElems(type, n_elems));
  fn(src, dst, n_elems);
  return Status::Ok();
}

}  // namespace olla::tensor
