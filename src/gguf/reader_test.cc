#include "gguf/reader.h"

#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "base/file.h"
#include "gguf/testing/alloc_watch.h"
#include "gguf/testing/bad_gguf.h"
#include "support/testdata.h"

namespace olla::gguf {
namespace {

using fixtures::AllocationWatch;

// Parses a private heap copy of exactly `bytes`, so that ASan catches any read past the end.
Result<File> ParseCopy(std::string_view bytes, std::vector<uint8_t>& storage) {
  storage.assign(bytes.begin(), bytes.end());
  return File::Parse(std::span<const uint8_t>(storage.data(), storage.size()));
}

TEST(ReaderTest, ReadsStories260K) {
  auto f = File::Open(testing::TestdataPath("models/stories260K.gguf"));
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->version(), 3u);
  EXPECT_EQ(*f->metadata().GetString("general.architecture"), "llama");
  EXPECT_EQ(*f->metadata().GetUint("llama.embedding_length"), 64u);
  const TensorInfo* emb = f->FindTensor("token_embd.weight");
  ASSERT_NE(emb, nullptr);
  EXPECT_EQ(emb->ne, (std::vector<uint64_t>{64, 512}));
  EXPECT_EQ(emb->type, tensor::DType::kF32);
  EXPECT_EQ(emb->n_bytes, 64u * 512u * 4u);
  auto tokens = f->metadata().GetArray("tokenizer.ggml.tokens");
  ASSERT_TRUE(tokens.ok());
  EXPECT_EQ((*tokens)->items.size(), 512u);
}

TEST(ReaderTest, ParsesValidFixtureExactly) {
  fixtures::RawFile raw = fixtures::ValidFile();
  std::string bytes = raw.Encode();
  std::vector<uint8_t> storage;
  auto f = ParseCopy(bytes, storage);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->version(), 3u);
  EXPECT_EQ(f->alignment(), 32u);
  EXPECT_EQ(f->data_offset(), bytes.size() - raw.data.size());
  EXPECT_EQ(f->data_offset() % 32, 0u);

  const Metadata& md = f->metadata();
  EXPECT_TRUE(md == fixtures::ValidMetadata());
  ASSERT_EQ(md.size(), raw.kvs.size());
  for (size_t i = 0; i < raw.kvs.size(); ++i) {
    EXPECT_EQ(md.entries()[i].first, raw.kvs[i].key);  // file order is kept
    EXPECT_EQ(static_cast<uint32_t>(md.entries()[i].second.type()), raw.kvs[i].type)
        << raw.kvs[i].key;
  }
  // Spot checks through the typed getters, independent of ValidMetadata().
  EXPECT_EQ(*md.GetString("general.architecture"), "test");
  EXPECT_EQ(*md.GetUint("test.u8"), 200u);
  EXPECT_EQ(*md.GetInt("test.i8"), -100);
  EXPECT_EQ(*md.GetUint("test.u16"), 60000u);
  EXPECT_EQ(*md.GetInt("test.i16"), -30000);
  EXPECT_EQ(*md.GetUint("test.u32"), 4000000000u);
  EXPECT_EQ(*md.GetInt("test.i32"), -2000000000);
  EXPECT_EQ(*md.GetDouble("test.f32"), 1.5);
  EXPECT_TRUE(*md.GetBool("test.bool_true"));
  EXPECT_FALSE(*md.GetBool("test.bool_false"));
  EXPECT_EQ(*md.GetString("test.string"), "h\xc3\xa9llo, w\xc3\xb6rld");
  EXPECT_EQ(*md.GetString("test.empty_string"), "");
  EXPECT_EQ(*md.GetUint("test.u64"), 0x8000000000000005u);
  EXPECT_FALSE(md.GetInt("test.u64").ok());  // does not fit in int64
  EXPECT_EQ(*md.GetInt("test.i64"), -(int64_t{1} << 62));
  EXPECT_EQ(*md.GetDouble("test.f64"), -0.125);
  const Array* strs = *md.GetArray("test.arr_str");
  ASSERT_EQ(strs->items.size(), 3u);
  EXPECT_EQ(strs->elem_type, ValueType::kString);
  EXPECT_EQ(*strs->items[2].AsString(), "ccc");
  EXPECT_TRUE((*md.GetArray("test.arr_empty"))->items.empty());
  const Array* nested = *md.GetArray("test.arr_nested");
  ASSERT_EQ(nested->items.size(), 3u);
  EXPECT_EQ(nested->elem_type, ValueType::kArray);
  EXPECT_EQ(*nested->items[0].AsArray()->items[1].AsInt(), -2);
  EXPECT_EQ(md.Find("test.arr_nested_str")->ToDisplayString(), "[[[\"x\"]] [[\"y\" \"z\"]]]");

