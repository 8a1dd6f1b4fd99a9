#pragma once
// Weights repacked for the x86 kernels (AVX-512 VNNI and AMX): the rows of a matrix in groups of
// 16, interleaved so that one 64-byte vector holds 4 consecutive elements of each of the 16 rows
// (the operand layout of vpdpbusd and of AMX B tiles), with the 16 rows' scales side by side.
// Sub-byte values stay packed (Q4_0 nibbles are still nibbles), so a packed matrix has about the
// size of the original and token generation still streams each weight byte once. Results are
// identical to the file layout's: the kernels compute the reference's integers and float
// expressions lane by lane.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "base/big_buffer.h"
#include "base/status.h"
#include "base/thread_pool.h"
#include "kernels/cpu.h"
#include "kernels/ops.h"

namespace olla::kernels {

enum class PackedFormat {
  kQ8_0x16,  // per block: 8 quads x 16 rows x 4 bytes of q + 128; then the rows' F16 d
  kQ4_0x16,  // per block: 4 vectors of 16 rows x 4 bytes of nibbles; then the rows' F16 d
  kQ4_Kx16,  // per super-block: 32 nibble vectors; then u8 scales [8][16], int16 min pairs, F16 d,
             // dmin
  kQ6_Kx16,  // per super-block: 48 vectors of 6-bit values (+ 2 bits of a fourth, pack.cc); then
             // int8 scales [16][16], F16 d [16]
};

// Layout of one packed matrix. Group g (rows 16g .. 16g + 15, zero rows past n_rows) occupies
// [g * group_bytes, (g + 1) * group_bytes): first the value vectors of every block (n_blocks *
// vec_bytes), then the per-block scale records (n_blocks * meta_bytes). Every part is 64-byte
// aligned.
struct PackedMatrix {
  PackedFormat format;
  tensor::DType type;
  size_t n_rows = 0, n_cols = 0;
  size_t n_blocks = 0;    // per row: n_cols / 32 (legacy) or n_cols / 256 (k-quants)
  size_t vec_bytes = 0;   // value bytes per block per group
  size_t meta_bytes = 0;  // scale bytes per block per group
  size_t group_bytes = 0;
  size_t n_groups = 0;
  BigBuffer storage;        // when the matrix owns its bytes (PackMatrix); WeightPacks shares one
  uint8_t* data = nullptr;  // 64-byte aligned

  size_t bytes() const { return group_bytes * n_groups; }

  const uint8_t* vecs(size_t g, size_t b) const { return data + g * group_bytes + b * vec_bytes; }
  const uint8_t* meta(size_t g, size_t b) const {
    return data + g * group_bytes + n_blocks * vec_bytes + b * meta_bytes;
  }
};

// True if `path` has a kernel for packed matrices of `type`.
bool HasPackedKernel(tensor::DType type, CpuPath path);

// Packs `m` (an unpacked matrix) for `path`, or returns nullptr if that path has no packed kernel
// for its type. Rows are split across the pool.
std::unique_ptr<PackedMatrix> PackMatrix(const QMatrix& m, CpuPath path, ThreadPool& pool);

// Owns the packed copies of a model's matrices (one per loaded Model), in one huge-page buffer
// (base/big_buffer.h): packing a model is then bound by memory bandwidth, not page faults.
class WeightPacks {
 public:
  // Sets m->packed, for every matrix whose type the active CPU path (ActiveCpuPath) has a packed
  // kernel for, to a packed copy that lives as long as this; other matrices are left unchanged.
  // Fails only when the memory cannot be allocated. Call once.
  Status PackAll(const std::vector<QMatrix*>& matrices, ThreadPool& pool);
  size_t bytes() const { return storage_.size(); }

 private:
  std::vector<std::unique_ptr<PackedMatrix>> packs_;
  BigBuffer storage_;
};

}  // namespace olla::kernels
