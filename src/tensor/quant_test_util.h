#pragma once
// Test-only helpers for the (de)quantization tests: the reference tensors of
// testdata/ref/dequant (README §2.4) and small numeric utilities.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "support/testdata.h"
#include "tensor/dtype.h"

namespace olla::tensor::testing {

// The two tensors dequantized for every pure file: [rows, row_len] in numpy order.
inline constexpr std::string_view kRefTensors[] = {"blk.0.attn_q.weight", "blk.1.ffn_down.weight"};

// The types that have a tiny-llama-q-pure-<TYPE>.gguf file.
inline constexpr DType kPureTypes[] = {DType::kQ8_0, DType::kQ4_0, DType::kQ4_1,   DType::kQ5_0,
                                       DType::kQ5_1, DType::kQ2_K, DType::kQ3_K,   DType::kQ4_K,
                                       DType::kQ5_K, DType::kQ6_K, DType::kIQ4_NL, DType::kIQ4_XS};

// The integer value of `"key": N` in a flat JSON text, or -1 if absent.
inline int64_t JsonInt(const std::string& json, std::string_view key) {
  std::string needle = "\"";  // built with += : GCC 12 -O3 warns falsely on "x" + std::string
  needle += key;
  needle += "\":";
  const size_t pos = json.find(needle);
  if (pos == std::string::npos) return -1;
  return std::strtoll(json.c_str() + pos + needle.size(), nullptr, 10);
}

// One tensor of one model: its stored bytes and, where there is one, the reference f32 values.
struct RefTensor {
  std::string raw;            // the GGUF tensor data, raw_nbytes bytes
  std::vector<float> values;  // ref/dequant/<model>.<tensor>.bin
  int64_t row_len = 0;        // ne[0]
};

// Loads ref/dequant/<model>.<tensor>.{json,bin} and the tensor's bytes from models/<model>.gguf.
// Fails the calling test (and returns empty fields) if anything is missing.
inline RefTensor LoadRefTensor(const std::string& model, std::string_view tensor) {
  RefTensor t;
  const std::string base =
      olla::testing::TestdataPath("ref/dequant/" + model + "." + std::string(tensor));
  const std::string json = olla::testing::ReadFileOrFail(base + ".json");
  const int64_t offset = JsonInt(json, "raw_offset");
  const int64_t nbytes = JsonInt(json, "raw_nbytes");
  const size_t ne0_pos = json.find("\"ne\": [");
  if (offset < 0 || nbytes <= 0 || ne0_pos == std::string::npos) {
    ADD_FAILURE() << "bad sidecar " << base << ".json";
    return t;
  }
  t.row_len = std::strtoll(json.c_str() + ne0_pos + 7, nullptr, 10);
  t.values = olla::testing::ReadF32File(base + ".bin");
  std::ifstream in(olla::testing::TestdataPath("models/" + model + ".gguf"), std::ios::binary);
  t.raw.resize(static_cast<size_t>(nbytes));
  if (!in.seekg(offset) || !in.read(t.raw.data(), nbytes)) {
    ADD_FAILURE() << "cannot read " << nbytes << " bytes at " << offset << " of " << model;
    t.raw.clear();
  }
  return t;
}

inline std::string PureModel(DType type) { return "tiny-llama-q-pure-" + std::string(Name(type)); }

// Root-mean-square of a - b.
inline double RmsDiff(const std::vector<float>& a, const std::vector<float>& b) {
  double sum = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    const double d = static_cast<double>(a[i]) - static_cast<double>(b[i]);
    sum += d * d;
  }
  return a.empty() ? 0.0 : std::sqrt(sum / static_cast<double>(a.size()));
}

// Index of the first element whose bits differ, or -1.
inline int64_t FirstBitMismatch(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return 0;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::memcmp(&a[i], &b[i], sizeof(float)) != 0) return static_cast<int64_t>(i);
  return -1;
}

}  // namespace olla::tensor::testing
