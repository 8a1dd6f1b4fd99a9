#include "gguf/reader.h"

#include <algorithm>
#include <cstring>

#include "base/str_cat.h"

namespace olla::gguf {

// Reads primitive fields from the byte span, tracking the offset for error messages.
class Cursor {
 public:
  explicit Cursor(std::span<const uint8_t> bytes) : bytes_(bytes) {}

  uint64_t offset() const { return pos_; }
  uint64_t remaining() const { return bytes_.size() - pos_; }

  Status Truncated(std::string_view what, uint64_t need) const {
    return Status::Corrupt(StrCat("gguf: truncated file: ", what, " at offset ", pos_, " needs ",
                                  need, " bytes, ", remaining(), " left"));
  }

  template <typename T>
  Result<T> Read(std::string_view what) {
    if (remaining() < sizeof(T)) return Truncated(what, sizeof(T));
    T v;
    std::memcpy(&v, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }

  Result<std::string> ReadString(std::string_view what) {
    uint64_t at = pos_;
    OLLA_ASSIGN_OR_RETURN(uint64_t len, Read<uint64_t>(what));
    if (len > remaining())
      return Status::Corrupt(StrCat("gguf: ", what, " at offset ", at, " has length ", len,
                                    " beyond the end of the file (", remaining(), " bytes left)"));
    std::string s(reinterpret_cast<const char*>(bytes_.data() + pos_), len);
    pos_ += len;
    return s;
  }

 private:
  std::span<const uint8_t> bytes_;
  uint64_t pos_ = 0;
};

class Parser {
 public:
  explicit Parser(std::span<const uint8_t> bytes) : cur_(bytes), bytes_(bytes) {}

  Status Run(File& f);

 private:
  Result<Value> ReadValue(ValueType type, std::string_view key, std::string_view what,
                          uint32_t depth);
  Result<Value> ReadArray(std::string_view key, uint32_t depth);
  Status ReadTensorInfo(File& f, uint64_t idx);
  Status PlaceTensors(File& f);
  Status ReadAlignment(File& f);

