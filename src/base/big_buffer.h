#pragma once
// BigBuffer: a large, page-aligned, zero-initialised allocation straight from the kernel, asking
// for transparent huge pages (2 MiB). Filling a gigabyte of 4 KiB pages costs a quarter of a
// million page faults; huge pages cut that 512-fold, and their TLB reach helps the kernels that
// stream through the buffer later. Falls back to normal pages where huge pages are unavailable.

#include <cstddef>
#include <cstdint>

#include "base/status.h"

namespace olla {

class BigBuffer {
 public:
  BigBuffer() = default;
  // kResourceExhausted when the memory cannot be mapped.
  static Result<BigBuffer> Allocate(size_t bytes);

  BigBuffer(BigBuffer&& other) noexcept { *this = static_cast<BigBuffer&&>(other); }
  BigBuffer& operator=(BigBuffer&& other) noexcept;
  BigBuffer(const BigBuffer&) = delete;
  BigBuffer& operator=(const BigBuffer&) = delete;
  ~BigBuffer();

  uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  uint8_t* data_ = nullptr;
  size_t size_ = 0;    // as asked
  size_t mapped_ = 0;  // rounded up to whole huge pages
};

}  // namespace olla
