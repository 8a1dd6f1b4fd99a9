// libFuzzer target for the GGUF reader (CONVENTIONS.md C12): File::Parse must reject hostile bytes
// with a Status, never crash, read out of bounds or allocate what the input does not justify.
// Whatever it accepts must be consistent, and must survive Serialize -> Parse unchanged.
// Build and run: scripts/fuzz.sh SECONDS.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "base/check.h"
#include "gguf/reader.h"
#include "gguf/writer.h"

namespace olla::gguf {
namespace {

// Calls every accessor of `v`, recursing into arrays; returns something derived from the
// results so that the calls cannot be optimised away.
uint64_t TouchValue(const Value& v) {
  uint64_t h = static_cast<uint64_t>(v.type());
  h += v.ToDisplayString(4).size();
  if (auto i = v.AsInt(); i.ok()) h += static_cast<uint64_t>(*i);
  if (auto u = v.AsUint(); u.ok()) h += *u;
  if (auto d = v.AsDouble(); d.ok()) h += *d != *d ? 1 : 0;
  if (auto b = v.AsBool(); b.ok()) h += *b ? 1 : 0;
  if (const std::string* s = v.AsString()) h += s->size();
  if (const Array* a = v.AsArray()) {
    OLLA_CHECK(static_cast<uint32_t>(a->elem_type) < kNumValueTypes);
    for (const Value& item : a->items) {
      OLLA_CHECK(item.type() == a->elem_type);
      h += TouchValue(item);
    }
  }
  OLLA_CHECK(v == v);
  return h;
}

uint64_t TouchFile(const File& f) {
  uint64_t h = f.version() + f.alignment() + f.ParameterCount();
  const Metadata& md = f.metadata();
  for (const auto& [key, value] : md.entries()) {
    OLLA_CHECK(md.Find(key) == &value);
    h += TouchValue(value);
    h += md.GetString(key).ok() + md.GetInt(key).ok() + md.GetUint(key).ok() +
         md.GetDouble(key).ok() + md.GetBool(key).ok() + md.GetArray(key).ok();
  }
  const std::span<const uint8_t> file = f.bytes();
  for (const TensorInfo& t : f.tensors()) {
    OLLA_CHECK(f.FindTensor(t.name) == &t);
    OLLA_CHECK(t.ne.size() <= kMaxDims);
    OLLA_CHECK(t.data.size() == t.n_bytes);
    OLLA_CHECK(t.offset % f.alignment() == 0);
    if (!t.data.empty()) {
      OLLA_CHECK(t.data.data() >= file.data() &&
                 t.data.data() + t.data.size() <= file.data() + file.size());
      OLLA_CHECK(t.data.data() == file.data() + f.data_offset() + t.offset);
    }
    h += t.rows() + t.row_len() + t.n_elems;
    for (uint8_t byte : t.data) h += byte;  // every byte of every span is readable
  }
  return h;
}

std::vector<TensorToWrite> ToWrite(const File& f) {
  std::vector<TensorToWrite> out;
  for (const TensorInfo& t : f.tensors()) out.push_back({t.name, t.ne, t.type, t.data});
  return out;
}

std::span<const uint8_t> AsBytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace
}  // namespace olla::gguf

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace olla::gguf;
  auto f = File::Parse(std::span<const uint8_t>(data, size));
  if (!f.ok()) {
    OLLA_CHECK(!f.status().message().empty());
    return 0;
  }
  volatile uint64_t sink = TouchFile(*f);
  (void)sink;

  // Whatever the reader accepts, the writer writes, and the result reads back the same.
  auto out = Serialize(f->metadata(), ToWrite(*f), f->version());
  if (!out.ok()) {
    std::fprintf(stderr, "accepted file does not serialize: %s\n", out.status().ToString().c_str());
    std::abort();
  }
  auto again = File::Parse(AsBytes(*out));
  if (!again.ok()) {
    std::fprintf(stderr, "serialized file does not parse: %s\n", again.status().ToString().c_str());
    std::abort();
  }
  OLLA_CHECK(again->version() == f->version());
  OLLA_CHECK(again->metadata() == f->metadata());
  OLLA_CHECK(again->tensors().size() == f->tensors().size());
  for (size_t i = 0; i < f->tensors().size(); ++i) {
    const TensorInfo& a = f->tensors()[i];
    const TensorInfo& b = again->tensors()[i];
    OLLA_CHECK(a.name == b.name && a.ne == b.ne && a.type == b.type && a.n_bytes == b.n_bytes);
    OLLA_CHECK(std::equal(a.data.begin(), a.data.end(), b.data.begin(), b.data.end()));
  }
  // The writer's output is canonical: writing it again changes nothing.
  auto out2 = Serialize(again->metadata(), ToWrite(*again), again->version());
  OLLA_CHECK(out2.ok() && *out2 == *out);
  return 0;
}
