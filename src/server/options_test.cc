#include "server/options.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace olla::server {
namespace {

using nlohmann::json;

Result<ResolvedOptions> Resolve(const json& request_options) {
  return ResolveOptions(nullptr, request_options, 4096);
}

std::string ErrorOf(const json& request_options) {
  auto r = Resolve(request_options);
  EXPECT_FALSE(r.ok()) << request_options.dump();
  return r.ok() ? "" : r.status().message();
}

TEST(OptionsTest, LayersDefaultsModelAndRequest) {
  auto o =
      ResolveOptions({{"num_ctx", 1024}, {"top_k", 5}}, {{"top_k", 7}, {"num_predict", 12}}, 4096);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->load.num_ctx, 1024u);
  EXPECT_EQ(o->gen.sampler.top_k, 7);
  EXPECT_EQ(o->gen.num_predict, 12);
  // Values <= 0 keep the defaults of the load-time sizes.
  o = Resolve({{"num_ctx", -5}, {"num_batch", 0}, {"num_thread", -1}});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->load.num_ctx, 4096u);
  EXPECT_EQ(o->load.num_batch, 512u);
  EXPECT_EQ(o->load.num_thread, 0u);
}

// Issue #17: num_ctx 2^58 overflowed the KV cache size, num_batch 1e12 and num_thread 1e12 were a
// 500 from the allocator (and froze later loads), num_predict 2^40 was silently cut to 0 tokens.
TEST(OptionsTest, SizesBeyondTheirBoundsAre400s) {
  EXPECT_EQ(ErrorOf({{"num_ctx", int64_t{1} << 58}}),
            "option \"num_ctx\" must be at most 1073741824");
  EXPECT_NE(
      ErrorOf({{"num_batch", int64_t{1000000000000}}}).find("\"num_batch\" must be at most 65536"),
      std::string::npos);
  EXPECT_NE(
      ErrorOf({{"num_thread", int64_t{1000000000000}}}).find("\"num_thread\" must be at most 1024"),
      std::string::npos);
  EXPECT_EQ(ErrorOf({{"num_predict", int64_t{1} << 40}}),
            "option \"num_predict\" must be between -2147483648 and 2147483647");
  EXPECT_NE(ErrorOf({{"top_k", 1e300}}).find("\"top_k\" must be between"), std::string::npos);
  EXPECT_NE(ErrorOf({{"seed", 1e300}}).find("\"seed\" must be at most"), std::string::npos);
  EXPECT_NE(ErrorOf({{"repeat_last_n", uint64_t{1} << 63}}).find("\"repeat_last_n\""),
            std::string::npos);
  // The bounds themselves are accepted; floats are truncated as Ollama does.
  auto o = Resolve({{"num_ctx", kMaxNumCtx},
                    {"num_batch", kMaxNumBatch},
                    {"num_thread", kMaxNumThread},
                    {"num_predict", 2147483647},
                    {"top_k", 3.9}});
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->load.num_ctx, static_cast<size_t>(kMaxNumCtx));
  EXPECT_EQ(o->gen.num_predict, 2147483647);
  EXPECT_EQ(o->gen.sampler.top_k, 3);
}

TEST(OptionsTest, WrongTypesUseOllamasMessages) {
  EXPECT_EQ(ErrorOf({{"top_k", "many"}}), "option \"top_k\" must be of type integer");
  EXPECT_EQ(ErrorOf({{"temperature", true}}), "option \"temperature\" must be of type float32");
}

}  // namespace
}  // namespace olla::server
