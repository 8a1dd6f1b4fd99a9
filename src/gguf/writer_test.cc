#include "gguf/writer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <functional>

#include "base/file.h"
#include "gguf/reader.h"
#include "gguf/testing/bad_gguf.h"
#include "support/testdata.h"

namespace olla::gguf {
namespace {

using tensor::DType;

std::vector<TensorToWrite> ToWrite(const File& f) {
  std::vector<TensorToWrite> out;
  for (const TensorInfo& t : f.tensors()) out.push_back({t.name, t.ne, t.type, t.data});
  return out;
}

std::span<const uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Same metadata in the same order, and the same tensors with the same bytes.
void ExpectSameContent(const File& want, const File& got) {
  EXPECT_EQ(got.version(), want.version());
  EXPECT_EQ(got.alignment(), want.alignment());
  EXPECT_TRUE(got.metadata() == want.metadata());
  ASSERT_EQ(got.tensors().size(), want.tensors().size());
  for (size_t i = 0; i < want.tensors().size(); ++i) {
    const TensorInfo& a = want.tensors()[i];
    const TensorInfo& b = got.tensors()[i];
    EXPECT_EQ(b.name, a.name);
    EXPECT_EQ(b.ne, a.ne);
    EXPECT_EQ(b.type, a.type);
    EXPECT_EQ(b.n_bytes, a.n_bytes);
    EXPECT_TRUE(a.data.size() == b.data.size() &&
                std::memcmp(a.data.data(), b.data.data(), a.data.size()) == 0)
        << a.name;
  }
}

// Every .gguf under the shared models/ and tokenizer/ test data, sorted.
std::vector<std::string> TestdataGgufFiles() {
  std::vector<std::string> out;
  for (const char* dir : {"models", "tokenizer"}) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(testing::TestdataPath(dir), ec))
      if (entry.path().extension() == ".gguf") out.push_back(entry.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(WriterTest, WritesValidFixtureByteForByte) {
  // The writer agrees with the independent encoder of the fixtures.
  fixtures::RawFile raw = fixtures::ValidFile();
  std::vector<TensorToWrite> tensors;
  for (size_t i = 0; i < raw.tensors.size(); ++i) {
    const auto& t = raw.tensors[i];
    tensors.push_back(
        {t.name, t.ne, static_cast<DType>(t.type),
         AsBytes(std::string_view(raw.data).substr(t.offset, fixtures::kValidTensorBytes[i]))});
  }
  auto out = Serialize(fixtures::ValidMetadata(), tensors);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, raw.Encode());
}

TEST(WriterTest, WritesNoTensorFileWithoutPadding) {
  std::string want = fixtures::NoTensorsFile();
  auto f = File::Parse(AsBytes(want));
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  auto out = Serialize(f->metadata(), {});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, want);
}

TEST(WriterTest, ReproducesEveryTestdataFileByteForByte) {
  std::vector<std::string> paths = TestdataGgufFiles();
  ASSERT_GE(paths.size(), 40u) << "shared test data missing under " << testing::TestdataDir();
  for (const std::string& path : paths) {
    SCOPED_TRACE(path);
    auto f = File::Open(path);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    auto out = Serialize(f->metadata(), ToWrite(*f), f->version());
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    std::span<const uint8_t> orig = f->bytes();
    if (orig.size() != out->size() || std::memcmp(orig.data(), out->data(), orig.size()) != 0) {
      size_t at = 0;
      while (at < orig.size() && at < out->size() && orig[at] == static_cast<uint8_t>((*out)[at]))
        ++at;
      ADD_FAILURE() << "not reproduced: sizes " << orig.size() << " vs " << out->size()
                    << ", first difference at byte " << at;
    }

    auto again = File::Parse(AsBytes(*out));
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    ExpectSameContent(*f, *again);
  }
}

TEST(WriterTest, SerializeHeaderIsTheFileUpToItsData) {
  for (const std::string& path : TestdataGgufFiles()) {
    SCOPED_TRACE(path);
    auto f = File::Open(path);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    auto header = SerializeHeader(f->metadata(), ToWrite(*f), f->version());
    ASSERT_TRUE(header.ok()) << header.status().ToString();
    const size_t want = f->tensors().empty() ? f->bytes().size() : f->data_offset();
    ASSERT_EQ(header->size(), want);
    EXPECT_EQ(std::memcmp(header->data(), f->bytes().data(), want), 0);
  }
  Metadata bad;
  bad.Set("general.alignment", Value(uint32_t{3}));
  EXPECT_FALSE(DataAlignment(bad).ok());
  EXPECT_EQ(DataAlignment(Metadata()).value(), kDefaultAlignment);
}

TEST(WriterTest, WriteFileThenOpenRoundTrips) {
  auto f = File::Open(testing::TestdataPath("models/stories260K.gguf"));
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  testing::TempDir dir;
  for (uint32_t version : {2u, 3u}) {
    SCOPED_TRACE(version);
    std::string path = dir.Join("out.gguf");
    ASSERT_TRUE(WriteFile(path, f->metadata(), ToWrite(*f), version).ok());
    auto g = File::Open(path);
    ASSERT_TRUE(g.ok()) << g.status().ToString();
    EXPECT_EQ(g->version(), version);
    EXPECT_TRUE(g->metadata() == f->metadata());
    ASSERT_EQ(g->tensors().size(), f->tensors().size());
    for (size_t i = 0; i < f->tensors().size(); ++i)
      EXPECT_TRUE(std::ranges::equal(g->tensors()[i].data, f->tensors()[i].data))
          << f->tensors()[i].name;
  }
}

TEST(WriterTest, EditedMetadataRoundTrips) {
  Metadata md = fixtures::ValidMetadata();
  md.Set("general.alignment", Value(uint32_t{64}));
  md.Set("test.string", Value(std::string("replaced")));
  md.Erase("test.u8");
  md.Set("new.key", Value(int64_t{-5}));
  const std::string f32(4 * 3 * 5, '\x01');
  const std::string q4k(144 * 2, '\x02');  // Q4_K [256, 2]
  std::vector<TensorToWrite> tensors = {{"a", {3, 5}, DType::kF32, AsBytes(f32)},
                                        {"b", {256, 2}, DType::kQ4_K, AsBytes(q4k)},
                                        {"empty", {0, 7}, DType::kQ8_0, {}}};
  auto out = Serialize(md, tensors);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  auto f = File::Parse(AsBytes(*out));
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_TRUE(f->metadata() == md);
  EXPECT_EQ(f->metadata().entries().back().first, "new.key");
  EXPECT_EQ(f->alignment(), 64u);
  EXPECT_EQ(f->FindTensor("a")->offset, 0u);
  EXPECT_EQ(f->FindTensor("b")->offset, 64u);
  EXPECT_EQ(f->FindTensor("b")->n_bytes, q4k.size());
  EXPECT_EQ(f->FindTensor("empty")->n_bytes, 0u);
  EXPECT_EQ(out->size(), f->data_offset() + 64 + 320);  // every tensor padded to 64
  auto again = Serialize(f->metadata(), ToWrite(*f));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *out);
}

