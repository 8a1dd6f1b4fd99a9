// libFuzzer target for model loading (issue #15, robustness): hostile metadata and tensor shapes
// must be refused by engine::Model::FromFile with a Status naming the culprit, and whatever it
// accepts must evaluate tokens without reading out of bounds. The input is an edit script applied
// to one of the test models (byte 0 picks which): structured edits of real files reach the
// loader's checks far more often than raw bytes, which gguf_reader_fuzz already covers.
//   input = model byte, then edits of 10 bytes: op, index, 8-byte little-endian value
// Build and run: scripts/fuzz.sh SECONDS (OLLA_TESTDATA names the test data).

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/check.h"
#include "base/thread_pool.h"
#include "engine/context.h"
#include "engine/model.h"
#include "gguf/reader.h"
#include "gguf/writer.h"

namespace {

using olla::gguf::File;
using olla::gguf::Metadata;
using olla::gguf::TensorToWrite;
using olla::gguf::Value;
using olla::gguf::ValueType;

// One family per file: MoE (router, experts, biases), sinks, sliding windows, fused tensors,
// encoders, quantized types.
const char* const kModels[] = {
    "tiny-qwen3moe-F16",    "tiny-gptoss-F16",          "tiny-mixtral-Q4_0",
    "tiny-qwen3moe-Q4_K_M", "tiny-gemma3-F16",          "tiny-phi3-F16",
    "tiny-bert-F32",        "tiny-qwen2-F16",           "tiny-llama-q-Q4_K_M",
    "tiny-gptoss-MXFP4",    "tiny-granite-F16",         "tiny-olmo2-F16",
    "tiny-nomic-bert-F16",  "tiny-gemma-embedding-F16", "tiny-gemma2-F16",
    "stories260K",
};

struct Base {
  std::vector<uint8_t> bytes;  // the file, which `file` views
  std::unique_ptr<File> file;
};
std::vector<Base> g_bases;

std::vector<uint8_t> ReadAll(const std::string& path) {
  std::vector<uint8_t> out;
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return out;
  uint8_t buf[1 << 16];
  for (size_t n; (n = std::fread(buf, 1, sizeof(buf), f)) > 0;) out.insert(out.end(), buf, buf + n);
  std::fclose(f);
  return out;
}

uint64_t Le64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | p[i];
  return v;
}

// Sets key `i` of the metadata (tokenizer keys excluded: the tokenizer has its own fuzzing) to
// `value`, as an integer of the key's own kind or a float.
void EditKey(Metadata& md, size_t i, uint64_t value, bool as_float) {
  std::vector<std::string> keys;
  for (const auto& [key, v] : md.entries())
    if (!key.starts_with("tokenizer.")) keys.push_back(key);
  if (keys.empty()) return;
  const std::string key = keys[i % keys.size()];
  if (as_float) {
    float f;
    const uint32_t bits = static_cast<uint32_t>(value);
    std::memcpy(&f, &bits, sizeof f);
    md.Set(key, Value(f));
  } else if (value >> 32) {
    md.Set(key, Value(value));
  } else {
    md.Set(key, Value(static_cast<uint32_t>(value)));
  }
}

