#pragma once
// GGUF writer (versions 2 and 3, whose layouts are identical). Layout as ggml and gguf-py write
// it: header, metadata, tensor infos, then, if there are tensors, zero padding to the alignment
// and each tensor's data padded with zeros to the alignment, at consecutive offsets in the
// order given. A file without tensors ends right after the metadata, as gguf-py's vocab-only
// files do. So a file those tools wrote, read and written back unchanged with its own version,
// is reproduced byte for byte, and other GGUF readers load what we write. (Ollama's Go writer
// omits the last tensor's padding; such files read fine but come back 0..alignment-1 bytes longer.)

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "gguf/metadata.h"
#include "tensor/dtype.h"

namespace olla::gguf {

struct TensorToWrite {
  std::string name;
  std::vector<uint64_t> ne;
  tensor::DType type = tensor::DType::kF32;
  std::span<const uint8_t> data;  // exactly the tensor's bytes; must outlive the write
};

// Serializes to memory. Fails with kInvalidArgument on anything the reader would refuse: a
// tensor whose data size does not match its shape and type, more than kMaxDims dimensions, an
// element count beyond int64, an unknown type, duplicate tensor names, a general.alignment that
// is not a uint32 power of two <= kMaxAlignment, arrays mixing element types or nesting deeper
// than kMaxArrayDepth, or a version other than 2 and 3.
Result<std::string> Serialize(const Metadata& metadata, const std::vector<TensorToWrite>& tensors,
                              uint32_t version = 3);

// For writers that stream tensor data (re-quantization of multi-GB models): the bytes of the file
// up to its data section, i.e. header, metadata, tensor infos and, if there are tensors, the
// padding to the alignment. Each tensor's size comes from its shape and type; `data` is ignored.
// The data section that follows must hold each tensor's bytes, in the order given, each padded
// with zeros to DataAlignment(metadata): Serialize() is exactly SerializeHeader() plus that.
// Fails as Serialize() does, except that data sizes are not checked.
Result<std::string> SerializeHeader(const Metadata& metadata,
                                    const std::vector<TensorToWrite>& tensors,
                                    uint32_t version = 3);
// general.alignment (a uint32 power of two up to kMaxAlignment) or kDefaultAlignment when absent;
// kInvalidArgument for any other value.
Result<uint64_t> DataAlignment(const Metadata& metadata);

// Serializes and writes `path` atomically (temporary file + rename).
Status WriteFile(const std::string& path, const Metadata& metadata,
                 const std::vector<TensorToWrite>& tensors, uint32_t version = 3);

}  // namespace olla::gguf
