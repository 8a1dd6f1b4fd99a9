#pragma once
// Handcrafted GGUF byte strings for tests and fuzz seeds (the pattern of llama.cpp's
// tests/test-gguf.cpp): a valid small file, described field by field so that a test can twist
// any one field, plus one broken file per failure mode the reader must reject. The encoder here
// is independent of gguf/writer.cc, so reader and writer are each checked against it.
// Test-only: built into olla::gguf_fixtures, never into the product.

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "gguf/metadata.h"
#include "gguf/reader.h"

namespace olla::gguf::fixtures {

// The little-endian bytes of `v` (the host is little-endian, as the reader assumes).
template <typename T>
std::string Le(T v) {
  std::string out(sizeof(T), '\0');
  std::memcpy(out.data(), &v, sizeof(T));
  return out;
}
// A GGUF string: uint64 length, then the bytes.
std::string Str(std::string_view s);
// An array payload: uint32 element type, uint64 count, then `items` (already encoded).
std::string ArrayOf(uint32_t elem_type, uint64_t count, std::string_view items);
inline std::string ArrayOf(ValueType elem_type, uint64_t count, std::string_view items) {
  return ArrayOf(static_cast<uint32_t>(elem_type), count, items);
}

// One metadata entry as written: key, value type id and the encoded value after the type.
struct RawKv {
  std::string key;
  uint32_t type = 0;
  std::string payload;
  std::optional<uint64_t> key_len;  // written instead of key.size() when set
};

// One tensor info as written. n_dims is ne.size() unless overridden.
struct RawTensor {
  std::string name;
  std::vector<uint64_t> ne;
  uint32_t type = 0;
  uint64_t offset = 0;  // relative to the data section
  std::optional<uint32_t> n_dims;
  std::optional<uint64_t> name_len;  // written instead of name.size() when set
};

// A whole file, field by field. Encode() writes exactly these fields: nothing is validated.
struct RawFile {
  uint32_t magic = kMagic;
  uint32_t version = 3;
  std::optional<uint64_t> n_tensors;  // header counts; default: tensors.size(), kvs.size()
  std::optional<uint64_t> n_kv;
  std::vector<RawKv> kvs;
  std::vector<RawTensor> tensors;
  uint64_t pad_to = kDefaultAlignment;  // zero padding before the data section (if data is set)
  std::string data;                     // the data section, tensor padding included

  std::string Encode() const;
  // The named entry; OLLA_CHECKs that it exists (a bug in the test, not in the input).
  RawKv& Kv(std::string_view key);
  RawTensor& Tensor(std::string_view name);
};

// The valid file: metadata of every value type (including an empty string, an empty array,
// arrays of strings and bools, and arrays nested three deep), general.alignment = 32, and
// four tensors: "q8" Q8_0 [64, 2], "scalar" I32 (0-d), "f16" F16 [16, 3] and "f32" F32
// [8, 2, 1, 1], at offsets 0, 160, 192 and 288 of a 352-byte data section. The last tensor ends
// exactly at the end of the file, so every strict prefix of the file is invalid.
RawFile ValidFile();
inline std::string ValidBytes() { return ValidFile().Encode(); }
// The metadata a reader must return for ValidFile(), in file order.
Metadata ValidMetadata();
// Exact data sizes of ValidFile()'s tensors, in file order.
inline constexpr uint64_t kValidTensorBytes[] = {136, 4, 96, 64};

// A file with one key "deep" holding `depth` nested arrays, the innermost holding one uint8.
std::string NestedArrayFile(uint32_t depth);
// A file with metadata only and no padding after it, as gguf-py writes vocab-only files.
std::string NoTensorsFile();

// One broken file and what the reader must say about it.
struct BadCase {
  std::string name;  // e.g. "bad_magic"
  std::string bytes;
  StatusCode code;   // kCorrupt, or kUnsupported for version 1 and big-endian files
  std::string want;  // a substring of the message: the field at fault
};
// One case per failure mode; every one is ValidFile() with a single field changed.
std::vector<BadCase> BadCases();

}  // namespace olla::gguf::fixtures
