// GgufQuantizer: the quantized GGUF file produced as a stream, a chunk of rows at a time, and its
// storage as a blob (spec §8.6). Memory use is bounded by one chunk (kChunkElems floats plus the
// quantized bytes), whatever the model size.

#include <algorithm>
#include <cstring>

#include "base/str_cat.h"
#include "create/quantize_model.h"
#include "gguf/writer.h"
#include "tensor/dequantize.h"
#include "tensor/quantize.h"

namespace olla::create {

using tensor::DType;

namespace {

constexpr uint64_t kChunkElems = uint64_t{1} << 22;   // 16 MiB of floats per chunk
constexpr uint64_t kMaxRowElems = uint64_t{1} << 26;  // far above any real row (n_embd, n_ff)
constexpr uint32_t kQuantizationVersion = 2;          // ggml's GGML_QNT_VERSION

uint64_t PadTo(uint64_t n, uint64_t alignment) {
  return (n + alignment - 1) / alignment * alignment;
}

}  // namespace

Result<std::unique_ptr<GgufQuantizer>> GgufQuantizer::Create(const gguf::File& src,
                                                             const QuantizeTarget& target,
                                                             size_t n_threads) {
  OLLA_ASSIGN_OR_RETURN(
      std::vector<DType> types,
      ChooseTensorTypes(HparamsFromMetadata(src.metadata()), src.tensors(), target));
  std::unique_ptr<GgufQuantizer> q(new GgufQuantizer(std::max<size_t>(n_threads, 1)));
  gguf::Metadata md = src.metadata();
  for (const char* key : {"general.quantization_version", "general.file_type", "split.no",
                          "split.count", "split.tensors.count"}) {
    md.Erase(key);
  }
  md.Set("general.quantization_version", gguf::Value(kQuantizationVersion));
  md.Set("general.file_type", gguf::Value(target.file_type));
  OLLA_ASSIGN_OR_RETURN(q->alignment_, gguf::DataAlignment(md));

  std::vector<gguf::TensorToWrite> infos;
  for (size_t idx : QuantizeOrder(src.tensors())) {
    const gguf::TensorInfo& t = src.tensors()[idx];
    const DType type = types[idx];
    if (type != t.type &&
        (!tensor::DequantizeRowFunction(t.type) || !tensor::QuantizeRowFunction(type))) {
      return Status::Unsupported(StrCat("cannot convert tensor ", t.name, " from ",
                                        tensor::Name(t.type), " to ", tensor::Name(type)));
    }
    if (type != t.type && t.row_len() > kMaxRowElems) {  // hostile shapes: bounded buffers
      return Status::InvalidArgument(
          StrCat("cannot quantize tensor ", t.name, ": rows of ", t.row_len(), " values"));
    }
    OLLA_ASSIGN_OR_RETURN(uint64_t row_bytes, tensor::RowBytes(type, t.row_len()));
    uint64_t bytes = 0;
    if (__builtin_mul_overflow(row_bytes, t.rows(), &bytes))
      return Status::InvalidArgument(StrCat("tensor ", t.name, " is too large"));
    q->items_.push_back({&t, type, bytes});
    q->planned_.emplace_back(t.name, type);
    q->source_total_ += t.n_bytes;
    infos.push_back({t.name, t.ne, type, {}});
  }
  OLLA_ASSIGN_OR_RETURN(q->pending_, gguf::SerializeHeader(md, infos, /*version=*/3));
  q->output_size_ = q->pending_.size();
  for (const Item& item : q->items_) q->output_size_ += PadTo(item.out_bytes, q->alignment_);
  return q;
}

Status GgufQuantizer::ProduceChunk() {
  const Item& item = items_[item_idx_];
  const gguf::TensorInfo& t = *item.src;
  const uint64_t rows = item.out_bytes == 0 ? 0 : t.rows();
  if (item.type == t.type) {  // copied unchanged, in bounded pieces
    const uint64_t n = std::min<uint64_t>(t.n_bytes - next_row_, kChunkElems * 4);
    pending_.append(reinterpret_cast<const char*>(t.data.data()) + next_row_, n);
    next_row_ += n;
    source_done_ += n;
    if (next_row_ < t.n_bytes) return Status::Ok();
  } else if (next_row_ < rows) {
    const uint64_t row_len = t.row_len();
    const uint64_t n_rows =
        std::min(rows - next_row_, std::max<uint64_t>(1, kChunkElems / row_len));
    OLLA_ASSIGN_OR_RETURN(const uint64_t in_row_bytes, tensor::RowBytes(t.type, row_len));
    OLLA_ASSIGN_OR_RETURN(const uint64_t out_row_bytes, tensor::RowBytes(item.type, row_len));
    f32_.resize(n_rows * row_len);
    const size_t out_base = pending_.size();
    pending_.resize(out_base + n_rows * out_row_bytes);
    const tensor::DequantizeRowFn to_float = tensor::DequantizeRowFunction(t.type);
    const tensor::QuantizeRowFn from_float = tensor::QuantizeRowFunction(item.type);
    const uint8_t* in = t.data.data() + next_row_ * in_row_bytes;
    char* out = pending_.data() + out_base;
    float* f32 = f32_.data();
    pool_.ParallelFor(n_rows, [&](size_t begin, size_t end, size_t) {
      for (size_t r = begin; r < end; ++r) {
        to_float(in + r * in_row_bytes, f32 + r * row_len, row_len);
        from_float(f32 + r * row_len, out + r * out_row_bytes, row_len);
      }
    });
    next_row_ += n_rows;
    source_done_ += n_rows * in_row_bytes;
    if (next_row_ < rows) return Status::Ok();
  }
  pending_.append(PadTo(item.out_bytes, alignment_) - item.out_bytes, '\0');
  ++item_idx_;
  next_row_ = 0;
  return Status::Ok();
}

Result<size_t> GgufQuantizer::Read(char* buf, size_t cap) {
  while (pending_pos_ == pending_.size()) {
    pending_.clear();
    pending_pos_ = 0;
    if (item_idx_ == items_.size()) return size_t{0};
    OLLA_RETURN_IF_ERROR(ProduceChunk());
  }
  const size_t n = std::min(cap, pending_.size() - pending_pos_);
  std::memcpy(buf, pending_.data() + pending_pos_, n);
  pending_pos_ += n;
  return n;
}

Result<store::BlobWriteResult> QuantizeModelToStore(const gguf::File& src,
                                                    const QuantizeTarget& target,
                                                    store::Store& store,
                                                    const QuantizeProgressFn& progress,
                                                    const std::function<void()>& verifying) {
  OLLA_ASSIGN_OR_RETURN(std::unique_ptr<GgufQuantizer> q,
                        GgufQuantizer::Create(src, target, ThreadPool::DefaultThreadCount()));
  const int64_t total = static_cast<int64_t>(src.bytes().size());
  const uint64_t source_total = std::max<uint64_t>(q->source_bytes(), 1);
  int64_t reported = -1;
  auto report = [&] {
    const int64_t completed = static_cast<int64_t>(static_cast<double>(q->source_bytes_done()) /
                                                   static_cast<double>(source_total) * total);
    // At most one object per percent of progress, plus the final one.
    if (progress &&
        (completed == total || completed - reported >= std::max<int64_t>(total / 100, 1))) {
      progress(completed, total);
      reported = completed;
    }
  };
  OLLA_ASSIGN_OR_RETURN(store::BlobWriteResult blob,
                        store.WriteBlobFromReader([&](char* buf, size_t cap) -> Result<size_t> {
                          Result<size_t> n = q->Read(buf, cap);
                          if (n.ok()) report();
                          return n;
                        }));
  if (verifying) verifying();
  // The written blob must parse and hold exactly the planned tensors.
  auto written = gguf::File::Open(store.BlobPath(blob.digest));
  bool same = written.ok() && static_cast<uint64_t>(blob.size) == q->output_size() &&
              written->tensors().size() == q->planned().size();
  for (size_t i = 0; same && i < q->planned().size(); ++i) {
    same = written->tensors()[i].name == q->planned()[i].first &&
           written->tensors()[i].type == q->planned()[i].second;
  }
  if (!same) {
    if (!blob.existed) (void)store.RemoveUnreferencedBlobs({blob.digest});
    return Status::Internal(StrCat("quantized model failed verification",
                                   written.ok() ? "" : StrCat(": ", written.status().message())));
  }
  return blob;
}

}  // namespace olla::create
