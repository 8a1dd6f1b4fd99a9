#pragma once
// GGUF reader (format versions 2 and 3, little-endian). Tensor data is a view into the mapped
// file: nothing is copied. Every count, length, offset and size from the file is checked with
// overflow-safe arithmetic before use (CONVENTIONS.md C12); a malformed file yields kCorrupt with a
// message naming the field and its byte offset, never a crash or an allocation the file size
// does not justify. Version 1 and big-endian files yield kUnsupported. What is checked, beyond
// bounds: value and tensor type ids, bool bytes (0 or 1), array nesting (kMaxArrayDepth),
// n_dims (kMaxDims), dimensions (each and the product of the non-zero ones below 2^63), row
// length a multiple of the type's block size, general.alignment (a uint32 power of two up to
// kMaxAlignment), tensor offsets (aligned, inside the file, data ranges not overlapping), and
// unique metadata keys and tensor names. Tensors need not be stored in info order, and a file
// without tensors may end without padding. Files in the gguf/testing/bad_gguf.h corpus show
// each rule; fuzz/gguf_reader_fuzz.cc holds it to them.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/file.h"
#include "base/status.h"
#include "gguf/metadata.h"
#include "tensor/dtype.h"

namespace olla::gguf {

constexpr uint32_t kMagic = 0x46554747;  // "GGUF" read as little-endian uint32
constexpr uint32_t kDefaultAlignment = 32;
constexpr uint32_t kMaxDims = 4;
constexpr uint32_t kMaxAlignment = 1u << 20;  // larger alignments are refused as hostile
constexpr uint32_t kMaxArrayDepth = 8;
// Array elements in all of a file's metadata together. Each becomes a Value in memory (tens of
// bytes), so a small file of one huge array would otherwise cost gigabytes per parse (a 30 MB
// file with a 30M-entry array took 1.24 GB for each /api/show). The largest vocabularies
// (262k tokens, with scores and types, plus merges) need about a fifth of this.
constexpr uint64_t kMaxMetadataArrayElements = 4ull << 20;

struct TensorInfo {
  std::string name;
  std::vector<uint64_t> ne;  // dimensions, ne[0] innermost (row length); 0..4 of them
  tensor::DType type = tensor::DType::kF32;
  uint64_t offset = 0;            // relative to the data section, as stored in the file
  uint64_t n_elems = 0;           // product of ne (1 for a 0-d tensor)
  uint64_t n_bytes = 0;           // exact size of the data, without padding
  std::span<const uint8_t> data;  // view into the file

  // Product of ne[1..]: 1 for 0-d and 1-d tensors, and still the row count when ne[0] == 0.
  // The reader guarantees that the product of the non-zero dimensions fits in int64.
  uint64_t rows() const {
    uint64_t n = 1;
    for (size_t d = 1; d < ne.size(); ++d) n *= ne[d];
    return n;
  }
  uint64_t row_len() const { return ne.empty() ? 1 : ne[0]; }
};

class File {
 public:
  // Maps `path` and parses it; the returned File owns the mapping.
  static Result<File> Open(const std::string& path);
  // Parses bytes owned by the caller, which must outlive the File (used by tests and fuzzers).
  // Thread-safe: a File is immutable once parsed.
  static Result<File> Parse(std::span<const uint8_t> bytes);

  uint32_t version() const { return version_; }
  uint32_t alignment() const { return alignment_; }
  uint64_t data_offset() const { return data_offset_; }  // absolute offset of the data section
  const Metadata& metadata() const { return metadata_; }
  const std::vector<TensorInfo>& tensors() const { return tensors_; }
  // nullptr if there is no such tensor.
  const TensorInfo* FindTensor(std::string_view name) const;
  std::span<const uint8_t> bytes() const { return bytes_; }
  const std::string& path() const { return path_; }

  // Sum of the element counts of all tensors (Ollama's parameter count).
  uint64_t ParameterCount() const;

 private:
  uint32_t version_ = 0;
  uint32_t alignment_ = kDefaultAlignment;
  uint64_t data_offset_ = 0;
  Metadata metadata_;
  std::vector<TensorInfo> tensors_;
  std::unordered_map<std::string, size_t> tensor_index_;
  std::span<const uint8_t> bytes_;
  std::shared_ptr<MappedFile> mapping_;  // shared so that File stays copyable and cheap to move
  std::string path_;

  friend class Parser;
};

}  // namespace olla::gguf