  ASSERT_EQ(f->tensors().size(), raw.tensors.size());
  for (size_t i = 0; i < raw.tensors.size(); ++i) {
    const TensorInfo& t = f->tensors()[i];
    const fixtures::RawTensor& want = raw.tensors[i];
    SCOPED_TRACE(want.name);
    EXPECT_EQ(t.name, want.name);
    EXPECT_EQ(t.ne, want.ne);
    EXPECT_EQ(static_cast<uint32_t>(t.type), want.type);
    EXPECT_EQ(t.offset, want.offset);
    EXPECT_EQ(t.n_bytes, fixtures::kValidTensorBytes[i]);
    EXPECT_EQ(t.data.data(),
              storage.data() + f->data_offset() + want.offset);  // a view, not a copy
    EXPECT_EQ(std::string_view(reinterpret_cast<const char*>(t.data.data()), t.data.size()),
              std::string_view(raw.data).substr(want.offset, t.n_bytes));
    EXPECT_EQ(f->FindTensor(want.name), &t);
  }
  const TensorInfo* q8 = f->FindTensor("q8");
  EXPECT_EQ(q8->rows(), 2u);
  EXPECT_EQ(q8->row_len(), 64u);
  const TensorInfo* scalar = f->FindTensor("scalar");
  EXPECT_EQ(scalar->n_elems, 1u);
  EXPECT_EQ(scalar->rows(), 1u);
  EXPECT_EQ(f->FindTensor("nope"), nullptr);
  EXPECT_EQ(f->ParameterCount(), 128u + 1u + 48u + 16u);
}

TEST(ReaderTest, RejectsEveryBadFile) {
  for (const auto& c : fixtures::BadCases()) {
    SCOPED_TRACE(c.name);
    std::vector<uint8_t> storage;
    AllocationWatch watch;
    auto f = ParseCopy(c.bytes, storage);
    ASSERT_FALSE(f.ok());
    EXPECT_EQ(f.status().code(), c.code) << f.status().ToString();
    EXPECT_NE(f.status().message().find(c.want), std::string::npos)
        << "message \"" << f.status().message() << "\" lacks \"" << c.want << "\"";
    EXPECT_NE(f.status().message().find("gguf: "), std::string::npos) << f.status().message();
    // Nothing proportional to a hostile count: the fixture is under 2 KiB.
    EXPECT_LT(watch.max_alloc(), size_t{64} << 10);
  }
}

TEST(ReaderTest, BadCaseNamesAreUnique) {
  std::set<std::string> names;
  for (const auto& c : fixtures::BadCases()) EXPECT_TRUE(names.insert(c.name).second) << c.name;
  EXPECT_GE(names.size(), 60u);
}

TEST(ReaderTest, EveryTruncationFailsCleanly) {
  const std::string bytes = fixtures::ValidBytes();
  for (size_t len = 0; len < bytes.size(); ++len) {
    std::vector<uint8_t> storage;
    auto f = ParseCopy(std::string_view(bytes).substr(0, len), storage);
    ASSERT_FALSE(f.ok()) << "prefix of " << len << " bytes parsed";
    ASSERT_EQ(f.status().code(), StatusCode::kCorrupt) << len << ": " << f.status().ToString();
  }
  std::vector<uint8_t> storage;
  EXPECT_TRUE(ParseCopy(bytes, storage).ok());
}

