#pragma once
// AllocationWatch: the largest single `operator new` request made while one is alive. Proves
// that hostile counts are refused before anything proportional to them is allocated.
// alloc_watch.cc replaces the global operator new/delete, so link it only into test binaries,
// and list it among the test's own SOURCES (from a static library it might not be picked up).
// Not thread-safe against other watches: one at a time.

#include <cstddef>

namespace olla::gguf::fixtures {

class AllocationWatch {
 public:
  AllocationWatch();
  ~AllocationWatch();
  AllocationWatch(const AllocationWatch&) = delete;
  AllocationWatch& operator=(const AllocationWatch&) = delete;
  // Largest request, in bytes, since construction.
  size_t max_alloc() const;
};

}  // namespace olla::gguf::fixtures
