// Repacking into the 16-row interleaved layouts of pack.h. Runs once per matrix at model load;
// plain byte moves into zeroed memory (rows past n_rows stay zero), split across the pool by
// groups.

#include "kernels/pack.h"

#include <cstring>

#include "base/check.h"
#include "tensor/blocks.h"

namespace olla::kernels {
namespace {

using tensor::DType;
constexpr size_t kRows = 16;
constexpr size_t kAlign = 64;
size_t AlignUp(size_t n) { return (n + kAlign - 1) / kAlign * kAlign; }

struct FormatInfo {
  PackedFormat format;
  size_t block_elems, vec_bytes, meta_bytes;
};

bool FormatFor(DType type, FormatInfo* f) {
  switch (type) {
    case DType::kQ8_0:
      *f = {PackedFormat::kQ8_0x16, 32, 8 * 64, 32};
      return true;
    case DType::kQ4_0:
      *f = {PackedFormat::kQ4_0x16, 32, 4 * 64, 32};
      return true;
    case DType::kQ4_K:
      *f = {PackedFormat::kQ4_Kx16, 256, 32 * 64, 448};
      return true;
    case DType::kQ6_K:
      *f = {PackedFormat::kQ6_Kx16, 256, 48 * 64, 288};
      return true;
    default:
      return false;
  }
}

// Copies 4 bytes of row r into lane r of vector v (64 bytes) at `dst`.
inline void PutQuad(uint8_t* dst, size_t v, size_t r, const uint8_t* src) {
  std::memcpy(dst + v * 64 + r * 4, src, 4);
}

void PackBlockQ8_0(const tensor::BlockQ8_0* const* rows, size_t b, uint8_t* vec, uint8_t* meta) {
  auto* d = reinterpret_cast<uint16_t*>(meta);
  for (size_t r = 0; r < kRows; ++r) {
    const tensor::BlockQ8_0& blk = rows[r][b];
    // Signed to offset-binary (q + 128), four quads at a time: this runs over every weight byte
    // at load time, so it works on words rather than bytes.
    for (size_t k = 0; k < 8; k += 2) {
      uint64_t two_quads;
      std::memcpy(&two_quads, blk.qs + 4 * k, 8);
      two_quads ^= 0x8080808080808080ull;
      std::memcpy(vec + k * 64 + r * 4, &two_quads, 4);
      std::memcpy(vec + (k + 1) * 64 + r * 4, reinterpret_cast<const uint8_t*>(&two_quads) + 4, 4);
    }
    d[r] = blk.d;
  }
}

void PackBlockQ4_0(const tensor::BlockQ4_0* const* rows, size_t b, uint8_t* vec, uint8_t* meta) {
  auto* d = reinterpret_cast<uint16_t*>(meta);
  for (size_t r = 0; r < kRows; ++r) {
    const tensor::BlockQ4_0& blk = rows[r][b];
    for (size_t v = 0; v < 4; ++v) PutQuad(vec, v, r, blk.qs + 4 * v);
    d[r] = blk.d;
  }
}

// meta: u8 scales [8][16], int16 min pairs [4][16][2], F16 d [16], F16 dmin [16].
void PackBlockQ4_K(const tensor::BlockQ4_K* const* rows, size_t b, uint8_t* vec, uint8_t* meta) {
  uint8_t* sc = meta;
  auto* mn = reinterpret_cast<int16_t*>(meta + 128);
  auto* d = reinterpret_cast<uint16_t*>(meta + 384);
  auto* dmin = reinterpret_cast<uint16_t*>(meta + 416);
  for (size_t r = 0; r < kRows; ++r) {
    const tensor::BlockQ4_K& blk = rows[r][b];
    for (size_t g = 0; g < 4; ++g)
      for (size_t j = 0; j < 8; ++j) PutQuad(vec, g * 8 + j, r, blk.qs + 32 * g + 4 * j);
    for (int s = 0; s < 8; ++s) {
      uint8_t scale, min;
      tensor::GetScaleMinK4(s, blk.scales, &scale, &min);
      sc[s * 16 + r] = scale;
      mn[(s / 2) * 32 + r * 2 + s % 2] = min;
    }
    d[r] = blk.d;
    dmin[r] = blk.dmin;
  }
}

// vec: kQ6_Kx16 (pack.h): for half h, quad k and part p < 3, vector 24h + 3k + p holds in each
// byte the value of element 128h + 32p + 4k + i (bits 0-5) and two bits of the part-3 element
// 128h + 96 + 4k + i (bits 6-7: bits 0-1 of it in part 0's byte, 2-3 in part 1's, 4-5 in part
// 2's). Parts 0-2 then decode with one AND, part 3 with three shifts and three logic ops.
// meta: int8 scales [16][16], F16 d [16].
void PackBlockQ6_K(const tensor::BlockQ6_K* const* rows, size_t b, uint8_t* vec, uint8_t* meta) {
  auto* sc = reinterpret_cast<int8_t*>(meta);
  auto* d = reinterpret_cast<uint16_t*>(meta + 256);
  constexpr uint32_t kLow = 0x0F0F0F0F, kTwo = 0x03030303;
  auto load = [](const uint8_t* p) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
  };
  for (size_t r = 0; r < kRows; ++r) {
    const tensor::BlockQ6_K& blk = rows[r][b];
    for (size_t h = 0; h < 2; ++h) {
      for (size_t k = 0; k < 8; ++k) {  // four elements at a time, one per byte
        const uint32_t l0 = load(blk.ql + 64 * h + 4 * k), l1 = load(blk.ql + 64 * h + 32 + 4 * k);
        const uint32_t hb = load(blk.qh + 32 * h + 4 * k);
        const uint32_t q[4] = {(l0 & kLow) | (hb & kTwo) << 4,
                               (l1 & kLow) | ((hb >> 2) & kTwo) << 4,
                               ((l0 >> 4) & kLow) | ((hb >> 4) & kTwo) << 4,
                               ((l1 >> 4) & kLow) | ((hb >> 6) & kTwo) << 4};
        for (size_t p = 0; p < 3; ++p) {
          const uint32_t packed = q[p] | ((q[3] >> (2 * p)) & kTwo) << 6;
          PutQuad(vec, 24 * h + 3 * k + p, r, reinterpret_cast<const uint8_t*>(&packed));
        }
      }
    }
    for (size_t s = 0; s < 16; ++s) sc[s * 16 + r] = blk.scales[s];
    d[r] = blk.d;
  }
}

template <typename Block>
void PackGroups(const QMatrix& m, PackedMatrix& p, size_t g_begin, size_t g_end,
                void (*pack_block)(const Block* const*, size_t, uint8_t*, uint8_t*)) {
  std::vector<Block> zero(p.n_blocks);  // the padding rows of the last group: all-zero blocks
  std::memset(static_cast<void*>(zero.data()), 0, zero.size() * sizeof(Block));
  const Block* rows[kRows];
  for (size_t g = g_begin; g < g_end; ++g) {
    for (size_t r = 0; r < kRows; ++r) {
      const size_t row = g * kRows + r;
      rows[r] =
          row < m.n_rows ? reinterpret_cast<const Block*>(m.data + row * m.row_bytes) : zero.data();
    }
    for (size_t b = 0; b < p.n_blocks; ++b)
      pack_block(rows, b, const_cast<uint8_t*>(p.vecs(g, b)), const_cast<uint8_t*>(p.meta(g, b)));
  }
}

}  // namespace