TEST(ReaderTest, EveryTruncationOfANoTensorFileFailsCleanly) {
  const std::string bytes = fixtures::NoTensorsFile();
  for (size_t len = 0; len < bytes.size(); ++len) {
    std::vector<uint8_t> storage;
    auto f = ParseCopy(std::string_view(bytes).substr(0, len), storage);
    ASSERT_FALSE(f.ok()) << "prefix of " << len << " bytes parsed";
    ASSERT_EQ(f.status().code(), StatusCode::kCorrupt) << f.status().ToString();
  }
}

TEST(ReaderTest, AcceptsFileWithoutTensorsOrPadding) {
  const std::string bytes = fixtures::NoTensorsFile();
  ASSERT_NE(bytes.size() % kDefaultAlignment, 0u);  // really unpadded
  std::vector<uint8_t> storage;
  auto f = ParseCopy(bytes, storage);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_TRUE(f->tensors().empty());
  EXPECT_EQ(f->metadata().size(), 2u);
  EXPECT_GE(f->data_offset(), bytes.size());
}

TEST(ReaderTest, ArrayDepthLimit) {
  for (uint32_t depth = 1; depth <= kMaxArrayDepth; ++depth) {
    std::vector<uint8_t> storage;
    auto f = ParseCopy(fixtures::NestedArrayFile(depth), storage);
    ASSERT_TRUE(f.ok()) << depth << ": " << f.status().ToString();
    const Value* v = f->metadata().Find("deep");
    for (uint32_t level = 1; level < depth; ++level) v = &v->AsArray()->items.at(0);
    EXPECT_EQ(*v->AsArray()->items.at(0).AsUint(), 7u);
  }
  std::vector<uint8_t> storage;
  auto f = ParseCopy(fixtures::NestedArrayFile(kMaxArrayDepth + 1), storage);
  EXPECT_EQ(f.status().code(), StatusCode::kCorrupt);
}

// A file of two uint8 arrays "a" (n_a elements) and "b" (n_b), no tensors.
std::string TwoArrayFile(uint64_t n_a, uint64_t n_b) {
  std::string out = "GGUF";
  auto put = [&](auto v) { out.append(reinterpret_cast<const char*>(&v), sizeof(v)); };
  put(uint32_t{3});
  put(uint64_t{0});  // tensors
  put(uint64_t{2});  // keys
  for (auto [key, n] : {std::pair{'a', n_a}, std::pair{'b', n_b}}) {
    put(uint64_t{1});
    out.push_back(key);
    put(uint32_t{9});  // array
    put(uint32_t{0});  // of uint8
    put(n);
    out.append(n, '\x01');
  }
  return out;
}

