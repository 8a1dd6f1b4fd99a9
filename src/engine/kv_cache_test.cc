#include "engine/kv_cache.h"

#include <gtest/gtest.h>

namespace olla::engine {
namespace {

ModelConfig SmallConfig() {
  ModelConfig cfg;
  cfg.n_layer = 2;
  cfg.n_embd = 64;
  cfg.n_head = 1;
  cfg.n_head_kv = 1;
  cfg.head_dim = 64;
  cfg.head_dim_v = 64;
  return cfg;
}

TEST(KvCacheTest, SizesTheCacheFromLayersPositionsAndRows) {
  auto cache = KvCache::Create(SmallConfig(), 16, tensor::DType::kF32);
  ASSERT_TRUE(cache.ok()) << cache.status().ToString();
  EXPECT_EQ(cache->bytes(), 2u * 16 * 64 * 4 * 2);
  EXPECT_EQ(cache->bytes(), 16 * KvCache::BytesPerPosition(SmallConfig(), tensor::DType::kF32));
}

// A crafted model (context_length 2^60) with num_ctx 2^58 made n_layer * n_ctx * row_bytes wrap
// to a tiny size; the first Store() then wrote far past the buffer.
TEST(KvCacheTest, APositionCountWhoseSizeOverflowsIsRefused) {
  for (size_t n_ctx : {size_t{1} << 58, size_t{1} << 62, ~size_t{0}}) {
    auto cache = KvCache::Create(SmallConfig(), n_ctx, tensor::DType::kF16);
    ASSERT_FALSE(cache.ok()) << n_ctx;
    EXPECT_EQ(cache.status().code(), StatusCode::kResourceExhausted) << cache.status().ToString();
  }
}

}  // namespace
}  // namespace olla::engine
