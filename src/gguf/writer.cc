#include "gguf/writer.h"

#include <cstring>
#include <set>

#include "base/file.h"
#include "base/str_cat.h"
#include "gguf/reader.h"

namespace olla::gguf {
namespace {

class Sink {
 public:
  explicit Sink(std::string& out) : out_(out) {}
  template <typename T>
  void Put(T v) {
    char buf[sizeof(T)];
    std::memcpy(buf, &v, sizeof(T));
    out_.append(buf, sizeof(T));
  }
  void PutString(const std::string& s) {
    Put<uint64_t>(s.size());
    out_.append(s);
  }
  void PadTo(uint64_t alignment) {
    if (uint64_t rem = out_.size() % alignment) out_.append(alignment - rem, '\0');
  }
  void PutValue(const Value& v) {
    std::visit(
        [this](const auto& x) {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, std::string>) {
            PutString(x);
          } else if constexpr (std::is_same_v<T, Array>) {
            Put<uint32_t>(static_cast<uint32_t>(x.elem_type));
            Put<uint64_t>(x.items.size());
            for (const Value& item : x.items) PutValue(item);
          } else if constexpr (std::is_same_v<T, bool>) {
            Put<uint8_t>(x ? 1 : 0);
          } else {
            Put<T>(x);
          }
        },
        v.storage());
  }

 private:
  std::string& out_;
};

// Every item must have the array's element type, and arrays may nest at most kMaxArrayDepth
// levels, so that what we write is what the reader accepts.
Status CheckArray(const std::string& key, const Value& v, uint32_t depth) {
  const Array* arr = v.AsArray();
  if (!arr) return Status::Ok();
  if (depth > kMaxArrayDepth)
    return Status::InvalidArgument(
        StrCat("gguf: array '", key, "' nests deeper than ", kMaxArrayDepth, " levels"));
  if (static_cast<uint32_t>(arr->elem_type) >= kNumValueTypes)
    return Status::InvalidArgument(StrCat("gguf: array '", key, "' has unknown element type ",
                                          static_cast<uint32_t>(arr->elem_type)));
  for (const Value& item : arr->items) {
    if (item.type() != arr->elem_type)
      return Status::InvalidArgument(StrCat("gguf: array '", key, "' mixes ",
                                            ValueTypeName(arr->elem_type), " and ",
                                            ValueTypeName(item.type())));
    OLLA_RETURN_IF_ERROR(CheckArray(key, item, depth + 1));
  }
  return Status::Ok();
}

// The exact data size of `t` from its shape and type, with the reader's limits: at most
// kMaxDims dimensions, each < 2^63, and the product of the non-zero ones < 2^63.
Result<uint64_t> TensorBytes(const TensorToWrite& t) {
  if (t.ne.size() > kMaxDims)
    return Status::InvalidArgument(StrCat("gguf: tensor '", t.name, "' has ", t.ne.size(),
                                          " dimensions (at most ", kMaxDims, ")"));
  if (!tensor::LookupDType(static_cast<uint32_t>(t.type)).ok())
    return Status::InvalidArgument(
        StrCat("gguf: tensor '", t.name, "' has unknown type id ", static_cast<uint32_t>(t.type)));
  uint64_t product = 1;
  uint64_t rows = 1;
  bool has_zero = false;
  for (size_t d = 0; d < t.ne.size(); ++d) {
    uint64_t n = t.ne[d];
    if (n == 0) {
      has_zero = true;
      continue;
    }
    if (__builtin_mul_overflow(product, n, &product) || product > static_cast<uint64_t>(INT64_MAX))
      return Status::InvalidArgument(StrCat("gguf: tensor '", t.name, "' element count overflows"));
    if (d > 0) rows *= n;  // cannot overflow: rows divides product
  }
  if (has_zero) rows = 0;
  uint64_t row = t.ne.empty() ? 1 : t.ne[0];
  auto row_bytes = tensor::RowBytes(t.type, row);
  if (!row_bytes.ok())
    return Status::InvalidArgument(
        StrCat("gguf: tensor '", t.name, "': ", row_bytes.status().message()));
  uint64_t bytes = 0;
  if (__builtin_mul_overflow(*row_bytes, rows, &bytes))
    return Status::InvalidArgument(StrCat("gguf: tensor '", t.name, "' byte size overflows"));
  return bytes;
}

}  // namespace