// The model shrunk for speed: no tokenizer metadata, and at most 256 rows of the vocabulary
// matrices (token_embd, output), so an input costs milliseconds rather than a 32k-row output.
std::vector<uint8_t> Shrink(const File& f) {
  Metadata md;
  for (const auto& [key, value] : f.metadata().entries())
    if (!key.starts_with("tokenizer.")) md.Set(key, value);
  std::vector<TensorToWrite> tensors;
  for (const olla::gguf::TensorInfo& t : f.tensors()) {
    TensorToWrite w{t.name, t.ne, t.type, t.data};
    if ((t.name == "token_embd.weight" || t.name == "output.weight") && t.ne.size() == 2 &&
        t.ne[1] > 256) {
      w.ne[1] = 256;
      w.data = t.data.first(t.data.size() / t.ne[1] * 256);
    }
    tensors.push_back(w);
  }
  auto out = olla::gguf::Serialize(md, tensors, f.version());
  if (!out.ok()) return {};
  return std::vector<uint8_t>(out->begin(), out->end());
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* dir = std::getenv("OLLA_TESTDATA");
  const std::string root = dir ? dir : "../shared/testdata";
  for (const char* name : kModels) {
    const std::vector<uint8_t> original = ReadAll(root + "/models/" + name + ".gguf");
    if (original.empty()) continue;  // an older test data set: fuzz what is there
    auto full = File::Parse(original);
    if (!full.ok()) continue;
    Base b;
    b.bytes = Shrink(*full);
    auto f = File::Parse(b.bytes);
    if (b.bytes.empty() || !f.ok()) continue;
    b.file = std::make_unique<File>(std::move(*f));
    g_bases.push_back(std::move(b));
  }
  if (g_bases.empty()) {
    std::fprintf(stderr, "model_load_fuzz: no test models under %s/models\n", root.c_str());
    std::abort();
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace olla;
  if (size < 1) return 0;
  const Base& base = g_bases[data[0] % g_bases.size()];
  Metadata md = base.file->metadata();
  std::vector<TensorToWrite> tensors;
  for (const gguf::TensorInfo& t : base.file->tensors())
    tensors.push_back({t.name, t.ne, t.type, t.data});

  for (size_t at = 1; at + 10 <= size && !tensors.empty(); at += 10) {
    const uint8_t op = data[at] % 8, index = data[at + 1];
    const uint64_t value = Le64(data + at + 2);
    TensorToWrite& t = tensors[index % tensors.size()];
    switch (op) {
      case 0:
        EditKey(md, index, value % 4096, false);
        break;  // small sizes reach deeper
      case 1:
        EditKey(md, index, value, false);
        break;
      case 2:
        EditKey(md, index, value, true);
        break;
      case 3:
      case 4:
      case 5: {  // a dimension: change it, or add one
        const size_t d = op - 3;
        if (d < t.ne.size()) {
          t.ne[d] = value % 4096;
        } else if (t.ne.size() < 4) {
          t.ne.push_back(value % 64);
        }
        break;
      }
      case 6:
        t.type = static_cast<tensor::DType>(value % 40);
        break;
      case 7:
        tensors.erase(tensors.begin() + static_cast<ptrdiff_t>(index % tensors.size()));
        break;
    }
  }

  // New shapes and types need data of their size: the old bytes, cut or padded with zeros.
  std::vector<std::vector<uint8_t>> owned(tensors.size());
  uint64_t total = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    TensorToWrite& t = tensors[i];
    auto info = tensor::LookupDType(static_cast<uint32_t>(t.type));
    if (!info.ok() || t.ne.empty()) return 0;
    uint64_t rows = 1;
    for (size_t d = 1; d < t.ne.size(); ++d) rows *= t.ne[d];
    auto row_bytes = tensor::RowBytes(t.type, t.ne[0]);
    if (!row_bytes.ok() || (rows != 0 && *row_bytes > (64u << 20) / rows)) return 0;
    const uint64_t bytes = *row_bytes * rows;
    total += bytes;
    if (total > (96u << 20)) return 0;
    if (bytes == t.data.size()) continue;
    owned[i].assign(bytes, 0);
    std::copy_n(t.data.begin(), std::min<size_t>(bytes, t.data.size()), owned[i].begin());
    t.data = owned[i];
  }
  auto serialized = gguf::Serialize(md, tensors, 3);
  if (!serialized.ok()) return 0;
  auto file = File::Parse(std::span<const uint8_t>(
      reinterpret_cast<const uint8_t*>(serialized->data()), serialized->size()));
  if (!file.ok()) return 0;

  auto model = engine::Model::FromFile(std::move(*file));
  if (!model.ok()) {
    OLLA_CHECK(!model.status().message().empty());
    return 0;
  }
  // Accepted: it must run. A few tokens through the cache, twice (prompt, then one more).
  ThreadPool pool(1);
  engine::ContextParams params{.n_ctx = 16, .n_batch = 8};
  auto ctx = engine::Context::Create(**model, params, pool);
  if (!ctx.ok()) return 0;
  const engine::ModelConfig& c = (*model)->config();
  std::vector<engine::TokenId> tokens;
  for (size_t i = 0; i < 5 && i < c.n_vocab; ++i) tokens.push_back(static_cast<int32_t>(i));
  if (tokens.empty()) return 0;
  std::vector<float> out;
  if (c.output_head) {
    (void)(*ctx)->Decode(tokens, /*all_logits=*/true, &out);
    (void)(*ctx)->Decode(std::span(tokens).first(1), false, &out);
  } else {
    (void)(*ctx)->Embed(tokens, c.pooling, /*normalize=*/true, &out);
  }
  return 0;
}