bool HasPackedKernel(DType type, CpuPath path) {
  FormatInfo f;
  return path != CpuPath::kHighway && FormatFor(type, &f);
}

namespace {

// The layout of m packed for `path` (data not set), or nullptr if it has no packed kernel.
std::unique_ptr<PackedMatrix> PlanPacked(const QMatrix& m, CpuPath path) {
  FormatInfo f;
  if (!HasPackedKernel(m.type, path) || !FormatFor(m.type, &f) || m.n_cols % f.block_elems != 0)
    return nullptr;
  auto p = std::make_unique<PackedMatrix>();
  p->format = f.format;
  p->type = m.type;
  p->n_rows = m.n_rows;
  p->n_cols = m.n_cols;
  p->n_blocks = m.n_cols / f.block_elems;
  p->vec_bytes = f.vec_bytes;
  p->meta_bytes = f.meta_bytes;
  p->group_bytes = AlignUp(p->n_blocks * f.vec_bytes) + AlignUp(p->n_blocks * f.meta_bytes);
  p->n_groups = (m.n_rows + kRows - 1) / kRows;
  // n_blocks * vec_bytes is a multiple of 64 for every format, so meta() starts aligned too.
  OLLA_CHECK(p->n_blocks * f.vec_bytes % kAlign == 0);
  return p;
}

// Fills p->data (zeroed memory, 64-byte aligned) from m; groups are split across the pool.
void FillPacked(const QMatrix& m, PackedMatrix& p, ThreadPool& pool) {
  pool.ParallelFor(p.n_groups, [&](size_t begin, size_t end, size_t) {
    switch (p.format) {
      case PackedFormat::kQ8_0x16:
        PackGroups<tensor::BlockQ8_0>(m, p, begin, end, PackBlockQ8_0);
        break;
      case PackedFormat::kQ4_0x16:
        PackGroups<tensor::BlockQ4_0>(m, p, begin, end, PackBlockQ4_0);
        break;
      case PackedFormat::kQ4_Kx16:
        PackGroups<tensor::BlockQ4_K>(m, p, begin, end, PackBlockQ4_K);
        break;
      case PackedFormat::kQ6_Kx16:
        PackGroups<tensor::BlockQ6_K>(m, p, begin, end, PackBlockQ6_K);
        break;
    }
  });
}

}  // namespace

std::unique_ptr<PackedMatrix> PackMatrix(const QMatrix& m, CpuPath path, ThreadPool& pool) {
  auto p = PlanPacked(m, path);
  if (!p) return nullptr;
  auto buf = BigBuffer::Allocate(p->bytes());
  OLLA_CHECK(buf.ok());  // tests and tools only; models go through WeightPacks
  p->storage = std::move(*buf);
  p->data = p->storage.data();
  FillPacked(m, *p, pool);
  return p;
}

Status WeightPacks::PackAll(const std::vector<QMatrix*>& matrices, ThreadPool& pool) {
  std::vector<std::pair<QMatrix*, std::unique_ptr<PackedMatrix>>> plans;
  size_t total = 0;
  for (QMatrix* m : matrices) {
    if (m->data == nullptr || m->packed != nullptr) continue;
    if (auto p = PlanPacked(*m, ActiveCpuPath())) {
      total += AlignUp(p->bytes());
      plans.emplace_back(m, std::move(p));
    }
  }
  OLLA_ASSIGN_OR_RETURN(storage_, BigBuffer::Allocate(total));
  size_t offset = 0;
  for (auto& [m, p] : plans) {
    p->data = storage_.data() + offset;  // page-aligned base + multiples of 64
    offset += AlignUp(p->bytes());
    FillPacked(*m, *p, pool);
    m->packed = p.get();
    packs_.push_back(std::move(p));
  }
  return Status::Ok();
}

}  // namespace olla::kernels