  Cursor cur_;
  std::span<const uint8_t> bytes_;
  uint64_t array_elements_ = 0;  // so far, against kMaxMetadataArrayElements
};

namespace {
constexpr uint64_t kMinKvBytes = 8 + 4 + 1;              // key length, value type, one-byte value
constexpr uint64_t kMinTensorInfoBytes = 8 + 4 + 4 + 8;  // name length, n_dims, type, offset

// Smallest encoded size of one element of `type`: used to bound array counts by the bytes left.
uint64_t MinEncodedSize(ValueType type) {
  switch (type) {
    case ValueType::kUint8:
    case ValueType::kInt8:
    case ValueType::kBool:
      return 1;
    case ValueType::kUint16:
    case ValueType::kInt16:
      return 2;
    case ValueType::kUint32:
    case ValueType::kInt32:
    case ValueType::kFloat32:
      return 4;
    case ValueType::kString:
      return 8;  // the length prefix
    case ValueType::kArray:
      return 12;  // element type + count
    default:
      return 8;
  }
}

template <typename T>
Result<Value> ReadScalar(Cursor& cur, std::string_view what) {
  OLLA_ASSIGN_OR_RETURN(T v, cur.template Read<T>(what));
  return Value(v);
}
}  // namespace

// `what` names the value for error messages ("value of 'key'", "element of 'key'"); it is built
// once per key or array, not once per element, so that 150k-entry vocab arrays parse quickly.
Result<Value> Parser::ReadValue(ValueType type, std::string_view key, std::string_view what,
                                uint32_t depth) {
  switch (type) {
    case ValueType::kUint8:
      return ReadScalar<uint8_t>(cur_, what);
    case ValueType::kInt8:
      return ReadScalar<int8_t>(cur_, what);
    case ValueType::kUint16:
      return ReadScalar<uint16_t>(cur_, what);
    case ValueType::kInt16:
      return ReadScalar<int16_t>(cur_, what);
    case ValueType::kUint32:
      return ReadScalar<uint32_t>(cur_, what);
    case ValueType::kInt32:
      return ReadScalar<int32_t>(cur_, what);
    case ValueType::kFloat32:
      return ReadScalar<float>(cur_, what);
    case ValueType::kUint64:
      return ReadScalar<uint64_t>(cur_, what);
    case ValueType::kInt64:
      return ReadScalar<int64_t>(cur_, what);
    case ValueType::kFloat64:
      return ReadScalar<double>(cur_, what);
    case ValueType::kBool: {
      uint64_t at = cur_.offset();
      OLLA_ASSIGN_OR_RETURN(uint8_t b, cur_.Read<uint8_t>(what));
      if (b > 1)
        return Status::Corrupt(StrCat("gguf: ", what, " at offset ", at, ": bool byte is ", int{b},
                                      " (must be 0 or 1)"));
      return Value(b == 1);
    }
    case ValueType::kString: {
      OLLA_ASSIGN_OR_RETURN(std::string s, cur_.ReadString(what));
      return Value(std::move(s));
    }
    case ValueType::kArray:
      return ReadArray(key, depth + 1);
  }
  return Status::Internal("gguf: unreachable value type");
}

// `depth` is the nesting level of this array: 1 for an array that is the value of a key.
Result<Value> Parser::ReadArray(std::string_view key, uint32_t depth) {
  if (depth > kMaxArrayDepth)
    return Status::Corrupt(StrCat("gguf: array of '", key, "' at offset ", cur_.offset(),
                                  " nests deeper than ", kMaxArrayDepth, " levels"));
  uint64_t at = cur_.offset();
  OLLA_ASSIGN_OR_RETURN(uint32_t raw_type,
                        cur_.Read<uint32_t>(StrCat("array element type of '", key, "'")));
  if (raw_type >= kNumValueTypes)
    return Status::Corrupt(StrCat("gguf: array of '", key, "' at offset ", at,
                                  " has unknown element type ", raw_type));
  auto elem_type = static_cast<ValueType>(raw_type);
  uint64_t count_at = cur_.offset();
  OLLA_ASSIGN_OR_RETURN(uint64_t count, cur_.Read<uint64_t>(StrCat("array count of '", key, "'")));
  // count * min_size must fit in what is left: rejects 2^63-element arrays before allocating.
  uint64_t min_bytes = 0;
  if (__builtin_mul_overflow(count, MinEncodedSize(elem_type), &min_bytes) ||
      min_bytes > cur_.remaining())
    return Status::Corrupt(StrCat("gguf: array of '", key, "' at offset ", count_at, " claims ",
                                  count, " ", ValueTypeName(elem_type), " elements, more than the ",
                                  cur_.remaining(), " bytes left in the file"));
  array_elements_ += count;  // count is at most the file size here: no overflow
  if (array_elements_ > kMaxMetadataArrayElements)
    return Status::Corrupt(StrCat("gguf: array of '", key, "' at offset ", count_at, " brings the ",
                                  "metadata's array elements to ", array_elements_,
                                  ", more than the ", kMaxMetadataArrayElements, " olla accepts"));
  std::string what = StrCat("element of '", key, "'");
  Array arr;
  arr.elem_type = elem_type;
  arr.items.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    OLLA_ASSIGN_OR_RETURN(Value v, ReadValue(elem_type, key, what, depth));
    arr.items.push_back(std::move(v));
  }
  return Value(std::move(arr));
}

Status Parser::ReadTensorInfo(File& f, uint64_t idx) {
  uint64_t at = cur_.offset();
  OLLA_ASSIGN_OR_RETURN(std::string name, cur_.ReadString(StrCat("name of tensor ", idx)));
  if (f.tensor_index_.contains(name))
    return Status::Corrupt(StrCat("gguf: duplicate tensor name '", name, "' at offset ", at));
  OLLA_ASSIGN_OR_RETURN(uint32_t n_dims,
                        cur_.Read<uint32_t>(StrCat("n_dims of tensor '", name, "'")));
  if (n_dims > kMaxDims)
    return Status::Corrupt(StrCat("gguf: tensor '", name, "' has ", n_dims,
                                  " dimensions (n_dims at most ", kMaxDims, ")"));
  TensorInfo ti;
  ti.name = std::move(name);
  // The product of the non-zero dimensions must fit in int64 (ggml's int64_t ne[]), so that
  // rows() and every partial product are exact even for an empty tensor.
  uint64_t nonzero_product = 1;
  bool has_zero = false;
  for (uint32_t d = 0; d < n_dims; ++d) {
    OLLA_ASSIGN_OR_RETURN(
        uint64_t n, cur_.Read<uint64_t>(StrCat("dimension ", d, " of tensor '", ti.name, "'")));
    if (n > static_cast<uint64_t>(INT64_MAX))
      return Status::Corrupt(StrCat("gguf: tensor '", ti.name, "' dimension ", d, " is negative (",
                                    static_cast<int64_t>(n), ")"));
    if (n == 0) has_zero = true;
    if (n != 0 && (__builtin_mul_overflow(nonzero_product, n, &nonzero_product) ||
                   nonzero_product > static_cast<uint64_t>(INT64_MAX)))
      return Status::Corrupt(
          StrCat("gguf: tensor '", ti.name, "' element count overflows (dimension ", d, ")"));
    ti.ne.push_back(n);
  }
  ti.n_elems = has_zero ? 0 : nonzero_product;
  uint64_t type_at = cur_.offset();
  OLLA_ASSIGN_OR_RETURN(uint32_t type_id,
                        cur_.Read<uint32_t>(StrCat("type of tensor '", ti.name, "'")));
  auto info = tensor::LookupDType(type_id);
  if (!info.ok())
    return Status::Corrupt(StrCat("gguf: tensor '", ti.name, "' at offset ", type_at,
                                  " has unknown type id ", type_id));
  ti.type = (*info)->type;
  OLLA_ASSIGN_OR_RETURN(ti.offset,
                        cur_.Read<uint64_t>(StrCat("data offset of tensor '", ti.name, "'")));
  auto row_bytes = tensor::RowBytes(ti.type, ti.row_len());
  if (!row_bytes.ok()) return row_bytes.status().WithPrefix(StrCat("gguf: tensor '", ti.name, "'"));
  if (__builtin_mul_overflow(*row_bytes, ti.rows(), &ti.n_bytes))
    return Status::Corrupt(StrCat("gguf: tensor '", ti.name, "' byte size overflows"));
  f.tensor_index_.emplace(ti.name, f.tensors_.size());
  f.tensors_.push_back(std::move(ti));
  return Status::Ok();
}

Status Parser::PlaceTensors(File& f) {
  uint64_t end_of_infos = cur_.offset();
  uint64_t a = f.alignment_;
  uint64_t data_offset =
      (end_of_infos + a - 1) / a * a;  // cannot overflow: end_of_infos <= file size
  f.data_offset_ = data_offset;
  // A file without tensors may end right after its infos, without padding (gguf-py writes
  // vocab-only files so); then the data section starts beyond the end and is empty.
  uint64_t data_size = data_offset <= bytes_.size() ? bytes_.size() - data_offset : 0;
  std::vector<const TensorInfo*> by_offset;
  by_offset.reserve(f.tensors_.size());
  for (auto& ti : f.tensors_) {
    if (ti.offset % a != 0)
      return Status::Corrupt(StrCat("gguf: tensor '", ti.name, "' data offset ", ti.offset,
                                    " is not a multiple of the alignment ", a));
    uint64_t end = 0;
    if (__builtin_add_overflow(ti.offset, ti.n_bytes, &end) || end > data_size)
      return Status::Corrupt(
          StrCat("gguf: tensor '", ti.name, "' data [", ti.offset, ", +", ti.n_bytes,
                 ") lies beyond the end of the file (data section has ", data_size, " bytes)"));
    // An empty tensor gets an empty span: data_offset itself may lie past the end of the file.
    if (ti.n_bytes > 0) {
      ti.data = bytes_.subspan(data_offset + ti.offset, ti.n_bytes);
      by_offset.push_back(&ti);
    }
  }
  std::stable_sort(by_offset.begin(), by_offset.end(),
                   [](const TensorInfo* x, const TensorInfo* y) { return x->offset < y->offset; });
  for (size_t i = 1; i < by_offset.size(); ++i) {
    const TensorInfo* prev = by_offset[i - 1];
    // Sorted by start and pairwise disjoint so far, so the previous tensor ends last.
    if (by_offset[i]->offset < prev->offset + prev->n_bytes)
      return Status::Corrupt(StrCat("gguf: data of tensors '", prev->name, "' and '",
                                    by_offset[i]->name, "' overlap (offsets ", prev->offset,
                                    " and ", by_offset[i]->offset, ")"));
  }
  return Status::Ok();
}

Status Parser::ReadAlignment(File& f) {
  const Value* a = f.metadata_.Find("general.alignment");
  if (!a) return Status::Ok();
  if (a->type() != ValueType::kUint32)
    return Status::Corrupt(
        StrCat("gguf: general.alignment must be uint32, found ", ValueTypeName(a->type())));
  uint32_t align = std::get<uint32_t>(a->storage());
  if (align == 0 || (align & (align - 1)) != 0 || align > kMaxAlignment)
    return Status::Corrupt(StrCat("gguf: general.alignment ", align,
                                  " is not a power of two between 1 and ", kMaxAlignment));
  f.alignment_ = align;
  return Status::Ok();
}

Status Parser::Run(File& f) {
  OLLA_ASSIGN_OR_RETURN(uint32_t magic, cur_.Read<uint32_t>("magic"));
  if (magic != kMagic) return Status::Corrupt("gguf: bad magic: not a GGUF file");
  OLLA_ASSIGN_OR_RETURN(f.version_, cur_.Read<uint32_t>("version"));
  if (f.version_ == 1)
    return Status::Unsupported("gguf: version 1 files are not supported (re-convert the model)");
  if (f.version_ == 0x02000000 || f.version_ == 0x03000000)
    return Status::Unsupported(
        "gguf: big-endian files are not supported (version field is byte-swapped)");
  if (f.version_ != 2 && f.version_ != 3)
    return Status::Corrupt(StrCat("gguf: unknown version ", f.version_, " (expected 2 or 3)"));
  uint64_t n_tensors_at = cur_.offset();
  OLLA_ASSIGN_OR_RETURN(uint64_t n_tensors, cur_.Read<uint64_t>("tensor count"));
  uint64_t n_kv_at = cur_.offset();
  OLLA_ASSIGN_OR_RETURN(uint64_t n_kv, cur_.Read<uint64_t>("metadata count"));
  // Each key/value needs >= kMinKvBytes and each tensor info >= kMinTensorInfoBytes, so both
  // counts are bounded by the bytes left before anything is allocated for them.
  if (n_kv > cur_.remaining() / kMinKvBytes)
    return Status::Corrupt(StrCat("gguf: metadata count ", n_kv, " at offset ", n_kv_at,
                                  " exceeds what the file can hold"));
  if (n_tensors > cur_.remaining() / kMinTensorInfoBytes)
    return Status::Corrupt(StrCat("gguf: tensor count ", n_tensors, " at offset ", n_tensors_at,
                                  " exceeds what the file can hold"));
  for (uint64_t i = 0; i < n_kv; ++i) {
    uint64_t key_at = cur_.offset();
    OLLA_ASSIGN_OR_RETURN(std::string key, cur_.ReadString(StrCat("key of metadata entry ", i)));
    if (f.metadata_.Contains(key))
      return Status::Corrupt(StrCat("gguf: duplicate metadata key '", key, "' at offset ", key_at));
    uint64_t type_at = cur_.offset();
    OLLA_ASSIGN_OR_RETURN(uint32_t raw_type, cur_.Read<uint32_t>(StrCat("type of '", key, "'")));
    if (raw_type >= kNumValueTypes)
      return Status::Corrupt(StrCat("gguf: metadata key '", key, "' at offset ", type_at,
                                    " has unknown value type ", raw_type));
    OLLA_ASSIGN_OR_RETURN(Value v, ReadValue(static_cast<ValueType>(raw_type), key,
                                             StrCat("value of '", key, "'"), 0));
    f.metadata_.Set(std::move(key), std::move(v));
  }
  OLLA_RETURN_IF_ERROR(ReadAlignment(f));
  if (n_tensors > cur_.remaining() / kMinTensorInfoBytes)
    return Status::Corrupt(StrCat("gguf: tensor count ", n_tensors, " at offset ", n_tensors_at,
                                  " exceeds what the rest of the file can hold"));
  f.tensors_.reserve(n_tensors);
  for (uint64_t i = 0; i < n_tensors; ++i) OLLA_RETURN_IF_ERROR(ReadTensorInfo(f, i));
  return PlaceTensors(f);
}

Result<File> File::Parse(std::span<const uint8_t> bytes) {
  File f;
  f.bytes_ = bytes;
  Parser p(bytes);
  OLLA_RETURN_IF_ERROR(p.Run(f));
  return f;
}

Result<File> File::Open(const std::string& path) {
  OLLA_ASSIGN_OR_RETURN(MappedFile mf, MappedFile::Open(path));
  auto mapping = std::make_shared<MappedFile>(std::move(mf));
  auto parsed = Parse(mapping->bytes());
  if (!parsed.ok()) return parsed.status().WithPrefix(path);
  File f = std::move(parsed).value();
  f.mapping_ = std::move(mapping);
  f.path_ = path;
  return f;
}

const TensorInfo* File::FindTensor(std::string_view name) const {
  auto it = tensor_index_.find(std::string(name));
  return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

uint64_t File::ParameterCount() const {
  uint64_t n = 0;
  for (const auto& t : tensors_) n += t.n_elems;
  return n;
}

}  // namespace olla::gguf