TEST(WriterTest, RejectsWhatTheReaderWouldRefuse) {
  const std::string f32_16(16, '\0');
  const std::span<const uint8_t> data16 = AsBytes(f32_16);
  auto with_md = [](std::function<void(Metadata&)> edit) {
    Metadata md;
    edit(md);
    return md;
  };
  auto deep = [](uint32_t depth) {
    Value v(uint8_t{1});
    for (uint32_t i = 0; i < depth; ++i) {
      Array a;
      a.elem_type = v.type();
      a.items.push_back(std::move(v));
      v = Value(std::move(a));
    }
    return v;
  };
  Array mixed;
  mixed.elem_type = ValueType::kInt32;
  mixed.items = {Value(int32_t{1}), Value(std::string("x"))};
  Array bad_elem;
  bad_elem.elem_type = static_cast<ValueType>(42);
  const struct {
    std::string name;
    Metadata md;
    std::vector<TensorToWrite> tensors;
    uint32_t version;
    std::string want;
  } cases[] = {
      {"size_mismatch",
       {},
       {{"t", {4}, DType::kF32, AsBytes(std::string_view(f32_16).substr(0, 15))}},
       3,
       "tensor 't' has 15 bytes of data, its shape and type need 16"},
      {"size_mismatch_quant", {}, {{"q", {32}, DType::kQ8_0, data16}}, 3, "need 34"},
      {"duplicate_names",
       {},
       {{"t", {4}, DType::kF32, data16}, {"t", {2, 2}, DType::kF32, data16}},
       3,
       "duplicate tensor 't'"},
      {"five_dims", {}, {{"t", {4, 1, 1, 1, 1}, DType::kF32, data16}}, 3, "5 dimensions"},
      {"unknown_type", {}, {{"t", {4}, static_cast<DType>(4), data16}}, 3, "unknown type id 4"},
      {"not_block_multiple", {}, {{"q", {48}, DType::kQ8_0, data16}}, 3, "block size 32"},
      {"element_overflow",
       {},
       {{"t", {uint64_t{1} << 32, uint64_t{1} << 32}, DType::kF32, data16}},
       3,
       "element count overflows"},
      {"alignment_0",
       with_md([](Metadata& m) { m.Set("general.alignment", Value(uint32_t{0})); }),
       {},
       3,
       "general.alignment 0"},
      {"alignment_3",
       with_md([](Metadata& m) { m.Set("general.alignment", Value(uint32_t{3})); }),
       {},
       3,
       "general.alignment 3"},
      {"alignment_huge",
       with_md([](Metadata& m) { m.Set("general.alignment", Value(uint32_t{1} << 30)); }),
       {},
       3,
       "general.alignment 1073741824"},
      {"alignment_u64",
       with_md([](Metadata& m) { m.Set("general.alignment", Value(uint64_t{32})); }),
       {},
       3,
       "general.alignment must be uint32"},
      {"mixed_array",
       with_md([&](Metadata& m) { m.Set("arr", Value(mixed)); }),
       {},
       3,
       "array 'arr' mixes int32 and string"},
      {"bad_elem_type",
       with_md([&](Metadata& m) { m.Set("arr", Value(bad_elem)); }),
       {},
       3,
       "unknown element type 42"},
      {"too_deep",
       with_md([&](Metadata& m) { m.Set("deep", deep(kMaxArrayDepth + 1)); }),
       {},
       3,
       "array 'deep' nests deeper"},
      {"version_1", {}, {}, 1, "cannot write version 1"},
      {"version_4", {}, {}, 4, "cannot write version 4"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto out = Serialize(c.md, c.tensors, c.version);
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(out.status().message().find(c.want), std::string::npos) << out.status().message();
  }
  // The deepest array the reader accepts is written and read back.
  Metadata ok_md;
  ok_md.Set("deep", deep(kMaxArrayDepth));
  auto out = Serialize(ok_md, {});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  auto f = File::Parse(AsBytes(*out));
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_TRUE(f->metadata() == ok_md);
}

TEST(WriterTest, WriteFileReportsUnwritablePath) {
  Status s = WriteFile("/nonexistent-dir/x.gguf", Metadata(), {});
  EXPECT_FALSE(s.ok());
}

}  // namespace
}  // namespace olla::gguf
