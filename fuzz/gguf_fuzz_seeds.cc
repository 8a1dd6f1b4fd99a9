// Writes the seed corpus of gguf_reader_fuzz into OUT_DIR: the valid handcrafted file, every
// broken one of gguf/testing/bad_gguf.h, and a shrunk copy of each GGUF file named on the
// command line (arrays cut to kMaxItems entries, each tensor cut to one block of its type), so
// that real metadata fits in the fuzzer's 64 KiB inputs and still parses.
// Usage: gguf_fuzz_seeds OUT_DIR [FILE.gguf ...]

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "base/file.h"
#include "base/str_cat.h"
#include "gguf/reader.h"
#include "gguf/testing/bad_gguf.h"
#include "gguf/writer.h"

namespace olla::gguf {
namespace {

constexpr size_t kMaxItems = 48;

Value Shrink(const Value& v) {
  const Array* a = v.AsArray();
  if (!a) return v;
  Array out;
  out.elem_type = a->elem_type;
  for (size_t i = 0; i < a->items.size() && i < kMaxItems; ++i)
    out.items.push_back(Shrink(a->items[i]));
  return Value(std::move(out));
}

Result<std::string> ShrunkCopy(const std::string& path, std::vector<std::string>& storage) {
  OLLA_ASSIGN_OR_RETURN(File f, File::Open(path));
  Metadata md;
  for (const auto& [key, value] : f.metadata().entries()) md.Set(key, Shrink(value));
  std::vector<TensorToWrite> tensors;
  storage.reserve(f.tensors().size());
  for (const TensorInfo& t : f.tensors()) {
    const tensor::DTypeInfo& info = tensor::Info(t.type);
    std::string& bytes = storage.emplace_back(info.block_bytes, '\0');
    for (size_t i = 0; i < bytes.size() && i < t.data.size(); ++i)
      bytes[i] = static_cast<char>(t.data[i]);
    tensors.push_back({t.name,
                       {info.block_elems},
                       t.type,
                       {reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()}});
  }
  return Serialize(md, tensors, f.version());
}

int Main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s OUT_DIR [FILE.gguf ...]\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  std::vector<std::pair<std::string, std::string>> seeds = {
      {"valid.gguf", fixtures::ValidBytes()},
      {"no_tensors.gguf", fixtures::NoTensorsFile()},
      {"nested_max.gguf", fixtures::NestedArrayFile(kMaxArrayDepth)},
  };
  for (const auto& c : fixtures::BadCases())
    seeds.emplace_back(StrCat("bad_", c.name, ".gguf"), c.bytes);
  for (int i = 2; i < argc; ++i) {
    std::vector<std::string> storage;
    auto shrunk = ShrunkCopy(argv[i], storage);
    if (!shrunk.ok()) {
      std::fprintf(stderr, "%s: %s\n", argv[i], shrunk.status().ToString().c_str());
      return 1;
    }
    std::string base = argv[i];
    base = base.substr(base.find_last_of('/') + 1);
    seeds.emplace_back(StrCat("shrunk_", base), std::move(*shrunk));
  }
  for (const auto& [name, bytes] : seeds) {
    Status s = WriteFileAtomic(StrCat(dir, "/", name), bytes);
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.ToString().c_str());
      return 1;
    }
  }
  std::printf("gguf_fuzz_seeds: wrote %zu seeds to %s\n", seeds.size(), dir.c_str());
  return 0;
}

}  // namespace
}  // namespace olla::gguf

int main(int argc, char** argv) { return olla::gguf::Main(argc, argv); }
