#pragma once
// Re-quantization of a GGUF model layer during create (spec §8.6), as upstream does it by running
// `llama-quantize` without an importance matrix:
//  * which tensors are quantized: 2-D and 3-D tensors whose name ends in "weight", except norms,
//    expert gates, positional/token-type embeddings and a few small special tensors; the others
//    (1-D tensors, biases, norms) are copied unchanged;
//  * which type each quantized tensor gets: llama.cpp's llama_tensor_get_type() for the target's
//    file type (e.g. Q4_K_M: output Q6_K, attn_v and ffn_down of the "more bits" layers Q6_K, the
//    rest Q4_K), then the per-architecture overrides of §8.6, then llama.cpp's fallback for rows
//    that are not a multiple of the block size (Q4_K → Q5_0, Q6_K → Q8_0, ..., else F16);
//  * the output file: the source metadata with general.quantization_version = 2 and
//    general.file_type = target moved to the end, tensors in llama.cpp's order (non-layer
//    tensors by name, then layer by layer, by name), each quantized with tensor/quantize.h, which
//    reproduces ggml's bytes. So the result is byte-identical to `llama-quantize IN OUT TYPE`.
// The output is produced incrementally (GgufQuantizer::Read), a chunk of rows at a time, so a
// multi-GB model is never held in memory; QuantizeModelToStore streams it into a store blob.

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/thread_pool.h"
#include "gguf/reader.h"
#include "store/store.h"
#include "tensor/dtype.h"

namespace olla::create {

// A `quantize` value of POST /api/create.
struct QuantizeTarget {
  std::string_view name;       // as shown in statuses and `details.quantization_level`: "Q4_K_M"
  uint32_t file_type = 0;      // general.file_type (llama.cpp LLAMA_FTYPE_*, spec §6.4 table)
  tensor::DType default_type;  // the type of most quantized tensors
};

// All supported targets: F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K_S, Q3_K_M,
// Q3_K_L, Q4_K_S, Q4_K_M, Q5_K_S, Q5_K_M, Q6_K, IQ4_NL, IQ4_XS, MXFP4_MOE (llama.cpp's name and
// file type 38: expert tensors MXFP4, every other quantized tensor Q8_0; Ollama itself does not
// accept it).
std::span<const QuantizeTarget> QuantizeTargets();
// Case-insensitive; aliases Q3_K, Q4_K, Q5_K mean the _M mixes. Unknown → kInvalidArgument
// `unsupported quantization type <TEXT> - supported types are F32, F16, ...`.
Result<QuantizeTarget> ParseQuantizeTarget(std::string_view text);

// The file type of a model that may be quantized: general.file_type when present, else F32
// (0), F16 (1) or BF16 (32) from its tensors. kInvalidArgument
// `quantization is only supported for F16, BF16 and F32 models` unless that type is one of
// those three and every tensor is F32, F16 or BF16.
Result<uint32_t> QuantizableFileType(const gguf::File& src);

// What the type choice depends on besides the tensor itself (from the GGUF metadata).
struct QuantizeHparams {
  std::string arch;        // general.architecture
  uint32_t n_layer = 0;    // <arch>.block_count
  uint32_t n_head = 0;     // <arch>.attention.head_count
  uint32_t n_head_kv = 0;  // <arch>.attention.head_count_kv (defaults to n_head)
  uint32_t n_expert = 0;   // <arch>.expert_count
};
QuantizeHparams HparamsFromMetadata(const gguf::Metadata& md);

// llama.cpp's processing order: tensors outside "blk.N." first, by name, then layer by layer,
// by name within a layer. Indices into `tensors`.
std::vector<size_t> QuantizeOrder(const std::vector<gguf::TensorInfo>& tensors);

// The output type of every tensor (indexed like `tensors`; unquantized tensors keep their type).
// kInvalidArgument only for expert tensors whose layer cannot be read from their name.
Result<std::vector<tensor::DType>> ChooseTensorTypes(const QuantizeHparams& hparams,
                                                     const std::vector<gguf::TensorInfo>& tensors,
                                                     const QuantizeTarget& target);

// Produces the quantized GGUF file as a byte stream. Not thread-safe; `src` must outlive it.
class GgufQuantizer {
 public:
  // Plans the output (types, metadata, layout). Fails as ChooseTensorTypes does, or if a tensor's
  // type has no converter to float.
  static Result<std::unique_ptr<GgufQuantizer>> Create(const gguf::File& src,
                                                       const QuantizeTarget& target,
                                                       size_t n_threads);

  // Fills buf[0, n) with the next n <= cap bytes of the output; 0 at the end.
  Result<size_t> Read(char* buf, size_t cap);

  uint64_t output_size() const { return output_size_; }
  // Progress: bytes of source tensor data consumed so far, of source_bytes() in all.
  uint64_t source_bytes_done() const { return source_done_; }
  uint64_t source_bytes() const { return source_total_; }
  // The planned tensors in output order: name and type.
  const std::vector<std::pair<std::string, tensor::DType>>& planned() const { return planned_; }

 private:
  struct Item {
    const gguf::TensorInfo* src = nullptr;
    tensor::DType type = tensor::DType::kF32;
    uint64_t out_bytes = 0;
  };
  explicit GgufQuantizer(size_t n_threads) : pool_(n_threads) {}
  // Appends the next chunk of the current tensor (and its padding when it ends) to pending_.
  Status ProduceChunk();

  ThreadPool pool_;
  std::vector<Item> items_;
  std::vector<std::pair<std::string, tensor::DType>> planned_;
  uint64_t alignment_ = gguf::kDefaultAlignment;
  uint64_t output_size_ = 0, source_total_ = 0, source_done_ = 0;
  std::string pending_;  // produced, not yet read
  size_t pending_pos_ = 0;
  size_t item_idx_ = 0;
  uint64_t next_row_ = 0;  // in items_[item_idx_]
  std::vector<float> f32_;
};

// Quantizes `src` to `target` into a new store blob, using every core. `progress(completed,
// total)` reports the work done scaled to `total` = the source file size, as Ollama's progress
// objects do. Then `verifying()` is called and the written blob is re-read and checked against
// the plan (kInternal if it differs). Store errors (disk full, read-only) leave no blob behind.
using QuantizeProgressFn = std::function<void(int64_t completed, int64_t total)>;
Result<store::BlobWriteResult> QuantizeModelToStore(const gguf::File& src,
                                                    const QuantizeTarget& target,
                                                    store::Store& store,
                                                    const QuantizeProgressFn& progress,
                                                    const std::function<void()>& verifying);

}  // namespace olla::create
