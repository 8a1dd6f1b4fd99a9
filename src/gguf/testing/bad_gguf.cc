#include "gguf/testing/bad_gguf.h"

#include <bit>
#include <functional>
#include <limits>
#include <utility>

#include "base/check.h"
#include "base/str_cat.h"

namespace olla::gguf::fixtures {

static_assert(std::endian::native == std::endian::little,
              "GGUF fixtures assume a little-endian host");

std::string Str(std::string_view s) { return Le<uint64_t>(s.size()) + std::string(s); }

std::string ArrayOf(uint32_t elem_type, uint64_t count, std::string_view items) {
  return Le<uint32_t>(elem_type) + Le<uint64_t>(count) + std::string(items);
}

std::string RawFile::Encode() const {
  std::string out = Le<uint32_t>(magic) + Le<uint32_t>(version);
  out += Le<uint64_t>(n_tensors.value_or(tensors.size()));
  out += Le<uint64_t>(n_kv.value_or(kvs.size()));
  for (const RawKv& kv : kvs) {
    out += Le<uint64_t>(kv.key_len.value_or(kv.key.size())) + kv.key;
    out += Le<uint32_t>(kv.type) + kv.payload;
  }
  for (const RawTensor& t : tensors) {
    out += Le<uint64_t>(t.name_len.value_or(t.name.size())) + t.name;
    out += Le<uint32_t>(t.n_dims.value_or(static_cast<uint32_t>(t.ne.size())));
    for (uint64_t n : t.ne) out += Le<uint64_t>(n);
    out += Le<uint32_t>(t.type) + Le<uint64_t>(t.offset);
  }
  if (!tensors.empty() || !data.empty()) {
    if (uint64_t rem = out.size() % pad_to) out.append(pad_to - rem, '\0');
    out += data;
  }
  return out;
}

RawKv& RawFile::Kv(std::string_view key) {
  for (RawKv& kv : kvs)
    if (kv.key == key) return kv;
  OLLA_CHECK(false && "no such key in the fixture");
  std::abort();
}

RawTensor& RawFile::Tensor(std::string_view name) {
  for (RawTensor& t : tensors)
    if (t.name == name) return t;
  OLLA_CHECK(false && "no such tensor in the fixture");
  std::abort();
}

namespace {

constexpr uint32_t T(ValueType t) { return static_cast<uint32_t>(t); }
constexpr uint32_t T(tensor::DType t) { return static_cast<uint32_t>(t); }
using VT = ValueType;
using tensor::DType;
constexpr uint64_t k2_63 = uint64_t{1} << 63;
constexpr uint64_t kMax64 = std::numeric_limits<uint64_t>::max();
constexpr uint32_t kMax32 = std::numeric_limits<uint32_t>::max();

std::string Bytes(std::initializer_list<uint8_t> bytes) {
  return std::string(bytes.begin(), bytes.end());
}

std::string ArrI32() {
  return ArrayOf(VT::kInt32, 3, Le<int32_t>(1) + Le<int32_t>(-2) + Le<int32_t>(3));
}
std::string ArrStr() { return ArrayOf(VT::kString, 3, Str("a") + Str("") + Str("ccc")); }
std::string ArrNested() {
  return ArrayOf(VT::kArray, 3,
                 ArrayOf(VT::kInt16, 2, Le<int16_t>(1) + Le<int16_t>(-2)) +
                     ArrayOf(VT::kInt16, 0, "") + ArrayOf(VT::kInt16, 1, Le<int16_t>(3)));
}
std::string ArrNestedStr() {
  return ArrayOf(VT::kArray, 2,
                 ArrayOf(VT::kArray, 1, ArrayOf(VT::kString, 1, Str("x"))) +
                     ArrayOf(VT::kArray, 1, ArrayOf(VT::kString, 2, Str("y") + Str("z"))));
}

Value Arr(ValueType elem_type, std::vector<Value> items) {
  Array a;
  a.elem_type = elem_type;
  a.items = std::move(items);
  return Value(std::move(a));
}

}  // namespace

RawFile ValidFile() {
  RawFile f;
  f.kvs = {
      {"general.architecture", T(VT::kString), Str("test")},
      {"general.alignment", T(VT::kUint32), Le<uint32_t>(32)},
      {"test.u8", T(VT::kUint8), Le<uint8_t>(200)},
      {"test.i8", T(VT::kInt8), Le<int8_t>(-100)},
      {"test.u16", T(VT::kUint16), Le<uint16_t>(60000)},
      {"test.i16", T(VT::kInt16), Le<int16_t>(-30000)},
      {"test.u32", T(VT::kUint32), Le<uint32_t>(4000000000u)},
      {"test.i32", T(VT::kInt32), Le<int32_t>(-2000000000)},
      {"test.f32", T(VT::kFloat32), Le<float>(1.5f)},
      {"test.bool_true", T(VT::kBool), Bytes({1})},
      {"test.bool_false", T(VT::kBool), Bytes({0})},
      {"test.string", T(VT::kString), Str("h\xc3\xa9llo, w\xc3\xb6rld")},
      {"test.empty_string", T(VT::kString), Str("")},
      {"test.u64", T(VT::kUint64), Le<uint64_t>(0x8000000000000005u)},
      {"test.i64", T(VT::kInt64), Le<int64_t>(-(int64_t{1} << 62))},
      {"test.f64", T(VT::kFloat64), Le<double>(-0.125)},
      {"test.arr_i32", T(VT::kArray), ArrI32()},
      {"test.arr_u64", T(VT::kArray),
       ArrayOf(VT::kUint64, 2,
               Le<uint64_t>(7) + Le<uint64_t>(std::numeric_limits<uint64_t>::max()))},
      {"test.arr_f32", T(VT::kArray), ArrayOf(VT::kFloat32, 2, Le<float>(0.5f) + Le<float>(-1.0f))},
      {"test.arr_bool", T(VT::kArray), ArrayOf(VT::kBool, 2, Bytes({1, 0}))},
      {"test.arr_str", T(VT::kArray), ArrStr()},
      {"test.arr_empty", T(VT::kArray), ArrayOf(VT::kUint8, 0, "")},
      {"test.arr_nested", T(VT::kArray), ArrNested()},
      {"test.arr_nested_str", T(VT::kArray), ArrNestedStr()},
  };
  f.tensors = {
      {"q8", {64, 2}, T(DType::kQ8_0), 0},
      {"scalar", {}, T(DType::kI32), 160},
      {"f16", {16, 3}, T(DType::kF16), 192},
      {"f32", {8, 2, 1, 1}, T(DType::kF32), 288},
  };
  // Tensor bytes follow a fixed pattern; padding stays zero.
  f.data.assign(352, '\0');
  const std::pair<uint64_t, uint64_t> ranges[] = {{0, 136}, {160, 164}, {192, 288}, {288, 352}};
  for (auto [begin, end] : ranges)
    for (uint64_t i = begin; i < end; ++i) f.data[i] = static_cast<char>((i * 37 + 11) & 0xff);
  return f;
}

Metadata ValidMetadata() {
  Metadata md;
  md.Set("general.architecture", Value(std::string("test")));
  md.Set("general.alignment", Value(uint32_t{32}));
  md.Set("test.u8", Value(uint8_t{200}));
  md.Set("test.i8", Value(int8_t{-100}));
  md.Set("test.u16", Value(uint16_t{60000}));
  md.Set("test.i16", Value(int16_t{-30000}));
  md.Set("test.u32", Value(uint32_t{4000000000u}));
  md.Set("test.i32", Value(int32_t{-2000000000}));
  md.Set("test.f32", Value(1.5f));
  md.Set("test.bool_true", Value(true));
  md.Set("test.bool_false", Value(false));
  md.Set("test.string", Value(std::string("h\xc3\xa9llo, w\xc3\xb6rld")));
  md.Set("test.empty_string", Value(std::string()));
  md.Set("test.u64", Value(uint64_t{0x8000000000000005u}));
  md.Set("test.i64", Value(-(int64_t{1} << 62)));
  md.Set("test.f64", Value(-0.125));
  md.Set("test.arr_i32",
         Arr(VT::kInt32, {Value(int32_t{1}), Value(int32_t{-2}), Value(int32_t{3})}));
  md.Set("test.arr_u64",
         Arr(VT::kUint64, {Value(uint64_t{7}), Value(std::numeric_limits<uint64_t>::max())}));
  md.Set("test.arr_f32", Arr(VT::kFloat32, {Value(0.5f), Value(-1.0f)}));
  md.Set("test.arr_bool", Arr(VT::kBool, {Value(true), Value(false)}));
  md.Set("test.arr_str", Arr(VT::kString, {Value(std::string("a")), Value(std::string()),
                                           Value(std::string("ccc"))}));
  md.Set("test.arr_empty", Arr(VT::kUint8, {}));
  md.Set("test.arr_nested",
         Arr(VT::kArray, {Arr(VT::kInt16, {Value(int16_t{1}), Value(int16_t{-2})}),
                          Arr(VT::kInt16, {}), Arr(VT::kInt16, {Value(int16_t{3})})}));
  md.Set("test.arr_nested_str",
         Arr(VT::kArray, {Arr(VT::kArray, {Arr(VT::kString, {Value(std::string("x"))})}),
                          Arr(VT::kArray, {Arr(VT::kString, {Value(std::string("y")),
                                                             Value(std::string("z"))})})}));
  return md;
}

std::string NestedArrayFile(uint32_t depth) {
  std::string payload = ArrayOf(VT::kUint8, 1, Bytes({7}));
  for (uint32_t level = 1; level < depth; ++level) payload = ArrayOf(VT::kArray, 1, payload);
  RawFile f;
  f.kvs = {{"deep", T(VT::kArray), std::move(payload)}};
  return f.Encode();
}

std::string NoTensorsFile() {
  RawFile f;
  f.kvs = {{"general.architecture", T(VT::kString), Str("llama")},
           {"tokenizer.ggml.tokens", T(VT::kArray), ArrStr()}};
  return f.Encode();
}

std::vector<BadCase> BadCases() {
  std::vector<BadCase> cases;
  auto bad_code = [&cases](std::string name, StatusCode code, std::string want,
                           const std::function<void(RawFile&)>& mutate) {
    RawFile f = ValidFile();
    mutate(f);
    cases.push_back({std::move(name), f.Encode(), code, std::move(want)});
  };
  auto bad = [&bad_code](std::string name, std::string want,
                         const std::function<void(RawFile&)>& mutate) {
    bad_code(std::move(name), StatusCode::kCorrupt, std::move(want), mutate);
  };
  const uint64_t valid_size = ValidBytes().size();

  // Header.
  cases.push_back({"empty_file", "", StatusCode::kCorrupt, "magic"});
  cases.push_back({"magic_only", Le<uint32_t>(kMagic), StatusCode::kCorrupt, "version"});
  bad("bad_magic", "bad magic", [](RawFile& f) { f.magic = 0x47554747; });
  bad("version_0", "version 0", [](RawFile& f) { f.version = 0; });
  bad_code("version_1", StatusCode::kUnsupported, "version 1", [](RawFile& f) { f.version = 1; });
  bad("version_4", "version 4", [](RawFile& f) { f.version = 4; });
  bad_code("big_endian", StatusCode::kUnsupported, "big-endian",
           [](RawFile& f) { f.version = 0x03000000; });
  bad("n_tensors_2^63", "tensor count 9223372036854775808",
      [](RawFile& f) { f.n_tensors = k2_63; });
  bad("n_tensors_max", "tensor count 18446744073709551615",
      [](RawFile& f) { f.n_tensors = kMax64; });
  bad("n_kv_2^63", "metadata count 9223372036854775808", [](RawFile& f) { f.n_kv = k2_63; });
  bad("n_kv_max", "metadata count 18446744073709551615", [](RawFile& f) { f.n_kv = kMax64; });
  // Passes the check against the whole file, fails the one made after the metadata.
  bad("n_tensors_beyond_rest", "rest of the file",
      [valid_size](RawFile& f) { f.n_tensors = (valid_size - 24) / 24; });

  // Strings.
  bad("key_length_beyond_file",
      "key of metadata entry 0 at offset 24 has length 1099511627776 beyond the end",
      [](RawFile& f) { f.kvs[0].key_len = uint64_t{1} << 40; });
  bad("key_length_max", "key of metadata entry 3", [](RawFile& f) { f.kvs[3].key_len = kMax64; });
  bad("string_length_beyond_file", "value of 'test.string'",
      [](RawFile& f) { f.Kv("test.string").payload = Le<uint64_t>(uint64_t{1} << 40) + "abc"; });
  bad("string_length_max", "value of 'test.empty_string'",
      [](RawFile& f) { f.Kv("test.empty_string").payload = Le<uint64_t>(kMax64); });
  bad("array_string_length_beyond_file", "element of 'test.arr_str'", [](RawFile& f) {
    f.Kv("test.arr_str").payload = ArrayOf(VT::kString, 3, Str("a") + Le<uint64_t>(kMax64));
  });
  bad("tensor_name_length_beyond_file", "name of tensor 0",
      [](RawFile& f) { f.tensors[0].name_len = uint64_t{1} << 40; });

  // Arrays.
  bad("array_count_overflow_u64", "array of 'test.arr_u64'", [](RawFile& f) {
    f.Kv("test.arr_u64").payload = ArrayOf(VT::kUint64, (uint64_t{1} << 61) + 1, Le<uint64_t>(7));
  });
  bad("array_count_overflow_strings", "array of 'test.arr_str'", [](RawFile& f) {
    f.Kv("test.arr_str").payload = ArrayOf(VT::kString, uint64_t{1} << 62, Str("a"));
  });
  bad("array_count_overflow_nested", "array of 'test.arr_nested'",
      [](RawFile& f) { f.Kv("test.arr_nested").payload = ArrayOf(VT::kArray, kMax64 / 4, ""); });
  bad("array_count_beyond_file", "array of 'test.arr_i32' at offset", [](RawFile& f) {
    f.Kv("test.arr_i32").payload = ArrayOf(VT::kInt32, uint64_t{1} << 20, Le<int32_t>(1));
  });
  bad("inner_array_count_beyond_file", "array of 'test.arr_nested'", [](RawFile& f) {
    f.Kv("test.arr_nested").payload =
        ArrayOf(VT::kArray, 1, ArrayOf(VT::kInt16, uint64_t{1} << 40, ""));
  });
  cases.push_back({"nested_too_deep", NestedArrayFile(kMaxArrayDepth + 1), StatusCode::kCorrupt,
                   "array of 'deep' at offset"});
  cases.push_back(
      {"nested_1000_deep", NestedArrayFile(1000), StatusCode::kCorrupt, "nests deeper than 8"});

  // Value and element types.
  bad("unknown_value_type_13", "metadata key 'test.u8' at offset",
      [](RawFile& f) { f.Kv("test.u8").type = 13; });
  bad("unknown_value_type_max", "'test.u8' at offset",
      [](RawFile& f) { f.Kv("test.u8").type = kMax32; });
  bad("unknown_array_elem_type", "array of 'test.arr_i32'",
      [](RawFile& f) { f.Kv("test.arr_i32").payload = ArrayOf(13u, 3, ""); });
  bad("unknown_nested_elem_type", "unknown element type 99", [](RawFile& f) {
    f.Kv("test.arr_nested").payload = ArrayOf(VT::kArray, 1, ArrayOf(99u, 0, ""));
  });
  bad("bool_byte_2", "value of 'test.bool_true'",
      [](RawFile& f) { f.Kv("test.bool_true").payload = Bytes({2}); });
  bad("bool_in_array_255", "element of 'test.arr_bool'", [](RawFile& f) {
    f.Kv("test.arr_bool").payload = ArrayOf(VT::kBool, 2, Bytes({1, 255}));
  });

  // Tensor infos.
  for (uint32_t id : {4u, 5u, 31u, 1000u, kMax32})
    bad(StrCat("tensor_type_", id), StrCat("tensor 'f16' at offset"),
        [id](RawFile& f) { f.Tensor("f16").type = id; });
  bad("n_dims_5", "tensor 'f32' has 5 dimensions", [](RawFile& f) {
    f.Tensor("f32").ne = {8, 2, 1, 1, 1};
  });
  bad("n_dims_max", "tensor 'f32' has 4294967295",
      [](RawFile& f) { f.Tensor("f32").n_dims = kMax32; });
  bad("dims_overflow_uint64", "tensor 'f32' element count overflows", [](RawFile& f) {
    f.Tensor("f32").ne = {uint64_t{1} << 32, uint64_t{1} << 32, 2, 1};
  });
  bad("dims_overflow_int64", "tensor 'f32' element count overflows", [](RawFile& f) {
    f.Tensor("f32").ne = {uint64_t{1} << 32, uint64_t{1} << 31, 1, 1};
  });
  bad("dims_overflow_behind_zero", "tensor 'f32' element count overflows", [](RawFile& f) {
    f.Tensor("f32").ne = {0, uint64_t{1} << 40, uint64_t{1} << 40, 1};
  });
  bad("dim_negative", "tensor 'f32' dimension 1 is negative", [](RawFile& f) {
    f.Tensor("f32").ne = {8, static_cast<uint64_t>(-2), 1, 1};
  });
  bad("dim_int64_min", "tensor 'f32' dimension 0 is negative",
      [](RawFile& f) { f.Tensor("f32").ne = {k2_63}; });
  bad("row_bytes_overflow", "tensor 'f32'",
      [](RawFile& f) { f.Tensor("f32").ne = {uint64_t{1} << 62}; });
  bad("tensor_bytes_overflow", "tensor 'f32' byte size overflows", [](RawFile& f) {
    f.Tensor("f32").ne = {uint64_t{1} << 31, uint64_t{1} << 31};
  });
  bad("quant_ne0_not_block_multiple", "tensor 'q8'", [](RawFile& f) {
    f.Tensor("q8").ne = {48, 2};
  });
  bad("quant_ne0_1", "block size 32", [](RawFile& f) { f.Tensor("q8").ne = {1, 128}; });
  bad("duplicate_tensor_name", "duplicate tensor name 'q8'",
      [](RawFile& f) { f.Tensor("scalar").name = "q8"; });

  // Tensor placement.
  bad("tensor_data_beyond_eof", "tensor 'f32' data [320, +64) lies beyond the end",
      [](RawFile& f) { f.Tensor("f32").offset = 320; });
  bad("tensor_huge_beyond_eof", "tensor 'f32' data [288, +4398046511104)",
      [](RawFile& f) { f.Tensor("f32").ne = {uint64_t{1} << 40}; });
  bad("tensor_offset_plus_size_overflows", "tensor 'f32' data",
      [](RawFile& f) { f.Tensor("f32").offset = kMax64 - 31; });
  bad("tensor_data_section_truncated", "tensor 'f32' data", [](RawFile& f) { f.data.resize(300); });
  bad("tensor_offset_unaligned",
      "tensor 'f16' data offset 200 is not a multiple of the alignment 32",
      [](RawFile& f) { f.Tensor("f16").offset = 200; });
  bad("tensors_overlap_same_offset", "tensors 'q8' and 'f16' overlap",
      [](RawFile& f) { f.Tensor("f16").offset = 0; });
  bad("tensors_overlap_partial", "tensors 'q8' and 'f16' overlap",
      [](RawFile& f) { f.Tensor("f16").offset = 128; });

  // general.alignment.
  for (uint32_t align : {0u, 3u, 48u, 1u << 30, kMax32})
    bad(StrCat("alignment_", align), StrCat("general.alignment ", align),
        [align](RawFile& f) { f.Kv("general.alignment").payload = Le<uint32_t>(align); });
  bad("alignment_uint64", "general.alignment must be uint32, found uint64", [](RawFile& f) {
    f.Kv("general.alignment").type = T(VT::kUint64);
    f.Kv("general.alignment").payload = Le<uint64_t>(32);
  });
  bad("alignment_string", "general.alignment must be uint32, found string", [](RawFile& f) {
    f.Kv("general.alignment").type = T(VT::kString);
    f.Kv("general.alignment").payload = Str("32");
  });

  // Metadata keys.
  bad("duplicate_metadata_key", "duplicate metadata key 'test.u8'",
      [](RawFile& f) { f.kvs.push_back(f.Kv("test.u8")); });
  return cases;
}

}  // namespace olla::gguf::fixtures
