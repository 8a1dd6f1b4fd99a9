#pragma once
// Overflow-checked size arithmetic. Sizes and counts that come from a request or a model file go
// through these before they size an allocation or index memory, so that a huge value becomes an
// error instead of a wrapped, too small buffer.

#include <cstddef>
#include <initializer_list>
#include <optional>

namespace olla {

// a * b, or nullopt when it does not fit in size_t.
inline std::optional<size_t> CheckedMul(size_t a, size_t b) {
  size_t product;
  if (__builtin_mul_overflow(a, b, &product)) return std::nullopt;
  return product;
}

// a + b, or nullopt when it does not fit in size_t.
inline std::optional<size_t> CheckedAdd(size_t a, size_t b) {
  size_t sum;
  if (__builtin_add_overflow(a, b, &sum)) return std::nullopt;
  return sum;
}

// The product of all factors, or nullopt when any partial product overflows.
inline std::optional<size_t> CheckedProduct(std::initializer_list<size_t> factors) {
  size_t product = 1;
  for (size_t f : factors) {
    if (__builtin_mul_overflow(product, f, &product)) return std::nullopt;
  }
  return product;
}

}  // namespace olla