Result<uint64_t> DataAlignment(const Metadata& metadata) {
  const Value* a = metadata.Find("general.alignment");
  if (!a) return uint64_t{kDefaultAlignment};
  if (a->type() != ValueType::kUint32)
    return Status::InvalidArgument(
        StrCat("gguf: general.alignment must be uint32, found ", ValueTypeName(a->type())));
  const uint64_t alignment = std::get<uint32_t>(a->storage());
  if (alignment == 0 || (alignment & (alignment - 1)) != 0 || alignment > kMaxAlignment)
    return Status::InvalidArgument(StrCat("gguf: bad general.alignment ", alignment));
  return alignment;
}

Result<std::string> SerializeHeader(const Metadata& metadata,
                                    const std::vector<TensorToWrite>& tensors, uint32_t version) {
  if (version != 2 && version != 3)
    return Status::InvalidArgument(StrCat("gguf: cannot write version ", version));
  OLLA_ASSIGN_OR_RETURN(const uint64_t alignment, DataAlignment(metadata));
  for (const auto& [key, value] : metadata.entries())
    OLLA_RETURN_IF_ERROR(CheckArray(key, value, 1));
  std::set<std::string_view> names;
  std::vector<uint64_t> offsets;
  offsets.reserve(tensors.size());
  uint64_t offset = 0;
  for (const auto& t : tensors) {
    if (!names.insert(t.name).second)
      return Status::InvalidArgument(StrCat("gguf: duplicate tensor '", t.name, "'"));
    OLLA_ASSIGN_OR_RETURN(uint64_t bytes, TensorBytes(t));
    offsets.push_back(offset);
    uint64_t padded = 0;
    if (__builtin_add_overflow(bytes, alignment - 1, &padded) ||
        __builtin_add_overflow(offset, padded / alignment * alignment, &offset))
      return Status::InvalidArgument(StrCat("gguf: tensor '", t.name, "' offset overflows"));
  }

  std::string out;
  Sink sink(out);
  sink.Put<uint32_t>(kMagic);
  sink.Put<uint32_t>(version);
  sink.Put<uint64_t>(tensors.size());
  sink.Put<uint64_t>(metadata.size());
  for (const auto& [key, value] : metadata.entries()) {
    sink.PutString(key);
    sink.Put<uint32_t>(static_cast<uint32_t>(value.type()));
    sink.PutValue(value);
  }
  for (size_t i = 0; i < tensors.size(); ++i) {
    const auto& t = tensors[i];
    sink.PutString(t.name);
    sink.Put<uint32_t>(static_cast<uint32_t>(t.ne.size()));
    for (uint64_t d : t.ne) sink.Put<uint64_t>(d);
    sink.Put<uint32_t>(static_cast<uint32_t>(t.type));
    sink.Put<uint64_t>(offsets[i]);
  }
  // Without tensors there is no data section and so no padding: gguf-py writes vocab-only files
  // this way, and every reader accepts both. With tensors, ggml and gguf-py pad the start of the
  // data section and the end of every tensor, including the last.
  if (!tensors.empty()) sink.PadTo(alignment);
  return out;
}

Result<std::string> Serialize(const Metadata& metadata, const std::vector<TensorToWrite>& tensors,
                              uint32_t version) {
  for (const auto& t : tensors) {
    OLLA_ASSIGN_OR_RETURN(uint64_t bytes, TensorBytes(t));
    if (bytes != t.data.size())
      return Status::InvalidArgument(StrCat("gguf: tensor '", t.name, "' has ", t.data.size(),
                                            " bytes of data, its shape and type need ", bytes));
  }
  OLLA_ASSIGN_OR_RETURN(std::string out, SerializeHeader(metadata, tensors, version));
  if (tensors.empty()) return out;
  OLLA_ASSIGN_OR_RETURN(const uint64_t alignment, DataAlignment(metadata));
  Sink sink(out);
  for (const auto& t : tensors) {
    out.append(reinterpret_cast<const char*>(t.data.data()), t.data.size());
    sink.PadTo(alignment);
  }
  return out;
}

Status WriteFile(const std::string& path, const Metadata& metadata,
                 const std::vector<TensorToWrite>& tensors, uint32_t version) {
  OLLA_ASSIGN_OR_RETURN(std::string bytes, Serialize(metadata, tensors, version));
  return WriteFileAtomic(path, bytes);
}

}  // namespace olla::gguf
