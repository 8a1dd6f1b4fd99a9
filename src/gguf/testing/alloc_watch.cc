#include "gguf/testing/alloc_watch.h"

#include <atomic>
#include <cstdlib>
#include <new>

// Kept in its own translation unit: inlined into callers, a replaced operator delete calling
// free() trips GCC's -Wmismatched-new-delete.
namespace {
std::atomic<bool> g_watching{false};  // test-only globals: the allocator has nowhere else to report
std::atomic<size_t> g_max_alloc{0};

void Note(size_t n) {
  if (!g_watching.load(std::memory_order_relaxed)) return;
  size_t prev = g_max_alloc.load(std::memory_order_relaxed);
  while (n > prev && !g_max_alloc.compare_exchange_weak(prev, n, std::memory_order_relaxed)) {
  }
}
}  // namespace

// The whole non-aligned family is replaced, so that no block crosses between our functions and a
// sanitizer's (ASan reports malloc'ed memory freed by its operator delete[] as a mismatch).
// Aligned forms stay the runtime's: they pair only with each other.
void* operator new(size_t n) {
  Note(n);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t n) { return operator new(n); }
void* operator new(size_t n, const std::nothrow_t&) noexcept {
  Note(n);
  return std::malloc(n ? n : 1);
}
void* operator new[](size_t n, const std::nothrow_t& tag) noexcept { return operator new(n, tag); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace olla::gguf::fixtures {

AllocationWatch::AllocationWatch() {
  g_max_alloc = 0;
  g_watching = true;
}
AllocationWatch::~AllocationWatch() { g_watching = false; }
size_t AllocationWatch::max_alloc() const { return g_max_alloc.load(); }

}  // namespace olla::gguf::fixtures