// The metadata's array elements together are capped (issue #17: a 30M-entry array cost 1.24 GB
// per /api/show); the cap is checked before the elements are read.
TEST(ReaderTest, MetadataArrayElementsAreCapped) {
  std::vector<uint8_t> storage;
  const uint64_t half = kMaxMetadataArrayElements / 2;
  auto at_cap = ParseCopy(TwoArrayFile(half, kMaxMetadataArrayElements - half), storage);
  ASSERT_TRUE(at_cap.ok()) << at_cap.status().ToString();
  EXPECT_EQ(at_cap->metadata().Find("b")->AsArray()->items.size(),
            kMaxMetadataArrayElements - half);
  auto over = ParseCopy(TwoArrayFile(half, kMaxMetadataArrayElements - half + 1), storage);
  ASSERT_EQ(over.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(over.status().message().find("array of 'b'"), std::string::npos)
      << over.status().ToString();
}

TEST(ReaderTest, EmptyTensorsNeedNoData) {
  // Zero-sized tensors occupy nothing: they may share offsets with others, sit inside another
  // tensor's range or at the very end, even of a file whose data section is absent.
  fixtures::RawFile raw = fixtures::ValidFile();
  raw.tensors.push_back({"empty_a", {0, 5}, static_cast<uint32_t>(tensor::DType::kF32), 0});
  raw.tensors.push_back({"empty_b", {64, 0}, static_cast<uint32_t>(tensor::DType::kQ8_0), 32});
  raw.tensors.push_back({"empty_c", {0}, static_cast<uint32_t>(tensor::DType::kQ4_K), 352});
  std::vector<uint8_t> storage;
  auto f = ParseCopy(raw.Encode(), storage);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  const TensorInfo* a = f->FindTensor("empty_a");
  EXPECT_EQ(a->n_elems, 0u);
  EXPECT_EQ(a->n_bytes, 0u);
  EXPECT_EQ(a->rows(), 5u);
  EXPECT_TRUE(a->data.empty());
  EXPECT_EQ(f->FindTensor("empty_b")->rows(), 0u);
  EXPECT_TRUE(f->FindTensor("empty_c")->data.empty());

  fixtures::RawFile only_empty;
  only_empty.tensors.push_back({"e", {0, 3}, static_cast<uint32_t>(tensor::DType::kF32), 0});
  std::string bytes = only_empty.Encode();
  bytes.resize(bytes.size() - bytes.size() % 32 + 3);  // data section starts beyond the end
  auto g = ParseCopy(bytes, storage);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_TRUE(g->tensors()[0].data.empty());
  only_empty.tensors[0].offset = 32;  // beyond the (empty) data section
  bytes = only_empty.Encode();
  EXPECT_EQ(ParseCopy(bytes, storage).status().code(), StatusCode::kCorrupt);
}

TEST(ReaderTest, AcceptsOtherAlignmentsAndVersion2) {
  for (uint32_t align : {1u, 8u, 64u, kMaxAlignment}) {
    SCOPED_TRACE(align);
    fixtures::RawFile raw = fixtures::ValidFile();
    raw.version = 2;
    raw.Kv("general.alignment").payload = fixtures::Le<uint32_t>(align);
    raw.pad_to = align;
    uint64_t offset = 0;
    std::string data;
    for (size_t i = 0; i < raw.tensors.size(); ++i) {
      raw.tensors[i].offset = offset;
      data.append(raw.data, 0, fixtures::kValidTensorBytes[i]);
      offset += (fixtures::kValidTensorBytes[i] + align - 1) / align * align;
      data.resize(offset, '\0');
    }
    raw.data = data;
    std::vector<uint8_t> storage;
    auto f = ParseCopy(raw.Encode(), storage);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    EXPECT_EQ(f->version(), 2u);
    EXPECT_EQ(f->alignment(), align);
    EXPECT_EQ(f->data_offset() % align, 0u);
    for (const TensorInfo& t : f->tensors())
      EXPECT_EQ(std::string_view(reinterpret_cast<const char*>(t.data.data()), t.data.size()),
                std::string_view(raw.data).substr(t.offset, t.n_bytes))
          << t.name;
  }
}

TEST(ReaderTest, OpenReportsMissingAndCorruptFiles) {
  auto missing = File::Open("/nonexistent/model.gguf");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  testing::TempDir dir;
  std::string path = dir.Join("bad.gguf");
  ASSERT_TRUE(WriteFileAtomic(path, "GGUF\x03").ok());
  auto bad = File::Open(path);
  EXPECT_EQ(bad.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(bad.status().message().find(path), std::string::npos) << bad.status().message();
  ASSERT_TRUE(WriteFileAtomic(path, "").ok());
  EXPECT_EQ(File::Open(path).status().code(), StatusCode::kCorrupt);
}

}  // namespace
}  // namespace olla::gguf
