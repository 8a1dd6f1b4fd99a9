#include "base/big_buffer.h"

#include <sys/mman.h>

#include "base/str_cat.h"

namespace olla {

namespace {
constexpr size_t kHugePage = size_t{2} << 20;
}

Result<BigBuffer> BigBuffer::Allocate(size_t bytes) {
  BigBuffer b;
  if (bytes == 0) return b;
  b.size_ = bytes;
  b.mapped_ = (bytes + kHugePage - 1) / kHugePage * kHugePage;
  void* p = ::mmap(nullptr, b.mapped_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    return Status::ResourceExhausted(StrCat("cannot allocate ", bytes, " bytes"));
#ifdef MADV_HUGEPAGE
  ::madvise(p, b.mapped_, MADV_HUGEPAGE);  // advice only: ignored where THP is off
#endif
  b.data_ = static_cast<uint8_t*>(p);
  return b;
}

BigBuffer& BigBuffer::operator=(BigBuffer&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) ::munmap(data_, mapped_);
    data_ = other.data_;
    size_ = other.size_;
    mapped_ = other.mapped_;
    other.data_ = nullptr;
    other.size_ = other.mapped_ = 0;
  }
  return *this;
}

BigBuffer::~BigBuffer() {
  if (data_ != nullptr) ::munmap(data_, mapped_);
}

}  // namespace olla
