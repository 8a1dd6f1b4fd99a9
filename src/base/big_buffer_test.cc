#include "base/big_buffer.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <utility>

namespace olla {
namespace {

TEST(BigBufferTest, ZeroedWritableAlignedAndMovable) {
  auto b = BigBuffer::Allocate((size_t{5} << 20) + 3);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  ASSERT_NE(b->data(), nullptr);
  EXPECT_EQ(b->size(), (size_t{5} << 20) + 3);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(b->data()) % 4096, 0u);
  EXPECT_EQ(b->data()[0], 0);
  EXPECT_EQ(b->data()[b->size() - 1], 0);
  b->data()[b->size() - 1] = 7;
  BigBuffer moved = std::move(*b);
  EXPECT_EQ(b->data(), nullptr);
  EXPECT_EQ(moved.data()[moved.size() - 1], 7);
  auto empty = BigBuffer::Allocate(0);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->data(), nullptr);
}

TEST(BigBufferTest, ImpossibleSizesAreAnError) {
  auto b = BigBuffer::Allocate(size_t{1} << 62);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace olla
